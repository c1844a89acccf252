import { analyzeReaders } from './analyze';
import { readerAccountsFor } from './accounts';
import {
  A,
  B,
  OUTSIDE,
  UNSCANNED,
  DENIED,
  MANAGEMENT,
  ORG,
  keyPolicy,
  bucketPolicy,
  organization,
  input,
} from './__fixtures__/crossAccount';

describe('organization guardrails', () => {
  const lacks = (result: ReturnType<typeof analyzeReaders>, name: string) =>
    result.readers.partial.find(p => p.principal.endsWith(`/${name}`))?.lacks;

  it('applies an SCP Deny on the OU path of member accounts', () => {
    const result = analyzeReaders(
      input(undefined, {
        organization: organization([
          {
            id: 'p-nodecrypt',
            type: 'SCP',
            document: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' },
              ],
            },
            targetIds: ['ou-ab12-security'],
          },
        ]),
      }),
    );
    expect(lacks(result, 'LogReader')).toBe('kms:Decrypt');
    expect(
      result.readers.readers.some(r =>
        r.principal.endsWith('/CloudTrailReadRole'),
      ),
    ).toBe(true);
  });

  it('needs an SCP Allow at every level', () => {
    const org = organization();
    org.policies[0].targetIds = ['r-ab12', 'ou-ab12-logs', A, B];
    org.policies.push({
      id: 'p-s3only',
      type: 'SCP',
      name: 'S3Only',
      document: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
      },
      targetIds: ['ou-ab12-security'],
    });
    const result = analyzeReaders(input(undefined, { organization: org }));
    expect(lacks(result, 'LogReader')).toBe('kms:Decrypt');
  });

  it('never applies SCPs to the management account', () => {
    const org = organization([
      {
        id: 'p-nodecrypt',
        type: 'SCP',
        document: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' }],
        },
        targetIds: ['r-ab12'],
      },
    ]);
    org.managementAccountId = A;
    org.memberAccountIds = [B];
    const result = analyzeReaders(input(undefined, { organization: org }));
    expect(
      result.readers.readers.some(r =>
        r.principal.endsWith('/CloudTrailReadRole'),
      ),
    ).toBe(true);
    expect(lacks(result, 'LogReader')).toBe('kms:Decrypt');
  });

  it('applies an RCP on the resource account to principals outside the organization', () => {
    const result = analyzeReaders(
      input(undefined, {
        organization: organization([
          {
            id: 'p-perimeter',
            type: 'RCP',
            document: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Deny',
                  Principal: '*',
                  Action: ['s3:*', 'kms:*'],
                  Resource: '*',
                  Condition: {
                    StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG },
                    BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
                  },
                },
              ],
            },
            targetIds: ['r-ab12'],
          },
        ]),
      }),
    );
    expect(result.readers.readers.map(r => r.accountId).includes(OUTSIDE)).toBe(
      false,
    );
    expect(
      result.readers.readers.some(r => r.principal.endsWith('/LogReader')),
    ).toBe(true);
  });
});

describe('readerAccountsFor', () => {
  it('plans the key account, the bucket owner and every account the policies let in', () => {
    expect(
      readerAccountsFor({
        key: { accountId: A, policy: keyPolicy },
        bucket: { ownerAccountId: A, policy: bucketPolicy },
        grants: [
          {
            GrantId: 'g1',
            GranteePrincipal: `arn:aws:iam::${DENIED}:role/Grantee`,
            Operations: ['Decrypt'],
          },
        ],
        organizationId: ORG,
        estateAccountIds: [A, B, MANAGEMENT],
      }),
    ).toEqual({
      accountIds: [A, B, OUTSIDE, UNSCANNED, DENIED].sort(),
      wholeOrganization: false,
    });
  });

  it('plans every estate account when aws:PrincipalOrgID admits the organization', () => {
    const orgWide = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
        },
      ],
    };
    expect(
      readerAccountsFor({
        key: { accountId: A, policy: orgWide },
        bucket: { ownerAccountId: B, policy: null },
        organizationId: ORG,
        estateAccountIds: [A, B, MANAGEMENT],
      }),
    ).toEqual({
      accountIds: [A, B, MANAGEMENT].sort(),
      wholeOrganization: true,
    });
  });
});
