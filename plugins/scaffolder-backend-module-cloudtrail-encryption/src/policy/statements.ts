/**
 * The key-policy statements CloudTrail needs, in the form the CloudTrail
 * console writes them (AWS CloudTrail User Guide, "Configure AWS KMS key
 * policies for CloudTrail"), narrowed to the trails being remediated with
 * aws:SourceArn.
 */

/** JSON as policies hold it (kept local: only plain JSON values). */
export type Json = string | number | boolean | null | Json[] | JsonMap;
export type JsonMap = { [key: string]: Json };
export type PolicyStatement = JsonMap;

export const CLOUDTRAIL_SERVICE = 'cloudtrail.amazonaws.com';
export const SOURCE_ARN_KEY = 'aws:SourceArn';
export const CONTEXT_KEY = 'kms:EncryptionContext:aws:cloudtrail:arn';
export const ENCRYPT_ACTION = 'kms:GenerateDataKey*';
export const DESCRIBE_ACTION = 'kms:DescribeKey';
export const DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'];

/** Sids of the statements ensure-policy adds; stable so a re-run finds and extends them. */
export const TRAILGUARD_SIDS = {
  encrypt: 'TrailGuardCloudTrailEncrypt',
  describe: 'TrailGuardCloudTrailDescribe',
  decrypt: 'TrailGuardDecryptLogFiles',
} as const;

/** Sids of a newly created key's policy: the console's wording. */
export const CONSOLE_SIDS = {
  admin: 'Enable IAM User Permissions',
  encrypt: 'Allow CloudTrail to encrypt logs',
  describe: 'Allow CloudTrail to describe key',
  decrypt: 'Allow principals to decrypt log files',
} as const;

/** IAM writes one value as a string and several as a list. */
export function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : [...values];
}

export function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter(v => typeof v === 'string');
  return [];
}

/** The trail owner's account from a trail ARN: arn:p:cloudtrail:region:ACCOUNT:trail/name. */
export function trailOwner(trailArn: string): string {
  return trailArn.split(':')[4];
}

function partitionOf(arn: string): string {
  return arn.split(':')[1];
}

/** `arn:aws:cloudtrail:*:<owner>:trail/*` for every owner of the given trails. */
export function encryptionContextPatterns(trailArns: string[]): string[] {
  const patterns = trailArns.map(
    arn => `arn:${partitionOf(arn)}:cloudtrail:*:${trailOwner(arn)}:trail/*`,
  );
  return [...new Set(patterns)];
}

export function adminStatement(
  partition: string,
  accountId: string,
): PolicyStatement {
  return {
    Sid: CONSOLE_SIDS.admin,
    Effect: 'Allow',
    Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
    Action: 'kms:*',
    Resource: '*',
  };
}

export function encryptStatement(
  sid: string,
  trailArns: string[],
): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: CLOUDTRAIL_SERVICE },
    Action: ENCRYPT_ACTION,
    Resource: '*',
    Condition: {
      StringEquals: { [SOURCE_ARN_KEY]: oneOrMany(trailArns) },
      StringLike: {
        [CONTEXT_KEY]: oneOrMany(encryptionContextPatterns(trailArns)),
      },
    },
  };
}

export function describeStatement(
  sid: string,
  trailArns: string[],
): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: CLOUDTRAIL_SERVICE },
    Action: DESCRIBE_ACTION,
    Resource: '*',
    Condition: { StringEquals: { [SOURCE_ARN_KEY]: oneOrMany(trailArns) } },
  };
}

/**
 * Decrypt for the named readers, only for CloudTrail log files (the Null
 * check requires CloudTrail's encryption context), as the console does.
 */
export function decryptStatement(
  sid: string,
  readers: string[],
): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: oneOrMany(readers) },
    Action: [...DECRYPT_ACTIONS],
    Resource: '*',
    Condition: { Null: { [CONTEXT_KEY]: 'false' } },
  };
}
