import { arnMatch, globMatch, parseArn } from './glob';

describe('globMatch', () => {
  it('treats * as any run and ? as one character', () => {
    expect(globMatch('kms:GenerateDataKey*', 'kms:GenerateDataKey')).toBe(true);
    expect(
      globMatch('kms:GenerateDataKey*', 'kms:GenerateDataKeyWithoutPlaintext'),
    ).toBe(true);
    expect(globMatch('kms:?ecrypt', 'kms:Decrypt')).toBe(true);
    expect(globMatch('kms:?ecrypt', 'kms:ReDecrypt')).toBe(false);
    expect(globMatch('a*b*c', 'aXXbYYc')).toBe(true);
    expect(globMatch('a*b*c', 'aXXbYY')).toBe(false);
    expect(globMatch('*', '')).toBe(true);
  });

  it('is case-sensitive unless asked', () => {
    expect(globMatch('KMS:decrypt', 'kms:Decrypt')).toBe(false);
    expect(globMatch('KMS:decrypt', 'kms:Decrypt', true)).toBe(true);
  });

  it('has no other special characters', () => {
    expect(globMatch('a.c', 'abc')).toBe(false);
    expect(globMatch('a[b]c', 'a[b]c')).toBe(true);
  });
});

describe('arnMatch', () => {
  const trail = 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/org/trail';

  it('matches part by part, so a Region wildcard cannot swallow the account', () => {
    expect(arnMatch('arn:aws:cloudtrail:*:111111111111:trail/*', trail)).toBe(
      true,
    );
    expect(arnMatch('arn:aws:cloudtrail:*:222222222222:trail/*', trail)).toBe(
      false,
    );
    expect(arnMatch('arn:aws:cloudtrail:*', trail)).toBe(false);
    expect(arnMatch('arn:aws:cloudtrail:*:*:*', trail)).toBe(true);
  });

  it('reads the resource part with its colons', () => {
    expect(
      parseArn('arn:aws:logs:us-east-1:111111111111:log-group:a:*'),
    ).toEqual({
      partition: 'aws',
      service: 'logs',
      region: 'us-east-1',
      accountId: '111111111111',
      resource: 'log-group:a:*',
    });
    expect(parseArn('not-an-arn')).toBeUndefined();
  });
});
