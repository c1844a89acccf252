import type { TrailReport } from '@trailguard/plugin-cloudtrail-encryption-common';

/**
 * Whether a trail's encryption actually works: a KMS key on the trail is not
 * enough, CloudTrail must be able to use it or delivery stops.
 */
export type EncryptionHealth =
  | { kind: 'sse-s3' }
  | { kind: 'working' }
  /** Something confirmed stops CloudTrail from encrypting with the key. */
  | { kind: 'broken'; reasons: string[] }
  /** Nothing confirmed is wrong, but the scan could not check everything. */
  | { kind: 'unconfirmed'; reasons: string[] };

type EncryptionFacts = Pick<
  TrailReport,
  | 'encryption'
  | 'kmsKey'
  | 'bucketRegion'
  | 'keyRegionMatchesBucket'
  | 'cloudTrailCanEncrypt'
>;

export function encryptionHealthOf(trail: EncryptionFacts): EncryptionHealth {
  if (trail.encryption !== 'SSE-KMS') return { kind: 'sse-s3' };
  const key = trail.kmsKey;
  if (!key) {
    return { kind: 'unconfirmed', reasons: ['the key could not be read'] };
  }
  const broken: string[] = [];
  const unconfirmed: string[] = [];
  if (
    key.state === 'PendingDeletion' ||
    key.state === 'PendingReplicaDeletion'
  ) {
    broken.push('the key is pending deletion');
  } else if (key.state === 'Unknown') {
    unconfirmed.push("the key's state could not be read");
  } else if (key.state !== 'Enabled') {
    broken.push(`the key is not enabled (${key.state})`);
  }
  if (trail.keyRegionMatchesBucket === false) {
    broken.push(
      `the key is in ${key.region} but the bucket is in ${
        trail.bucketRegion ?? 'another Region'
      }`,
    );
  } else if (trail.keyRegionMatchesBucket === undefined) {
    unconfirmed.push("the bucket's Region is unknown");
  }
  if (key.keySpec !== undefined && key.keySpec !== 'SYMMETRIC_DEFAULT') {
    broken.push(`the key is not a symmetric encryption key (${key.keySpec})`);
  }
  if (trail.cloudTrailCanEncrypt === false) {
    broken.push('the key policy does not let CloudTrail encrypt');
  } else if (trail.cloudTrailCanEncrypt === undefined) {
    unconfirmed.push(
      'whether the key policy lets CloudTrail encrypt is unknown',
    );
  }
  if (broken.length > 0) return { kind: 'broken', reasons: broken };
  if (unconfirmed.length > 0) {
    return { kind: 'unconfirmed', reasons: unconfirmed };
  }
  return { kind: 'working' };
}
