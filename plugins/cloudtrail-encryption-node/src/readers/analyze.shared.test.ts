import { KMS_DEFAULT_POLICY } from '../analysis/__fixtures__/keyPolicies';
import { analyzeReaders } from './analyze';
import { authorizationDetails, managedArn } from './__fixtures__/iam';
import { FULL_ACCESS } from './__fixtures__/crossAccount';
import type { ReaderAnalysisInput } from './types';

// A fleet in which many principals are alike (the same managed policies in
// every account), analysed together, must get exactly the verdicts each
// account gets when analysed alone: whatever the analysis shares between
// principals it cannot tell apart, it must not share between those it can.
const KEY_ACCOUNT = '111111111111';
const NAMED = '222222222222';
const CALLER = '333333333333';
const PROD = ['400000000001', '400000000002', '400000000003'];
const NON_PROD = ['500000000001', '500000000002'];
const OUTSIDE = '600000000001';
/** A member whose OU path the estate read did not give. */
const NO_PATH = '700000000001';
const ORG = 'o-a1b2c3d4e5';
const MANAGEMENT = '999988887777';
const BUCKET = 'fleet-logs';
const TRAIL = `arn:aws:cloudtrail:us-east-1:${KEY_ACCOUNT}:trail/fleet`;
const KEY = `arn:aws:kms:us-east-1:${KEY_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

const keyPolicy = {
  ...KMS_DEFAULT_POLICY,
  Statement: [
    ...KMS_DEFAULT_POLICY.Statement,
    {
      Sid: 'OrganizationDecrypts',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
    },
    {
      Sid: 'NamedAuditor',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${NAMED}:role/Auditor` },
      Action: 'kms:Decrypt',
      Resource: '*',
    },
    {
      Sid: 'OneCallerAccount',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': CALLER } },
    },
  ],
};

const bucketPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'OrganizationReads',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/*`,
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
    },
  ],
};

const roles = [
  { name: 'Admin', managed: [managedArn('AdministratorAccess')] },
  { name: 'ReadOnly', managed: [managedArn('ReadOnlyAccess')] },
  {
    name: 'Bounded',
    managed: [managedArn('AdministratorAccess')],
    boundary: managedArn('ReadOnlyAccess'),
  },
  { name: 'Auditor', managed: [managedArn('AdministratorAccess')] },
];

const accountIds = [
  KEY_ACCOUNT,
  NAMED,
  CALLER,
  ...PROD,
  ...NON_PROD,
  OUTSIDE,
  NO_PATH,
];

function fleet(accounts = accountIds): ReaderAnalysisInput {
  const members = accountIds.filter(id => id !== OUTSIDE);
  return {
    trail: {
      trailArn: TRAIL,
      ownerAccountId: KEY_ACCOUNT,
      isOrganizationTrail: false,
      s3BucketName: BUCKET,
      bucketRegion: 'us-east-1',
    },
    key: { arn: KEY, accountId: KEY_ACCOUNT, policy: keyPolicy },
    bucket: { ownerAccountId: KEY_ACCOUNT, policy: bucketPolicy },
    organizationId: ORG,
    organization: {
      organizationId: ORG,
      managementAccountId: MANAGEMENT,
      memberAccountIds: members,
      parentsByAccount: Object.fromEntries(
        members
          .filter(id => id !== NO_PATH)
          .map(id => [
            id,
            NON_PROD.includes(id)
              ? ['r-ab12', 'ou-nonprod']
              : ['r-ab12', 'ou-prod'],
          ]),
      ),
      policies: [
        {
          id: 'p-FullAWSAccess',
          type: 'SCP',
          document: FULL_ACCESS,
          // Not attached to the account whose path is unknown: no level of
          // it is known to carry an SCP.
          targetIds: [
            'r-ab12',
            'ou-prod',
            'ou-nonprod',
            ...members.filter(id => id !== NO_PATH),
          ],
        },
        {
          id: 'p-nodecrypt',
          type: 'SCP',
          document: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' },
            ],
          },
          targetIds: ['ou-nonprod'],
        },
        {
          // Attached to one production account itself.
          id: 'p-nodecrypt-account',
          type: 'SCP',
          document: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' },
            ],
          },
          targetIds: [PROD[2]],
        },
      ],
    },
    accounts: accounts.map(accountId => ({
      accountId,
      details: authorizationDetails(accountId, { roles }),
    })),
  };
}

const verdicts = (result: ReturnType<typeof analyzeReaders>) =>
  [
    ...result.readers.readers.map(r => ({ ...r, lacks: 'nothing' })),
    ...result.readers.partial,
  ]
    .map(r => JSON.stringify(r))
    .sort();

describe('analyzeReaders: principals alike across a fleet', () => {
  it('decides each principal as it does when its account is analysed alone', () => {
    const together = verdicts(analyzeReaders(fleet()));
    const alone = accountIds
      .flatMap(id => verdicts(analyzeReaders(fleet([id]))))
      .sort();
    expect(together).toEqual(alone);
  });

  it('decides alike when a scan analyses the fleet in batches of accounts', () => {
    // As a scan does: the same documents, a few accounts at a time.
    const whole = fleet();
    const batched = [
      accountIds.slice(0, 4),
      accountIds.slice(4, 7),
      accountIds.slice(7),
    ]
      .flatMap(ids =>
        verdicts(
          analyzeReaders({
            ...whole,
            accounts: whole.accounts.filter(a => ids.includes(a.accountId)),
          }),
        ),
      )
      .sort();
    const alone = accountIds
      .flatMap(id => verdicts(analyzeReaders(fleet([id]))))
      .sort();
    expect(batched).toEqual(alone);
  });

  it('still tells apart the principals and accounts the policies tell apart', () => {
    const result = analyzeReaders(fleet());
    const lacks = (accountId: string, role: string) => {
      const arn = `arn:aws:iam::${accountId}:role/${role}`;
      if (result.readers.readers.some(r => r.principal === arn))
        return 'nothing';
      return result.readers.partial.find(p => p.principal === arn)?.lacks;
    };
    // Members decrypt through the organization statement and read through
    // the bucket's: their administrators read the logs.
    for (const id of [PROD[0], PROD[1], NAMED, CALLER, NO_PATH]) {
      expect(lacks(id, 'Admin')).toBe('nothing');
      // The boundary leaves Decrypt out.
      expect(lacks(id, 'Bounded')).toBe('kms:Decrypt');
    }
    // The non-production OU's SCP denies Decrypt to every principal there.
    for (const id of NON_PROD) expect(lacks(id, 'Admin')).toBe('kms:Decrypt');
    // So does the SCP attached to one production account.
    expect(lacks(PROD[2], 'Admin')).toBe('kms:Decrypt');
    // Outside the organization: no statement of the key lets it in.
    expect(lacks(OUTSIDE, 'Admin')).toBeUndefined();
    // The auditor named by ARN carries its own statement in its path.
    const auditor = result.readers.readers.find(
      r => r.principal === `arn:aws:iam::${NAMED}:role/Auditor`,
    );
    expect(auditor?.via.map(s => s.statement)).toContain('NamedAuditor');
    const otherAuditor = result.readers.readers.find(
      r => r.principal === `arn:aws:iam::${PROD[0]}:role/Auditor`,
    );
    expect(otherAuditor?.via.map(s => s.statement)).not.toContain(
      'NamedAuditor',
    );
    // The account a condition names has that statement in its path too.
    const caller = result.readers.readers.find(
      r => r.principal === `arn:aws:iam::${CALLER}:role/Admin`,
    );
    expect(caller?.via.map(s => s.statement)).toContain('OneCallerAccount');
    const prod = result.readers.readers.find(
      r => r.principal === `arn:aws:iam::${PROD[0]}:role/Admin`,
    );
    expect(prod?.via.map(s => s.statement)).not.toContain('OneCallerAccount');
  });
});
