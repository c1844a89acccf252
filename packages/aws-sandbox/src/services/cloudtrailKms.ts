import { parsePolicy, policyAllows } from '../policy';
import { AwsError } from '../server/protocol';
import { keyArn, KeyRecord, TrailRecord } from '../state/records';
import type { SandboxState } from '../state/state';

const KEY_REF_RE = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;

export const CLOUDTRAIL_PRINCIPAL = 'cloudtrail.amazonaws.com';

/**
 * Whether a key policy lets CloudTrail encrypt logs for `trail` and describe
 * the key — the two permissions UpdateTrail checks before accepting a key.
 */
export function cloudTrailKeyAccess(
  policy: string,
  trail: TrailRecord,
  trailKeyArn?: string,
) {
  const doc = parsePolicy(policy);
  if (!doc) return { generateDataKey: false, describeKey: false };
  const context = {
    'aws:SourceArn': trail.arn,
    'aws:SourceAccount': trail.account,
    'kms:EncryptionContext:aws:cloudtrail:arn': trail.arn,
    'kms:EncryptionContextKeys': 'aws:cloudtrail:arn',
  };
  const can = (action: string, ctx: Record<string, string>) =>
    policyAllows(doc, {
      action,
      resource: trailKeyArn,
      servicePrincipal: CLOUDTRAIL_PRINCIPAL,
      context: ctx,
    });
  return {
    generateDataKey: can('kms:GenerateDataKey', context),
    describeKey: can('kms:DescribeKey', {
      'aws:SourceArn': trail.arn,
      'aws:SourceAccount': trail.account,
    }),
  };
}

/**
 * Resolves the KmsKeyId given to UpdateTrail (key id, key ARN, alias name or
 * alias ARN) and runs CloudTrail's checks on it, throwing CloudTrail's errors.
 */
export function resolveTrailKey(
  state: SandboxState,
  trail: TrailRecord,
  bucketName: string,
  raw: string,
): KeyRecord {
  let account = trail.account;
  let region = trail.homeRegion;
  let ref = raw;
  const m = KEY_REF_RE.exec(raw);
  if (m) {
    [, region, account] = m;
    ref = m[3] === 'alias' ? `alias/${m[4]}` : m[4];
  } else if (raw.startsWith('arn:')) {
    throw new AwsError(
      'InvalidKmsKeyIdException',
      `Invalid KMS key ARN: ${raw}`,
    );
  }
  const id = ref.startsWith('alias/')
    ? state.aliases.find(
        a => a.account === account && a.region === region && a.name === ref,
      )?.targetKeyId
    : ref;
  const key = id ? state.keys.get(keyArn(region, account, id)) : undefined;
  if (!key) {
    throw new AwsError(
      'KmsKeyNotFoundException',
      `KMS key ${raw} does not exist.`,
    );
  }
  const bucketRegion =
    state.buckets.get(bucketName)?.region ?? trail.homeRegion;
  if (key.region !== bucketRegion) {
    throw new AwsError(
      'KmsKeyNotFoundException',
      `KMS key ${key.arn} is in Region ${key.region}, but the S3 bucket ${bucketName} is in Region ${bucketRegion}. The KMS key and the S3 bucket must be in the same Region.`,
    );
  }
  if (key.state === 'Disabled') {
    throw new AwsError(
      'KmsKeyDisabledException',
      `KMS key ${key.arn} is disabled.`,
    );
  }
  if (key.state === 'PendingDeletion') {
    throw new AwsError(
      'KmsException',
      `KMS key ${key.arn} is pending deletion.`,
    );
  }
  const access = cloudTrailKeyAccess(key.policy, trail, key.arn);
  if (!access.generateDataKey || !access.describeKey) {
    const missing = [
      access.generateDataKey ? undefined : 'kms:GenerateDataKey*',
      access.describeKey ? undefined : 'kms:DescribeKey',
    ].filter(Boolean);
    throw new AwsError(
      'InsufficientEncryptionPolicyException',
      `Insufficient permissions to access S3 bucket ${bucketName} or KMS key ${
        key.arn
      }: the key policy does not allow ${CLOUDTRAIL_PRINCIPAL} ${missing.join(
        ' and ',
      )} for ${trail.arn}.`,
    );
  }
  return key;
}
