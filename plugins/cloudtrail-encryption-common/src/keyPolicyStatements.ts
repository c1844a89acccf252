import { AWS_PARTITIONS, AwsPartition, parseArn } from './arn';

/**
 * The key-policy statements CloudTrail needs, in the form the CloudTrail
 * console writes them (AWS CloudTrail User Guide, "Configure AWS KMS key
 * policies for CloudTrail"). Pure and browser-safe: the remediation actions,
 * the card's remediation steps and the sandbox's scenarios all build the
 * same documents from here.
 */

/**
 * JSON as policy documents hold it.
 *
 * @public
 */
export type PolicyJson =
  | string
  | number
  | boolean
  | null
  | PolicyJson[]
  | PolicyJsonMap;

/** @public */
export type PolicyJsonMap = { [key: string]: PolicyJson };

/**
 * One key-policy statement. Every statement built here has `Effect`,
 * `Principal`, `Action` and `Resource: "*"` (a key policy's only resource is
 * the key itself).
 *
 * @public
 */
export type KeyPolicyStatement = PolicyJsonMap;

/**
 * A key-policy document (`Version`, optional `Id`, `Statement`).
 *
 * @public
 */
export type KeyPolicyDocument = PolicyJsonMap & {
  Version: string;
  Statement: KeyPolicyStatement[];
};

/**
 * CloudTrail's service principal. It is the same name in the commercial,
 * China and GovCloud partitions.
 *
 * @public
 */
export const CLOUDTRAIL_SERVICE_PRINCIPAL = 'cloudtrail.amazonaws.com';

/**
 * The condition keys and actions the CloudTrail statements use.
 *
 * @public
 */
export const CLOUDTRAIL_KEY_POLICY = {
  sourceArnKey: 'aws:SourceArn',
  encryptionContextKey: 'kms:EncryptionContext:aws:cloudtrail:arn',
  callerAccountKey: 'kms:CallerAccount',
  encryptAction: 'kms:GenerateDataKey*',
  describeAction: 'kms:DescribeKey',
  decryptActions: ['kms:Decrypt', 'kms:ReEncryptFrom'] as readonly string[],
} as const;

/**
 * The Sids the CloudTrail console gives these statements.
 *
 * @public
 */
export const CONSOLE_KEY_POLICY_SIDS = {
  admin: 'Enable IAM User Permissions',
  encrypt: 'Allow CloudTrail to encrypt logs',
  describe: 'Allow CloudTrail to describe key',
  decrypt: 'Allow principals to decrypt log files',
} as const;

const POLICY_VERSION = '2012-10-17';

/**
 * IAM writes one value as a string and several as a list.
 *
 * @public
 */
export function oneOrMany(values: readonly string[]): string | string[] {
  return values.length === 1 ? values[0] : [...values];
}

/**
 * `arn:<partition>:iam::<account>:root`: the account principal, meaning
 * "IAM principals of that account whose IAM policies allow it".
 *
 * @public
 */
export function accountRootArn(
  partition: AwsPartition,
  accountId: string,
): string {
  assertPartition(partition);
  assertAccountId(accountId);
  return `arn:${partition}:iam::${accountId}:root`;
}

/**
 * The trail's owner account, from its ARN
 * (`arn:partition:cloudtrail:region:ACCOUNT:trail/name`). Throws when the
 * value is not a trail ARN.
 *
 * @public
 */
export function trailOwnerAccountId(trailArn: string): string {
  return trailArnParts(trailArn).accountId;
}

/**
 * The trails a CloudTrail statement is for.
 *
 * - `trailArns`: trails of one or several accounts. Each is named in
 *   `aws:SourceArn`; the encryption-context pattern accepts their owners.
 * - `orgTrail`: an organization trail's ARN. Its owner is the management
 *   account (events of every member account carry that trail's ARN as the
 *   encryption context), whatever account holds the key.
 *
 * @public
 */
export interface CloudTrailTrailsOptions {
  /** Partition of the trails; defaults to the partition of their ARNs. */
  partition?: AwsPartition;
  trailArns?: readonly string[];
  orgTrail?: string;
  /**
   * Accounts whose trails the encryption-context pattern accepts; defaults
   * to the owners of the trails.
   */
  trailAccounts?: readonly string[];
  /**
   * What `aws:SourceArn` names; defaults to the trails. `false` leaves the
   * condition out (the pattern alone then limits the statement).
   */
  sourceArns?: readonly string[] | false;
}

/** @public */
export interface CloudTrailStatementOptions extends CloudTrailTrailsOptions {
  sid?: string;
}

/**
 * `arn:<partition>:cloudtrail:*:<account>:trail/*` for each trail owner, the
 * value CloudTrail's encryption context is matched against.
 *
 * @public
 */
