import type { KeyMetadata } from '@aws-sdk/client-kms';
import type {
  AccountReport,
  KmsKeyState,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  assessAccount,
  assessTrail,
  type TrailAssessmentInput,
  type TrailKeyInput,
} from '../analysis';
import { describeAwsError, formatAwsError } from '../aws/errors';
import type { Outcome } from './ScanCache';
import type { KeyFacts, ScanAccount, TrailFacts } from './ScanEngine';

const KEY_STATES = new Set<string>([
  'Creating',
  'Enabled',
  'Disabled',
  'PendingDeletion',
  'PendingImport',
  'PendingReplicaDeletion',
  'Unavailable',
  'Updating',
]);

/** A read's value mapped, or why it failed; undefined when it was not made. */
function orError<T, R>(
  outcome: Outcome<T> | undefined,
  action: string,
  map: (value: T) => R,
): R | { error: string } | undefined {
  if (!outcome) return undefined;
  return outcome.ok
    ? map(outcome.value)
    : { error: formatAwsError(outcome.error, action) };
}

function keyInput(facts: KeyFacts): TrailKeyInput {
  if (!facts.metadata.ok) {
    const info = describeAwsError(facts.metadata.error);
    const error = formatAwsError(facts.metadata.error, 'DescribeKey');
    return info.notFound ? { notFound: true, error } : { error };
  }
  const m: KeyMetadata = facts.metadata.value;
  const state = String(m.KeyState ?? 'Unknown');
  return {
    info: {
      arn: m.Arn ?? facts.keyArn,
      keyId: m.KeyId,
      region: facts.region,
      accountId: m.AWSAccountId ?? facts.accountId,
      state: (KEY_STATES.has(state) ? state : 'Unknown') as KmsKeyState,
      keyManager: m.KeyManager as 'AWS' | 'CUSTOMER' | undefined,
      keySpec: m.KeySpec,
      keyUsage: m.KeyUsage,
      multiRegion: m.MultiRegion,
      rotationEnabled: facts.rotation?.ok ? facts.rotation.value : undefined,
      deletionDate: m.DeletionDate?.toISOString(),
    },
    policy: orError(facts.policy, 'GetKeyPolicy', raw => ({ raw })),
    grants: orError(facts.grants, 'ListGrants', grants => grants),
  };
}

export function toAssessmentInput(
  accountId: string,
  facts: TrailFacts,
  trustedAccountIds: string[],
): TrailAssessmentInput {
  return {
    trail: facts.trail,
    scannedAccountId: accountId,
    bucketRegion: facts.bucketRegion.ok ? facts.bucketRegion.value : undefined,
    key: facts.key ? keyInput(facts.key) : undefined,
    status: facts.status.ok
      ? facts.status.value
      : { error: formatAwsError(facts.status.error, 'GetTrailStatus') },
    trustedAccountIds,
  };
}

export function buildAccountReport(
  account: ScanAccount,
  scannedAt: string,
  facts: TrailFacts[],
  trustedAccountIds: string[],
): AccountReport {
  const trails = facts
    .map(f =>
      assessTrail(toAssessmentInput(account.accountId, f, trustedAccountIds)),
    )
    .sort((a, b) => a.trailArn.localeCompare(b.trailArn));
  const { status, findings } = assessAccount(trails);
  return {
    accountId: account.accountId,
    ...(account.name ? { accountName: account.name } : {}),
    scannedAt,
    lastSuccessAt: scannedAt,
    scanStatus: 'ok',
    status,
    trails,
    findings,
  };
}

/** A failed scan: the store keeps the last good trails beside this error. */
export function buildErrorReport(
  account: ScanAccount,
  scannedAt: string,
  error: string,
): AccountReport {
  return {
    accountId: account.accountId,
    ...(account.name ? { accountName: account.name } : {}),
    scannedAt,
    scanStatus: 'error',
    error,
    status: 'unknown',
    trails: [],
    findings: [],
  };
}
