/**
 * Key policies as AWS documents them, parameterised by account and trail.
 * Kept verbatim in shape (Sids, condition operators, list-vs-string) since
 * the evaluation must handle exactly what real keys carry.
 */
import type { KeyPolicyContext } from '../requestContext';

export const OWNER = '111111111111';
export const OTHER = '222222222222';
export const ORG_ID = 'o-a1b2c3d4e5';
export const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${OWNER}:trail/management-events`;
export const KEY_ARN = `arn:aws:kms:us-east-1:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

export const CONTEXT: KeyPolicyContext = {
  trailArn: TRAIL_ARN,
  trailOwnerAccountId: OWNER,
  keyArn: KEY_ARN,
  keyAccountId: OWNER,
};

/** The policy the CloudTrail console attaches to a key it creates for a trail. */
export function consoleDefaultPolicy(account = OWNER, trailArn = TRAIL_ARN) {
  return {
    Version: '2012-10-17',
    Id: 'Key policy created by CloudTrail',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: {
          AWS: [
            `arn:aws:iam::${account}:root`,
            `arn:aws:iam::${account}:user/username`,
          ],
        },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'Allow CloudTrail to encrypt logs',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceArn': trailArn },
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${account}:trail/*`,
          },
        },
      },
      {
        Sid: 'Allow CloudTrail to describe key',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:DescribeKey',
        Resource: '*',
      },
      {
        Sid: 'Allow principals in the account to decrypt log files',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:CallerAccount': account },
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${account}:trail/*`,
          },
        },
      },
      {
        Sid: 'Allow alias creation during setup',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:CreateAlias',
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:ViaService': 'ec2.us-east-1.amazonaws.com',
            'kms:CallerAccount': account,
          },
        },
      },
      {
        Sid: 'Enable cross account log decryption',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:CallerAccount': account },
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${account}:trail/*`,
          },
        },
      },
    ],
  };
}

/** The default key policy KMS gives a key created outside CloudTrail. */
export const KMS_DEFAULT_POLICY = {
  Version: '2012-10-17',
  Id: 'key-default-1',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${OWNER}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

/**
 * The CloudTrail guide's cross-account example: the key owner lets CloudTrail
 * encrypt for two accounts, lets account 222222222222 decrypt through IAM,
 * and names a reader role.
 */
export const DOCS_CROSS_ACCOUNT_POLICY = {
  Version: '2012-10-17',
  Statement: [
    KMS_DEFAULT_POLICY.Statement[0],
    {
      Sid: 'Enable CloudTrail Encrypt Permissions',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: {
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': [
            `arn:aws:cloudtrail:*:${OWNER}:trail/*`,
            `arn:aws:cloudtrail:*:${OTHER}:trail/*`,
          ],
        },
      },
    },
    {
      Sid: 'Allow CloudTrail access',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
    },
    {
      Sid: 'Enable encrypted CloudTrail log read access',
      Effect: 'Allow',
      Principal: { AWS: [`arn:aws:iam::${OTHER}:root`] },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' },
      },
    },
    {
      Sid: 'Enable CloudTrail log decrypt permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${OWNER}:role/CloudTrailReadRole` },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' },
      },
    },
  ],
};

export const MANAGEMENT = '999988887777';
export const ORG_TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/org-trail`;
export const ORG_KEY_ARN = `arn:aws:kms:us-east-1:${MANAGEMENT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`;

export const ORG_CONTEXT: KeyPolicyContext = {
  trailArn: ORG_TRAIL_ARN,
  trailOwnerAccountId: MANAGEMENT,
  keyArn: ORG_KEY_ARN,
  keyAccountId: MANAGEMENT,
};

/**
 * An organization trail's key, as the CloudTrail guide describes it: the
 * management account's trail pattern in the encryption context, the trail
 * ARN in aws:SourceArn, and decryption for the organization's principals.
 */
export const ORG_TRAIL_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
    {
      Sid: 'Allow CloudTrail to encrypt logs',
      Effect: 'Allow',
      Principal: { Service: ['cloudtrail.amazonaws.com'] },
      Action: 'kms:GenerateDataKey*',
      Resource: ORG_KEY_ARN,
      Condition: {
        StringEquals: { 'aws:SourceArn': ORG_TRAIL_ARN },
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${MANAGEMENT}:trail/*`,
        },
      },
    },
    {
      Sid: 'Allow CloudTrail to describe key',
      Effect: 'Allow',
      Principal: { Service: ['cloudtrail.amazonaws.com'] },
      Action: 'kms:DescribeKey',
      Resource: ORG_KEY_ARN,
      Condition: { StringEquals: { 'aws:SourceArn': ORG_TRAIL_ARN } },
    },
    {
      Sid: 'Allow principals in the organization to decrypt log files',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
      Resource: ORG_KEY_ARN,
      Condition: {
        StringEquals: { 'aws:PrincipalOrgID': ORG_ID },
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${MANAGEMENT}:trail/*`,
        },
      },
    },
  ],
};

/** Wraps statements into a policy document. */
export function policyOf(...statements: object[]) {
  return { Version: '2012-10-17', Statement: statements };
}

export const ROOT_ADMIN = KMS_DEFAULT_POLICY.Statement[0];

export const CLOUDTRAIL_ENCRYPT = {
  Sid: 'Allow CloudTrail to encrypt logs',
  Effect: 'Allow',
  Principal: { Service: 'cloudtrail.amazonaws.com' },
  Action: 'kms:GenerateDataKey*',
  Resource: '*',
  Condition: {
    StringLike: {
      'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${OWNER}:trail/*`,
    },
  },
};

export const CLOUDTRAIL_DESCRIBE = {
  Sid: 'Allow CloudTrail to describe key',
  Effect: 'Allow',
  Principal: { Service: 'cloudtrail.amazonaws.com' },
  Action: 'kms:DescribeKey',
  Resource: '*',
};

/** A decrypt statement for the given principal element, limited to this account's trails. */
export function decryptFor(
  principal: unknown,
  extra: Record<string, unknown> = {},
  sid = 'Decrypt',
) {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: principal,
    Action: 'kms:Decrypt',
    Resource: '*',
    ...extra,
  };
}
