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
  /** Lets or stops the account's principals (not its root) read its IAM. */
  setIamReadable(account: string, readable: boolean): void;
  /** Replaces a bucket's policy (JSON text), or removes it with undefined. */
  setBucketPolicy(bucket: string, policy: string | undefined): void;
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
    setIamReadable(account, readable) {
      const iam = getState().iamOf(account);
      if (!iam) throw new Error(`No such account in the sandbox: ${account}`);
      iam.readable = readable;
    },
    setBucketPolicy(name, policy) {
      const b = getState().buckets.get(name);
      if (!b) throw new Error(`No such bucket in the sandbox: ${name}`);
      b.policy = policy;
      getState().touchDelivery(t => t.bucket === name);
    },
  };
}