export function cloudTrailEncryptionContextPatterns(
  options: CloudTrailTrailsOptions,
): string[] {
  const { partition, accounts } = resolveTrails(options);
  return accounts.map(a => `arn:${partition}:cloudtrail:*:${a}:trail/*`);
}

/**
 * The account root may do everything with the key, so IAM policies of the
 * account keep working and the key cannot be locked out.
 *
 * @public
 */
export function rootDelegationStatement(
  partition: AwsPartition,
  accountId: string,
  sid: string = CONSOLE_KEY_POLICY_SIDS.admin,
): KeyPolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: accountRootArn(partition, accountId) },
    Action: 'kms:*',
    Resource: '*',
  };
}

/**
 * CloudTrail may generate data keys for the trails' log files: limited to
 * the trails by `aws:SourceArn` and to their owners' encryption context.
 *
 * @public
 */
export function cloudTrailEncryptStatement(
  options: CloudTrailStatementOptions,
): KeyPolicyStatement {
  const resolved = resolveTrails(options);
  const condition: PolicyJsonMap = {};
  if (resolved.sourceArns.length > 0) {
    condition.StringEquals = {
      [CLOUDTRAIL_KEY_POLICY.sourceArnKey]: oneOrMany(resolved.sourceArns),
    };
  }
  condition.StringLike = {
    [CLOUDTRAIL_KEY_POLICY.encryptionContextKey]: oneOrMany(
      cloudTrailEncryptionContextPatterns(options),
    ),
  };
  return {
    Sid: options.sid ?? CONSOLE_KEY_POLICY_SIDS.encrypt,
    Effect: 'Allow',
    Principal: { Service: CLOUDTRAIL_SERVICE_PRINCIPAL },
    Action: CLOUDTRAIL_KEY_POLICY.encryptAction,
    Resource: '*',
    Condition: condition,
  };
}

/**
 * CloudTrail may describe the key (it checks the key when a trail is
 * updated). With trails or `sourceArns`, limited to them by `aws:SourceArn`;
 * with neither, unconditional, as older console policies are.
 *
 * @public
 */
export function cloudTrailDescribeStatement(
  options: CloudTrailStatementOptions = {},
): KeyPolicyStatement {
  const hasTrails =
    (options.trailArns?.length ?? 0) > 0 ||
    !!options.orgTrail ||
    (Array.isArray(options.sourceArns) && options.sourceArns.length > 0);
  const sourceArns = hasTrails ? resolveTrails(options).sourceArns : [];
  const statement: KeyPolicyStatement = {
    Sid: options.sid ?? CONSOLE_KEY_POLICY_SIDS.describe,
    Effect: 'Allow',
    Principal: { Service: CLOUDTRAIL_SERVICE_PRINCIPAL },
    Action: CLOUDTRAIL_KEY_POLICY.describeAction,
    Resource: '*',
  };
  if (sourceArns.length > 0) {
    statement.Condition = {
      StringEquals: {
        [CLOUDTRAIL_KEY_POLICY.sourceArnKey]: oneOrMany(sourceArns),
      },
    };
  }
  return statement;
}

/** @public */
export interface DecryptStatementOptions {
  sid?: string;
  /** Principal ARNs (an account is its root ARN). */
  readers: readonly string[];
  /** Defaults to `kms:Decrypt` and `kms:ReEncryptFrom`. */
  actions?: readonly string[];
}

/**
 * The named readers may decrypt CloudTrail log files only: the `Null` check
 * requires CloudTrail's encryption context, as the console does.
 *
 * @public
 */
export function decryptStatement(
  options: DecryptStatementOptions,
): KeyPolicyStatement {
  if (options.readers.length === 0) {
    throw new Error('a decrypt statement needs at least one reader');
  }
  for (const reader of options.readers) {
    if (!parseArn(reader)) {
      throw new Error(`decrypt reader "${reader}" is not an ARN`);
    }
  }
  const actions = options.actions ?? CLOUDTRAIL_KEY_POLICY.decryptActions;
  return {
    Sid: options.sid ?? CONSOLE_KEY_POLICY_SIDS.decrypt,
    Effect: 'Allow',
    Principal: { AWS: oneOrMany(options.readers) },
    Action: actions.length === 1 ? actions[0] : [...actions],
    Resource: '*',
    Condition: {
      Null: { [CLOUDTRAIL_KEY_POLICY.encryptionContextKey]: 'false' },
    },
  };
}

/** @public */
export interface AccountDecryptStatementOptions
  extends CloudTrailTrailsOptions {
  sid: string;
  /** The account whose principals may decrypt (`kms:CallerAccount`). */
  callerAccountId: string;
}

/**
 * Every principal of one account may decrypt the trails' log files (the
 * console's "Allow principals in the account to decrypt log files"):
 * `Principal: {"AWS": "*"}` narrowed by `kms:CallerAccount` and the
 * encryption-context pattern.
 *
 * @public
 */
