/**
 * Key policies as AWS documents them for CloudTrail, with switches that
 * produce the misconfigurations TrailGuard reports. The CloudTrail
 * statements come from the product's shared builders; the evaluator that
 * judges them (../policy.ts) stays independent of the product on purpose.
 */
import {
  accountDecryptStatement,
  cloudTrailDescribeStatement,
  cloudTrailEncryptStatement,
  consoleStyleCloudTrailKeyPolicy,
  decryptStatement,
  KeyPolicyStatement,
  partitionOf,
  rootDelegationStatement,
} from '@trailguard/plugin-cloudtrail-encryption-common';

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

/** The policy the CloudTrail console creates for a new trail key. */
export function cloudTrailConsoleKeyPolicy(o: TrailKeyPolicyOptions) {
  const partition = partitionOf(o.trailArn) ?? 'aws';
  const trails = { partition, trailAccounts: [o.trailAccount ?? o.account] };
  const statements: KeyPolicyStatement[] = [
    rootDelegationStatement(partition, o.account),
  ];
  if (!o.omitGenerateDataKey) {
    statements.push(
      cloudTrailEncryptStatement({ ...trails, sourceArns: [o.trailArn] }),
    );
  }
  if (!o.omitDescribeKey) {
    statements.push(cloudTrailDescribeStatement());
  }
  statements.push(
    accountDecryptStatement({
      ...trails,
      sid: 'Allow principals in the account to decrypt log files',
      callerAccountId: o.account,
    }),
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
    accountDecryptStatement({
      ...trails,
      sid: 'Enable cross account log decryption',
      callerAccountId: o.account,
    }),
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
  const policy = consoleStyleCloudTrailKeyPolicy({
    keyAccountId: o.keyAccount,
    orgTrail: o.trailArn,
    trailAccounts: [o.managementAccount],
    describeBySourceArn: false,
    id: 'Key policy for the organization trail',
  });
  policy.Statement.push(
    decryptStatement({
      sid: 'Allow log archive readers to decrypt log files',
      readers: [o.readerRoleArn],
      actions: ['kms:Decrypt'],
    }),
  );
  return policy;
}
