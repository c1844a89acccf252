import type { KeyStateName } from '../scenario/types';
import type { KeyRecord, TrailRecord } from './records';
import type { SandboxState } from './state';

/** Changes to the estate between scans, as an operator outside the product would make. */
export interface SandboxMutations {
  deleteTrail(trailArn: string): void;
  deleteKey(keyArn: string): void;
  deleteBucket(name: string): void;
  setKeyState(
    keyArn: string,
    state: KeyStateName,
    options?: { pendingWindowInDays?: number },
  ): void;
  putKeyPolicy(keyArn: string, policy: Record<string, unknown>): void;
  /** Stores policy text as-is, so tests can plant malformed policies. */
  putRawKeyPolicy(keyArn: string, text: string): void;
  setKeyRotation(keyArn: string, enabled: boolean): void;
  /** Points a trail at a key ARN, or back to SSE-S3 with undefined. */
  setTrailKey(trailArn: string, keyArn: string | undefined): void;
  setTrailStatus(
    trailArn: string,
    status: {
      isLogging?: boolean;
      latestDeliveryError?: string | null;
      latestDeliveryTime?: Date;
    },
  ): void;
}

export function createMutations(
  getState: () => SandboxState,
): SandboxMutations {
  const key = (arn: string): KeyRecord => {
    const k = getState().keys.get(arn);
    if (!k) throw new Error(`No such key in the sandbox: ${arn}`);
    return k;
  };
  const trail = (arn: string): TrailRecord => {
    const t = getState().trails.get(arn);
    if (!t) throw new Error(`No such trail in the sandbox: ${arn}`);
    return t;
  };
  return {
    deleteTrail(arn) {
      trail(arn);
      getState().trails.delete(arn);
    },
    deleteKey(arn) {
      const k = key(arn);
      const st = getState();
      st.keys.delete(arn);
      const remaining = st.aliases.filter(
        a =>
          !(
            a.account === k.account &&
            a.region === k.region &&
            a.targetKeyId === k.id
          ),
      );
      st.aliases.splice(0, st.aliases.length, ...remaining);
    },
    deleteBucket(name) {
      if (!getState().buckets.delete(name)) {
        throw new Error(`No such bucket in the sandbox: ${name}`);
      }
    },
    setKeyState(arn, state, options) {
      const k = key(arn);
      k.state = state;
      if (state === 'PendingDeletion') {
        k.pendingWindowInDays = options?.pendingWindowInDays ?? 30;
        k.deletionDate = new Date(
          Date.now() + k.pendingWindowInDays * 86_400_000,
        );
      } else {
        k.pendingWindowInDays = undefined;
        k.deletionDate = undefined;
      }
    },
    putKeyPolicy(arn, policy) {
      key(arn).policy = JSON.stringify(policy, null, 2);
    },
    putRawKeyPolicy(arn, text) {
      key(arn).policy = text;
    },
    setKeyRotation(arn, enabled) {
      key(arn).rotation = enabled;
    },
    setTrailKey(arn, keyArn) {
      trail(arn).kmsKeyArn = keyArn;
    },
    setTrailStatus(arn, status) {
      const t = trail(arn);
      if (status.isLogging !== undefined && status.isLogging !== t.isLogging) {
        t.isLogging = status.isLogging;
        t.stopLoggingTime = status.isLogging ? undefined : new Date();
      }
      if (status.latestDeliveryError !== undefined) {
        t.latestDeliveryError = status.latestDeliveryError ?? undefined;
      }
      if (status.latestDeliveryTime)
        t.latestDeliveryTime = status.latestDeliveryTime;
      // A planted status is what GetTrailStatus reports until the next write.
      t.deliveryDirty = false;
      t.latestDeliveryAttemptTime = undefined;
    },
  };
}
