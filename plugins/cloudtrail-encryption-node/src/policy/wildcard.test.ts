import { arnMatch, globMatch } from './wildcard';
import { parseArn } from './arn';

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

describe('IAM wildcard rules', () => {
  it('lets ? stand for exactly one character and * for any run, even none', () => {
    expect(globMatch('kms:Decrypt?', 'kms:Decrypt')).toBe(false);
    expect(globMatch('kms:Decrypt*', 'kms:Decrypt')).toBe(true);
    expect(globMatch('kms:??crypt', 'kms:Encrypt')).toBe(true);
    expect(globMatch('kms:??crypt', 'kms:ReEncrypt')).toBe(false);
    expect(globMatch('*:*', 'kms:Decrypt')).toBe(true);
    expect(globMatch('*:*', 'kmsDecrypt')).toBe(false);
    expect(globMatch('', '')).toBe(true);
    expect(globMatch('?', '')).toBe(false);
  });

  it('backtracks through several stars', () => {
    expect(globMatch('*a*a*a', 'aaaa')).toBe(true);
    expect(globMatch('*ab*ab', 'abXabab')).toBe(true);
    expect(globMatch('*ab*abc', 'abXabab')).toBe(false);
  });

  it('folds case only when asked: actions yes, ARNs and values no', () => {
    expect(globMatch('KMS:Decrypt*', 'kms:decryptsomething', true)).toBe(true);
    expect(globMatch('kms:?ecrypt', 'KMS:DECRYPT', true)).toBe(true);
    expect(
      globMatch('arn:aws:iam::*:role/Reader', 'arn:aws:iam::1:role/reader'),
    ).toBe(false);
    expect(
      arnMatch(
        'arn:aws:iam::*:role/Reader',
        'arn:aws:iam::111111111111:role/reader',
      ),
    ).toBe(false);
  });

  it('matches ARNs of the China and GovCloud partitions part by part', () => {
    const cn = 'arn:aws-cn:cloudtrail:cn-north-1:111111111111:trail/t';
    const gov = 'arn:aws-us-gov:cloudtrail:us-gov-west-1:111111111111:trail/t';
    expect(arnMatch('arn:aws-cn:cloudtrail:*:111111111111:trail/*', cn)).toBe(
      true,
    );
    expect(arnMatch('arn:aws:cloudtrail:*:111111111111:trail/*', cn)).toBe(
      false,
    );
    expect(arnMatch('arn:aws*:cloudtrail:*:111111111111:trail/*', gov)).toBe(
      true,
    );
    expect(arnMatch('arn:*:cloudtrail:us-gov-*:*:trail/?', gov)).toBe(true);
  });
});
