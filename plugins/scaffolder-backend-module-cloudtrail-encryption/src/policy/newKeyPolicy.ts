import {
  consoleStyleCloudTrailKeyPolicy,
  type AwsPartition,
  type KeyPolicyDocument,
} from '@trailguard/plugin-cloudtrail-encryption-node';
import {
  evaluateForTrails,
  grantsCloudTrail,
  missingPermissions,
  readerCovered,
} from './cloudTrailAccess';
import { assertWithinSizeLimit, PolicyRejectedError } from './policyText';

/** @public */
export interface NewKeyPolicyOptions {
  partition: AwsPartition;
  /** The account the key is created in. */
  accountId: string;
  region: string;
  trailArns: string[];
  /** Principal ARNs (account ids already turned into root ARNs). */
  readers: string[];
}

/**
 * The policy of a new CloudTrail key, as the CloudTrail console creates it:
 * the account root administers the key (so IAM policies keep working and the
 * key cannot be locked out), CloudTrail may encrypt for the given trails and
 * describe the key, and the readers may decrypt log files only.
 *
 * @public
 */
export function buildNewKeyPolicy(
  options: NewKeyPolicyOptions,
): KeyPolicyDocument {
  return consoleStyleCloudTrailKeyPolicy({
    partition: options.partition,
    keyAccountId: options.accountId,
    trailArns: options.trailArns,
    readers: options.readers,
    id: 'Key policy created by TrailGuard for CloudTrail',
  });
}

const PLACEHOLDER_KEY_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Stands in for the key ARN, which only exists after CreateKey: a dry run
 * outputs it, and a dry run of the next step recognises it.
 */
export function placeholderKeyArn(options: {
  partition: string;
  region: string;
  accountId: string;
}): string {
  return `arn:${options.partition}:kms:${options.region}:${options.accountId}:key/${PLACEHOLDER_KEY_ID}`;
}

export function isPlaceholderKeyArn(keyArn: string): boolean {
  return keyArn.endsWith(`:key/${PLACEHOLDER_KEY_ID}`);
}

/**
 * Defence in depth before CreateKey: the policy about to be attached must,
 * by the scan's own evaluator, let CloudTrail encrypt and describe for every
 * trail and let every reader decrypt. A key that the scan would flag the
 * moment it exists is never created.
 */
export function assertNewKeyPolicyGrants(
  policy: KeyPolicyDocument,
  options: NewKeyPolicyOptions,
): string {
  const text = JSON.stringify(policy, null, 2);
  assertWithinSizeLimit(text);
  const access = evaluateForTrails(policy, options.trailArns, {
    keyArn: placeholderKeyArn(options),
    keyAccountId: options.accountId,
  });
  if (!access.readable) {
    throw new PolicyRejectedError(
      `the generated key policy cannot be evaluated: ${access.reason}`,
    );
  }
  for (const trail of access.trails) {
    if (!grantsCloudTrail(trail)) {
      throw new PolicyRejectedError(
        `the generated key policy would not let CloudTrail use the key for ${
          trail.trailArn
        } (${missingPermissions(trail).join('; ')}); nothing was created`,
      );
    }
    const uncovered = options.readers.filter(
      r => !readerCovered(r, trail.decryptPrincipals),
    );
    if (uncovered.length > 0) {
      throw new PolicyRejectedError(
        `the generated key policy would not let ${uncovered.join(
          ', ',
        )} decrypt the log files of ${trail.trailArn}; nothing was created`,
      );
    }
  }
  return text;
}
