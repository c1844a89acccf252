import type {
  KmsKeyInfo,
  TrailDelivery,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { KmsGrant } from './grants';

/**
 * The trail as DescribeTrails reports it.
 *
 * @public
 */
export interface TrailInfoInput {
  trailArn: string;
  name: string;
  homeRegion: string;
  isMultiRegionTrail: boolean;
  isOrganizationTrail: boolean;
  ownerAccountId: string;
  s3BucketName: string;
  /** The trail's S3 key prefix, when it has one. */
  s3KeyPrefix?: string;
  /** The KMS key ARN configured on the trail; absent means SSE-S3. */
  kmsKeyId?: string;
}

/**
 * DescribeKey (and GetKeyRotationStatus) results; `policyReadable` is decided by the assessment.
 *
 * @public
 */
export type KeyInfoInput = Omit<KmsKeyInfo, 'policyReadable'> & {
  policyReadable?: boolean;
};

/**
 * The key was described.
 *
 * @public
 */
export interface DescribedKeyInput {
  info: KeyInfoInput;
  /** GetKeyPolicy's text, or why it failed; absent when it was not fetched. */
  policy?: { raw: string } | { error: string };
  /** ListGrants' entries, or why it failed; absent when grants were not listed. */
  grants?: KmsGrant[] | { error: string };
}

/**
 * DescribeKey answered NotFoundException: the key was deleted or never existed.
 *
 * @public
 */
export interface MissingKeyInput {
  notFound: true;
  error?: string;
}

/**
 * DescribeKey failed for another reason (typically access denied on a key in another account).
 *
 * @public
 */
export interface UndescribedKeyInput {
  error: string;
}

/** @public */
export type TrailKeyInput =
  | DescribedKeyInput
  | MissingKeyInput
  | UndescribedKeyInput;

/**
 * GetTrailStatus results, or why it failed.
 *
 * @public
 */
export type TrailStatusInput = TrailDelivery | { error: string };

/** @public */
export interface TrailAssessmentInput {
  trail: TrailInfoInput;
  /** The account whose report this is; differs from the owner for organization trails seen from a member account. */
  scannedAccountId: string;
  /** `undefined` when the bucket's Region could not be learned. */
  bucketRegion?: string;
  /** `undefined` when the trail has no KMS key (or the key was not looked at). */
  key?: TrailKeyInput;
  status?: TrailStatusInput;
  /** Accounts considered ours for DECRYPT_CROSS_ACCOUNT: the estate's accounts plus the configured trusted accounts. */
  trustedAccountIds?: string[];
  /**
   * The estate's AWS Organization, when known (organization mode). Without it
   * a decrypt grant pinned to an organization cannot be verified.
   */
  organizationId?: string;
  /** Accounts known to be members of `organizationId`. */
  organizationAccountIds?: string[];
}

/** @public */
export function isDescribedKey(key: TrailKeyInput): key is DescribedKeyInput {
  return 'info' in key && !!key.info;
}

/** @public */
export function isMissingKey(key: TrailKeyInput): key is MissingKeyInput {
  return 'notFound' in key && key.notFound === true;
}
