import { KMS_DEFAULT_POLICY } from '../analysis/__fixtures__/keyPolicies';
import { analyzeReaders } from './analyze';
import { ADMINISTRATOR_ACCESS, authorizationDetails } from './__fixtures__/iam';
import { A, BUCKET, KEY, TRAIL } from './__fixtures__/singleAccount';
import type { ReaderAnalysisInput } from './types';

// A key that lets every AWS account decrypt: each account's administrators
// hold the KMS half. Only the S3 half keeps them from reading.
const NAMED = '222222222222';
const OTHERS = ['300000000001', '300000000002', '300000000003', '300000000004'];

const openKeyPolicy = {
  ...KMS_DEFAULT_POLICY,
  Statement: [
    ...KMS_DEFAULT_POLICY.Statement,
    {
      Sid: 'AnyoneDecrypts',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'kms:Decrypt',
      Resource: '*',
    },
    {
      Sid: 'Auditor',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${NAMED}:role/Auditor` },
      Action: 'kms:Decrypt',
      Resource: '*',
    },
  ],
};

const admin = { name: 'Admin', inline: { admin: ADMINISTRATOR_ACCESS } };

function input(
  bucketPolicy: object | null,
  extra: Partial<ReaderAnalysisInput> = {},
): ReaderAnalysisInput {
  return {
    trail: {
      trailArn: TRAIL,
      ownerAccountId: A,
      isOrganizationTrail: false,
      s3BucketName: BUCKET,
      bucketRegion: 'us-east-1',
    },
    key: { arn: KEY, accountId: A, policy: openKeyPolicy },
    bucket: { ownerAccountId: A, policy: bucketPolicy },
    accounts: [
      { accountId: A, details: authorizationDetails(A, { roles: [admin] }) },
      {
        accountId: NAMED,
        details: authorizationDetails(NAMED, {
          roles: [
            admin,
            { name: 'Auditor', inline: { admin: ADMINISTRATOR_ACCESS } },
          ],
        }),
      },
      ...OTHERS.map(accountId => ({
        accountId,
        details: authorizationDetails(accountId, { roles: [admin] }),
      })),
    ],
    ...extra,
  };
}

const principals = (list: Array<{ principal: string }>) =>
  list.map(r => r.principal).sort();

describe('analyzeReaders: a key open to every account', () => {
  it('lists every partial reader up to the limit', () => {
    const { readers } = analyzeReaders(input(null));
    expect(principals(readers.readers)).toEqual([
      `arn:aws:iam::${A}:role/Admin`,
    ]);
    expect(readers.partial).toHaveLength(2 + OTHERS.length);
    expect(readers.partial.every(p => p.lacks === 's3:GetObject')).toBe(true);
    expect(readers.partialOmitted).toBeUndefined();
  });

  it('keeps the named principals and accounts, and counts the rest beyond the limit', () => {
    const { readers } = analyzeReaders(input(null, { partialLimit: 1 }));
    const listed = principals(readers.partial);
    // The named role's account stays whole; one other account's admin fits.
    expect(listed).toEqual(
      expect.arrayContaining([
        `arn:aws:iam::${NAMED}:role/Admin`,
        `arn:aws:iam::${NAMED}:role/Auditor`,
      ]),
    );
    expect(listed).toHaveLength(3);
    expect(readers.partialOmitted).toBe(OTHERS.length - 1);
    expect(principals(readers.readers)).toEqual([
      `arn:aws:iam::${A}:role/Admin`,
    ]);
  });

  it('still names a reader of another account that the bucket policy lets in', () => {
    const reader = OTHERS[2];
    const bucketPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Partner',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${reader}:root` },
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${BUCKET}/*`,
        },
      ],
    };
    const { readers } = analyzeReaders(
      input(bucketPolicy, { partialLimit: 0 }),
    );
    expect(principals(readers.readers)).toEqual([
      `arn:aws:iam::${A}:role/Admin`,
      `arn:aws:iam::${reader}:role/Admin`,
    ]);
    // The bucket policy names the partner's account: its partials would stay.
    expect(principals(readers.partial)).toEqual([
      `arn:aws:iam::${NAMED}:role/Admin`,
      `arn:aws:iam::${NAMED}:role/Auditor`,
    ]);
    expect(readers.partialOmitted).toBe(OTHERS.length - 1);
  });

  it('keeps a principal a statement names by ARN, whatever the statement allows', () => {
    // Key administration only: the admin's account is not let in to decrypt
    // as a whole, yet the policy names the role.
    const named = OTHERS[1];
    const policy = {
      ...openKeyPolicy,
      Statement: [
        ...openKeyPolicy.Statement,
        {
          Sid: 'KeyAdministrator',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${named}:role/Admin` },
          Action: 'kms:DescribeKey',
          Resource: '*',
        },
      ],
    };
    const { readers } = analyzeReaders({
      ...input(null, { partialLimit: 0 }),
      key: { arn: KEY, accountId: A, policy },
    });
    expect(principals(readers.partial)).toEqual([
      `arn:aws:iam::${NAMED}:role/Admin`,
      `arn:aws:iam::${NAMED}:role/Auditor`,
      `arn:aws:iam::${named}:role/Admin`,
    ]);
    expect(readers.partialOmitted).toBe(OTHERS.length - 1);
  });

  it('answers anew when the same documents come with the bucket policy unread', () => {
    // A scan analyses a trail in batches with the same documents; what it
    // keeps of them between batches must not outlive a change.
    const read = analyzeReaders(input(null));
    expect(read.readers.unresolved.map(u => u.accountId)).not.toContain('*');
    const unread = analyzeReaders({
      ...input(null),
      bucket: { ownerAccountId: A, policy: null, policyError: 'AccessDenied' },
    });
    expect(unread.readers.bucketPolicyError).toBe('AccessDenied');
    expect(unread.readers.unresolved.map(u => u.accountId)).toContain('*');
  });

  it('says nothing of partial readers it was not asked to bound', () => {
    const closed = {
      ...openKeyPolicy,
      Statement: openKeyPolicy.Statement.filter(
        s => s.Sid !== 'AnyoneDecrypts',
      ),
    };
    const { readers } = analyzeReaders({
      ...input(null, { partialLimit: 0 }),
      key: { arn: KEY, accountId: A, policy: closed },
    });
    expect(principals(readers.partial)).toEqual([
      `arn:aws:iam::${NAMED}:role/Auditor`,
    ]);
    expect(readers.partialOmitted).toBeUndefined();
  });
});
