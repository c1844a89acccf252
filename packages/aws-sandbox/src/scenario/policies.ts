/**
 * Key policies as AWS documents them for CloudTrail, with switches that
 * produce the misconfigurations TrailGuard reports.
 */

type Statement = Record<string, unknown>;

export interface TrailKeyPolicyOptions {
  /** The key's account. */
  account: string;
  region: string;
  /** The trail that uses the key (for aws:SourceArn). */
  trailArn: string;
  /** Account whose trails may encrypt with the key; defaults to `account`. */
  trailAccount?: string;
  omitGenerateDataKey?: boolean;
  omitDescribeKey?: boolean;
  /** Adds a Decrypt statement open to every principal, with no condition. */
  publicDecrypt?: boolean;
  /** Adds a Decrypt statement for a principal in another account. */
  crossAccountDecryptPrincipal?: string;
}

const root = (account: string) => `arn:aws:iam::${account}:root`;

/** The policy the CloudTrail console creates for a new trail key. */
export function cloudTrailConsoleKeyPolicy(o: TrailKeyPolicyOptions) {
  const trailAccount = o.trailAccount ?? o.account;
  const contextLike = {
    'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${trailAccount}:trail/*`,
  };
  const statements: Statement[] = [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: root(o.account) },
      Action: 'kms:*',
      Resource: '*',
    },
  ];
  if (!o.omitGenerateDataKey) {
    statements.push({
      Sid: 'Allow CloudTrail to encrypt logs',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceArn': o.trailArn },
        StringLike: contextLike,
      },
    });
  }
  if (!o.omitDescribeKey) {
    statements.push({
      Sid: 'Allow CloudTrail to describe key',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
    });
  }
  statements.push(
    {
      Sid: 'Allow principals in the account to decrypt log files',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:CallerAccount': o.account },
        StringLike: contextLike,
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
          'kms:ViaService': `ec2.${o.region}.amazonaws.com`,
          'kms:CallerAccount': o.account,
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
        StringEquals: { 'kms:CallerAccount': o.account },
        StringLike: contextLike,
      },
    },
  );
  if (o.publicDecrypt) {
    statements.push({
      Sid: 'Allow log readers to decrypt',
      Effect: 'Allow',
      Principal: '*',
      Action: 'kms:Decrypt',
      Resource: '*',
    });
  }
  if (o.crossAccountDecryptPrincipal) {
    statements.push({
      Sid: 'Allow external auditors to decrypt log files',
      Effect: 'Allow',
      Principal: { AWS: o.crossAccountDecryptPrincipal },
      Action: 'kms:Decrypt',
      Resource: '*',
    });
  }
  return {
    Version: '2012-10-17',
    Id: 'Key policy created by CloudTrail',
    Statement: statements,
  };
}

/** The documented policy for a central key used by an organization trail. */
export function organizationTrailKeyPolicy(o: {
  keyAccount: string;
  managementAccount: string;
  trailArn: string;
  readerRoleArn: string;
}) {
  return {
    Version: '2012-10-17',
    Id: 'Key policy for the organization trail',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: root(o.keyAccount) },
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
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${o.managementAccount}:trail/*`,
          },
          StringEquals: { 'aws:SourceArn': o.trailArn },
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
        Sid: 'Allow log archive readers to decrypt log files',
        Effect: 'Allow',
        Principal: { AWS: o.readerRoleArn },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: {
          Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' },
        },
      },
    ],
  };
}