export function accountDecryptStatement(
  options: AccountDecryptStatementOptions,
): KeyPolicyStatement {
  assertAccountId(options.callerAccountId);
  return {
    Sid: options.sid,
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: [...CLOUDTRAIL_KEY_POLICY.decryptActions],
    Resource: '*',
    Condition: {
      StringEquals: {
        [CLOUDTRAIL_KEY_POLICY.callerAccountKey]: options.callerAccountId,
      },
      StringLike: {
        [CLOUDTRAIL_KEY_POLICY.encryptionContextKey]: oneOrMany(
          cloudTrailEncryptionContextPatterns(options),
        ),
      },
    },
  };
}

/** @public */
export interface ConsoleStyleKeyPolicyOptions extends CloudTrailTrailsOptions {
  /** The account that holds the key (its root administers the key). */
  keyAccountId: string;
  /** Principal ARNs that may decrypt log files; none leaves the statement out. */
  readers?: readonly string[];
  /** The document's `Id`. */
  id?: string;
  /** Limit DescribeKey to the trails too (default true). */
  describeBySourceArn?: boolean;
  sids?: Partial<Record<keyof typeof CONSOLE_KEY_POLICY_SIDS, string>>;
}

/**
 * The policy of a CloudTrail key as the CloudTrail console creates it: the
 * key account's root administers the key, CloudTrail may encrypt for the
 * trails and describe the key, and the readers may decrypt log files only.
 * Works for single-account trails and for an organization trail whose key
 * sits in another account (`orgTrail` + `keyAccountId`).
 *
 * @public
 */
export function consoleStyleCloudTrailKeyPolicy(
  options: ConsoleStyleKeyPolicyOptions,
): KeyPolicyDocument {
  const { partition } = resolveTrails(options);
  const sids = { ...CONSOLE_KEY_POLICY_SIDS, ...options.sids };
  const statements: KeyPolicyStatement[] = [
    rootDelegationStatement(partition, options.keyAccountId, sids.admin),
    cloudTrailEncryptStatement({ ...options, partition, sid: sids.encrypt }),
    options.describeBySourceArn === false
      ? cloudTrailDescribeStatement({ sid: sids.describe })
      : cloudTrailDescribeStatement({
          ...options,
          partition,
          sid: sids.describe,
        }),
  ];
  if (options.readers && options.readers.length > 0) {
    statements.push(
      decryptStatement({ sid: sids.decrypt, readers: options.readers }),
    );
  }
  return {
    Version: POLICY_VERSION,
    ...(options.id ? { Id: options.id } : {}),
    Statement: statements,
  };
}

function trailArnParts(trailArn: string) {
  const arn = parseArn(trailArn);
  if (
    !arn ||
    arn.service !== 'cloudtrail' ||
    !/^\d{12}$/.test(arn.accountId) ||
    !arn.resource.startsWith('trail/')
  ) {
    throw new Error(
      `"${trailArn}" is not a CloudTrail trail ARN (arn:<partition>:cloudtrail:<region>:<account>:trail/<name>)`,
    );
  }
  return arn;
}

function assertPartition(partition: string): asserts partition is AwsPartition {
  if (!AWS_PARTITIONS.includes(partition as AwsPartition)) {
    throw new Error(
      `unknown partition "${partition}"; expected one of ${AWS_PARTITIONS.join(
        ', ',
      )}`,
    );
  }
}

function assertAccountId(accountId: string) {
  if (!/^\d{12}$/.test(accountId)) {
    throw new Error(`"${accountId}" is not a 12-digit AWS account id`);
  }
}

function resolveTrails(options: CloudTrailTrailsOptions): {
  partition: AwsPartition;
  accounts: string[];
  sourceArns: string[];
} {
  const trails = [
    ...(options.trailArns ?? []),
    ...(options.orgTrail ? [options.orgTrail] : []),
  ];
  const parts = trails.map(trailArnParts);
  const partitions = new Set(parts.map(p => p.partition));
  if (options.partition) partitions.add(options.partition);
  if (partitions.size > 1) {
    throw new Error(
      `trails of different partitions cannot share a key: ${[
        ...partitions,
      ].join(', ')}`,
    );
  }
  const partition = [...partitions][0];
  if (!partition) {
    throw new Error(
      'name the trails (trailArns or orgTrail) or the partition and trailAccounts',
    );
  }
  assertPartition(partition);
  const accounts = [
    ...new Set(options.trailAccounts ?? parts.map(p => p.accountId)),
  ];
  accounts.forEach(assertAccountId);
  if (accounts.length === 0) {
    throw new Error('name at least one trail or trail account');
  }
  const sourceArns =
    options.sourceArns === false ? [] : [...(options.sourceArns ?? trails)];
  return { partition, accounts, sourceArns };
}
