import type { TrailRecord } from '../state/records';
import type { SandboxState } from '../state/state';
import { cloudTrailKeyAccess } from './cloudtrailKms';
import { cloudTrailCanWrite } from './s3BucketPolicy';

/**
 * Why CloudTrail could not deliver this trail's next log file now, as the
 * error code GetTrailStatus reports in `LatestDeliveryError`, or undefined
 * when delivery works: the bucket must exist and let CloudTrail write, and
 * the key (when there is one) must exist in the bucket's Region, be enabled
 * and let CloudTrail generate data keys for this trail.
 */
export function deliveryProblem(
  state: SandboxState,
  trail: TrailRecord,
): string | undefined {
  const bucket = state.buckets.get(trail.bucket);
  if (!bucket) return 'NoSuchBucket';
  if (!cloudTrailCanWrite(bucket, trail, state.organization?.id)) {
    return 'AccessDenied';
  }
  if (!trail.kmsKeyArn) return undefined;
  const key = state.keys.get(trail.kmsKeyArn);
  if (!key || key.region !== bucket.region) return 'KMS.NotFoundException';
  if (key.state === 'Disabled') return 'KMS.DisabledException';
  if (key.state !== 'Enabled') return 'KMS.KMSInvalidStateException';
  if (!cloudTrailKeyAccess(key.policy, trail, key.arn).generateDataKey) {
    return 'AccessDeniedException';
  }
  return undefined;
}

/**
 * The delivery attempt CloudTrail makes after a change that can repair or
 * break delivery (the sandbox makes it at the next GetTrailStatus rather
 * than up to five minutes later): a working trail gets a fresh delivery time
 * and no error; a broken one keeps its last successful delivery and reports
 * the error. A trail that is not logging attempts nothing.
 */
export function attemptDelivery(
  state: SandboxState,
  trail: TrailRecord,
  now: Date,
): void {
  trail.deliveryDirty = false;
  if (!trail.isLogging) return;
  trail.latestDeliveryAttemptTime = now;
  const problem = deliveryProblem(state, trail);
  if (problem) {
    trail.latestDeliveryError = problem;
  } else {
    trail.latestDeliveryError = undefined;
    trail.latestDeliveryTime = now;
  }
}
