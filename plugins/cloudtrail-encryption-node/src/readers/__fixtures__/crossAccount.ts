/**
 * The documentation's cross-account log-reading example as a whole estate:
 * the key and bucket in A, readers in B, an account outside the
 * organization, one not scanned and one whose IAM cannot be read.
 */
import { DOCS_CROSS_ACCOUNT_POLICY } from '../../analysis/__fixtures__/keyPolicies';
import type { OrganizationPolicies, ReaderAnalysisInput } from '../types';
import {
  authorizationDetails,
  managedArn,
  ssoTrust,
  trustAccount,
} from './iam';

export const A = '111111111111';
export const B = '222222222222';
export const OUTSIDE = '333333333333';
export const UNSCANNED = '444444444444';
export const DENIED = '555555555555';
export const MANAGEMENT = '999988887777';
export const ORG = 'o-a1b2c3d4e5';
export const BUCKET = 'trail-logs';
export const TRAIL = `arn:aws:cloudtrail:us-east-1:${A}:trail/management-events`;
export const KEY = `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const LOGS = `arn:aws:s3:::${BUCKET}/AWSLogs/*`;

export const readLogs = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Logs', Effect: 'Allow', Action: 's3:GetObject', Resource: LOGS },
    { Sid: 'Key', Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY },
  ],
};

export const keyPolicy = {
  ...DOCS_CROSS_ACCOUNT_POLICY,
  Statement: [
    ...DOCS_CROSS_ACCOUNT_POLICY.Statement,
    {
      Sid: 'Partners',
      Effect: 'Allow',
      Principal: { AWS: [`arn:aws:iam::${OUTSIDE}:root`, UNSCANNED] },
      Action: 'kms:Decrypt',
      Resource: '*',
    },
  ],
};

export const bucketPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AWSCloudTrailWrite',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/${A}/*`,
    },
    {
      Sid: 'Readers',
      Effect: 'Allow',
      Principal: {
        AWS: [
          `arn:aws:iam::${B}:role/LogReader`,
          `arn:aws:iam::${OUTSIDE}:root`,
          `arn:aws:iam::${UNSCANNED}:root`,
        ],
      },
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
    },
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
};

export const FULL_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

export function organization(extra: OrganizationPolicies['policies'] = []) {
  return {
    organizationId: ORG,
    managementAccountId: MANAGEMENT,
    memberAccountIds: [A, B, DENIED],
    parentsByAccount: {
      [A]: ['r-ab12', 'ou-ab12-logs'],
      [B]: ['r-ab12', 'ou-ab12-security'],
    },
    policies: [
      {
        id: 'p-FullAWSAccess',
        type: 'SCP' as const,
        name: 'FullAWSAccess',
        document: FULL_ACCESS,
        targetIds: ['r-ab12', 'ou-ab12-logs', 'ou-ab12-security', A, B],
      },
      ...extra,
    ],
  };
}

export function input(
  encode = (d: object) => d as unknown,
  overrides: Partial<ReaderAnalysisInput> = {},
): ReaderAnalysisInput {
  return {
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
      {
        accountId: A,
        accountName: 'log-archive',
        details: authorizationDetails(
          A,
          {
            roles: [
              {
                name: 'CloudTrailReadRole',
                inline: {
                  Objects: {
                    Version: '2012-10-17',
                    Statement: [
                      {
                        Effect: 'Allow',
                        Action: 's3:GetObject',
                        Resource: LOGS,
                      },
                    ],
                  },
                },
              },
              {
                name: 'AWSReservedSSO_SecurityAudit_0123456789abcdef',
                path: '/aws-reserved/sso.amazonaws.com/',
                managed: [managedArn('AdministratorAccess')],
                trust: ssoTrust(A),
              },
              {
                name: 'Open',
                managed: [managedArn('AdministratorAccess')],
                trust: {
                  Version: '2012-10-17',
                  Statement: [
                    {
                      Effect: 'Allow',
                      Principal: { AWS: '*' },
                      Action: 'sts:AssumeRole',
                      Condition: { StringEquals: { 'sts:ExternalId': 'x' } },
                    },
                  ],
                },
              },
              {
                name: 'Vendor',
                managed: [managedArn('AdministratorAccess')],
                trust: trustAccount(OUTSIDE),
              },
            ],
          },
          encode,
        ),
      },
      {
        accountId: B,
        accountName: 'security',
        details: authorizationDetails(
          B,
          {
            roles: [
              { name: 'LogReader', inline: { ReadLogs: readLogs } },
              { name: 'Unlisted', inline: { ReadLogs: readLogs } },
              { name: 'NoIam' },
            ],
            users: [{ name: 'auditor', groups: ['Auditors'] }],
            groups: [{ name: 'Auditors', inline: { ReadLogs: readLogs } }],
          },
          encode,
        ),
      },
      {
        accountId: OUTSIDE,
        details: authorizationDetails(
          OUTSIDE,
          { roles: [{ name: 'External', inline: { ReadLogs: readLogs } }] },
          encode,
        ),
      },
      {
        accountId: DENIED,
        accountName: 'sandbox',
        error:
          'AccessDenied: User: arn:aws:sts::555555555555:assumed-role/TrailGuardScan/s is not authorized to perform: iam:GetAccountAuthorizationDetails',
      },
    ],
    organization: organization(),
    ...overrides,
  };
}
