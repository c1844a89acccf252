import { CONTEXT, OTHER, OWNER, TRAIL_ARN } from './__fixtures__/keyPolicies';
import { KmsGrant, principalsFromGrants } from './grants';

const ROLE = `arn:aws:iam::${OTHER}:role/LogReader`;

const grant = (overrides: Partial<KmsGrant>): KmsGrant => ({
  GrantId: 'g-1',
  GranteePrincipal: ROLE,
  Operations: ['Decrypt', 'DescribeKey'],
  ...overrides,
});

const principals = (...grants: KmsGrant[]) =>
  principalsFromGrants(grants, CONTEXT);

describe('principalsFromGrants', () => {
  it('turns a Decrypt grant into a principal via the grant', () => {
    expect(principals(grant({}))).toEqual([
      {
        principal: ROLE,
        kind: 'iam-role',
        accountId: OTHER,
        via: 'grant',
        conditions: [],
        source: 'g-1',
      },
    ]);
  });

  it('ignores grants without Decrypt', () => {
    expect(
      principals(grant({ Operations: ['Encrypt', 'GenerateDataKey'] })),
    ).toEqual([]);
    expect(principals(grant({ Operations: undefined }))).toEqual([]);
  });

  it('classifies grantees', () => {
    const result = principals(
      grant({
        GrantId: 'a',
        GranteePrincipal: `arn:aws:iam::${OWNER}:user/bob`,
      }),
      grant({ GrantId: 'b', GranteePrincipal: `arn:aws:iam::${OTHER}:root` }),
      grant({ GrantId: 'c', GranteePrincipal: 'cloudtrail.amazonaws.com' }),
      grant({
        GrantId: 'd',
        GranteePrincipal: `arn:aws:sts::${OTHER}:assumed-role/LogReader/s`,
      }),
      grant({ GrantId: 'e', GranteePrincipal: OTHER }),
    );
    expect(result.map(p => [p.source, p.kind, p.accountId])).toEqual([
      ['a', 'iam-user', OWNER],
      ['b', 'account-root', OTHER],
      ['c', 'service', undefined],
      ['d', 'iam-role', OTHER],
      ['e', 'account-root', OTHER],
    ]);
  });

  describe('constraints', () => {
    const accepts = (Constraints: KmsGrant['Constraints']) =>
      principals(grant({ Constraints })).length === 1;

    it('accepts a subset naming this trail, or nothing', () => {
      expect(
        accepts({
          EncryptionContextSubset: { 'aws:cloudtrail:arn': TRAIL_ARN },
        }),
      ).toBe(true);
      expect(accepts({ EncryptionContextSubset: {} })).toBe(true);
      expect(accepts({})).toBe(true);
    });

    it('compares constraint keys case-insensitively and values exactly, as KMS does', () => {
      expect(
        accepts({
          EncryptionContextSubset: { 'AWS:CloudTrail:ARN': TRAIL_ARN },
        }),
      ).toBe(true);
      expect(
        accepts({
          EncryptionContextSubset: {
            'aws:cloudtrail:arn': TRAIL_ARN.toUpperCase(),
          },
        }),
      ).toBe(false);
    });

    it('rejects a subset naming another trail or another key', () => {
      expect(
        accepts({
          EncryptionContextSubset: { 'aws:cloudtrail:arn': `${TRAIL_ARN}-2` },
        }),
      ).toBe(false);
      expect(
        accepts({
          EncryptionContextSubset: {
            'aws:cloudtrail:arn': TRAIL_ARN,
            purpose: 'x',
          },
        }),
      ).toBe(false);
      expect(
        accepts({
          EncryptionContextSubset: { 'aws:s3:arn': 'arn:aws:s3:::b' },
        }),
      ).toBe(false);
    });

    it('never takes EncryptionContextEquals as the log-file context, which also names each object', () => {
      expect(
        accepts({
          EncryptionContextEquals: { 'aws:cloudtrail:arn': TRAIL_ARN },
        }),
      ).toBe(false);
      expect(
        accepts({
          EncryptionContextEquals: {
            'aws:cloudtrail:arn': TRAIL_ARN,
            'aws:s3:arn': 'arn:aws:s3:::b/AWSLogs/1/CloudTrail/x.json.gz',
          },
        }),
      ).toBe(false);
      expect(
        accepts({
          EncryptionContextEquals: {
            'aws:cloudtrail:arn': TRAIL_ARN,
            extra: 'y',
          },
        }),
      ).toBe(false);
      expect(accepts({ EncryptionContextEquals: {} })).toBe(false);
    });
  });

  it('skips grants without a grantee and those to deleted principals', () => {
    expect(principals(grant({ GranteePrincipal: undefined }))).toEqual([]);
    expect(
      principals(grant({ GranteePrincipal: 'AROAEXAMPLEID1234567' })),
    ).toEqual([]);
  });
});
