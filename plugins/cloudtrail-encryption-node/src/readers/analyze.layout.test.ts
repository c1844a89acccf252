import { KMS_DEFAULT_POLICY } from '../analysis/__fixtures__/keyPolicies';
import { analyzeReaders } from './analyze';
import { authorizationDetails } from './__fixtures__/iam';
import {
  A,
  BUCKET,
  TRAIL,
  KEY,
  allow,
  readLogs,
  analyze,
  names,
  lacking,
} from './__fixtures__/singleAccount';

describe('analyzeReaders: the organization trail layout', () => {
  it('reads objects under AWSLogs/o-ORGID/ for an organization trail', () => {
    const org = 'o-a1b2c3d4e5';
    const result = analyze(
      [
        {
          name: 'OrgPrefix',
          inline: {
            p: allow(
              ['s3:GetObject', 'kms:Decrypt'],
              [`arn:aws:s3:::${BUCKET}/AWSLogs/${org}/*`, KEY],
            ),
          },
        },
        { name: 'AccountPrefix', inline: { p: readLogs } },
      ],
      {
        trail: {
          trailArn: TRAIL,
          ownerAccountId: A,
          isOrganizationTrail: true,
          s3BucketName: BUCKET,
          bucketRegion: 'us-east-1',
        },
        organizationId: org,
      },
    );
    expect(names(result.readers)).toEqual(['OrgPrefix']);
    expect(lacking(result)).toEqual({ AccountPrefix: 's3:GetObject' });
  });
});

describe('analyzeReaders: unconfirmed readers', () => {
  it('reports an outside reader that depends on undecided conditions as medium', () => {
    const OUTSIDE = '333333333333';
    const keyPolicy = {
      ...KMS_DEFAULT_POLICY,
      Statement: [
        ...KMS_DEFAULT_POLICY.Statement,
        {
          Sid: 'Partner',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${OUTSIDE}:root` },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
        },
      ],
    };
    const bucketPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Partner',
          Effect: 'Allow',
          Principal: { AWS: OUTSIDE },
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${BUCKET}/*`,
        },
      ],
    };
    const { readers, findings } = analyzeReaders({
      trail: {
        trailArn: TRAIL,
        ownerAccountId: A,
        isOrganizationTrail: false,
        s3BucketName: BUCKET,
        bucketRegion: 'us-east-1',
      },
      key: { arn: KEY, accountId: A, policy: keyPolicy },
      bucket: { ownerAccountId: A, policy: bucketPolicy },
      accounts: [
        { accountId: A, details: authorizationDetails(A, {}) },
        {
          accountId: OUTSIDE,
          details: authorizationDetails(OUTSIDE, {
            roles: [{ name: 'Partner', inline: { p: readLogs } }],
          }),
        },
      ],
      trustedAccountIds: [A],
    });
    expect(readers.readers).toEqual([
      expect.objectContaining({
        accountId: OUTSIDE,
        crossAccount: true,
        outsideOrganization: true,
        conditions: [
          {
            operator: 'IpAddress',
            key: 'aws:SourceIp',
            values: ['203.0.113.0/24'],
          },
        ],
      }),
    ]);
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'READER_OUTSIDE_ORGANIZATION',
        severity: 'medium',
        message: expect.stringMatching(/could not be confirmed/),
      }),
    ]);
  });
});
