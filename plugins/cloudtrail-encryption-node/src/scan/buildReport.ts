import type {
  AccountReport,
  KmsKeyState,
  RegionFailure,
  TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  assessAccount,
  assessTrail,
  sortFindings,
  type TrailAssessmentInput,
  type TrailKeyInput,
} from '../analysis';
import { accountIdFromArn } from '../policy/arn';
import { describeAwsError, formatAwsError } from '../aws/errors';
import type { KeyMetadataRecord } from '../aws/KeyReader';
import { AccountIdSet } from '../policy/accountIdSet';
import type { Outcome } from './ScanCache';
import type {
  KeyFacts,
  ReaderResult,
  ScanAccount,
  TrailFacts,
  UnreadTrail,
} from './facts';

/** What the account's report is judged against, besides what was read. */
export interface ReportContext {
  trustedAccountIds: Iterable<string>;
  organizationId?: string;
  organizationAccountIds?: Iterable<string>;
  /** Trails ListTrails named that could not be described. */
  unread?: UnreadTrail[];
  failedRegions?: RegionFailure[];
  /** Each KMS-encrypted trail's effective readers, by trail ARN. */
  readers?: ReadonlyMap<string, ReaderResult>;
}

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
  const m: KeyMetadataRecord = facts.metadata.value;
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
      ...multiRegionInfo(m),
      rotationEnabled: facts.rotation?.ok ? facts.rotation.value : undefined,
      deletionDate: m.DeletionDate,
    },
    policy: orError(facts.policy, 'GetKeyPolicy', raw => ({ raw })),
    grants: orError(facts.grants, 'ListGrants', grants => grants),
  };
}

const ACCOUNT_ID = /\b\d{12}\b/g;

/**
 * Every account id the trail's facts name: the trail's and key's accounts
 * and any account in the key policy or grants. The analysis asks only about
 * these whether they are trusted or members of the organization.
 */
function mentionedAccounts(accountId: string, facts: TrailFacts): string[] {
  const ids = new Set([accountId, facts.trail.ownerAccountId]);
  const scan = (text: string | undefined) => {
    if (!text) return;
    for (const m of text.matchAll(ACCOUNT_ID)) ids.add(m[0]);
  };
  scan(facts.trail.trailArn);
  const key = facts.key;
  if (key) {
    ids.add(key.accountId);
    scan(key.keyArn);
    if (key.metadata.ok) scan(key.metadata.value.AWSAccountId);
    if (key.policy?.ok) scan(key.policy.value);
    if (key.grants?.ok) {
      for (const g of key.grants.value) {
        scan(g.GranteePrincipal);
        scan(g.RetiringPrincipal);
      }
    }
  }
  return [...ids];
}

/** A set view of a list, built once per scan rather than once per trail. */
function asSet(ids: Iterable<string>): ReadonlySet<string> {
  return ids instanceof Set || ids instanceof AccountIdSet ? ids : new Set(ids);
}

export function toAssessmentInput(
  accountId: string,
  facts: TrailFacts,
  context: ReportContext,
): TrailAssessmentInput {
  // An organization of thousands of accounts is passed to the analysis as
  // just the members this trail's facts name, so judging one trail does not
  // cost a pass over the whole organization.
  const mentioned = mentionedAccounts(accountId, facts);
  const trusted = asSet(context.trustedAccountIds);
  const members = asSet(context.organizationAccountIds ?? []);
  return {
    trail: facts.trail,
    scannedAccountId: accountId,
    bucketRegion: facts.bucketRegion.ok ? facts.bucketRegion.value : undefined,
    key: facts.key ? keyInput(facts.key) : undefined,
    status: facts.status.ok
      ? facts.status.value
      : { error: formatAwsError(facts.status.error, 'GetTrailStatus') },
    trustedAccountIds: mentioned.filter(id => trusted.has(id)),
    ...(context.organizationId
      ? {
          organizationId: context.organizationId,
          organizationAccountIds: mentioned.filter(id => members.has(id)),
        }
      : {}),
  };
}

/**
 * A trail ListTrails named but that could not be described: kept with what
 * ListTrails said and the error. Its encryption is not known; `SSE-S3` only
 * fills the required field (no key seen), and the account status ignores it
 * in favour of `error`.
 */
export function unreadTrailReport(
  accountId: string,
  unread: UnreadTrail,
): TrailReport {
  const { summary } = unread;
  const owner = accountIdFromArn(summary.trailArn) ?? accountId;
  return {
    trailArn: summary.trailArn,
    name: summary.name,
    homeRegion: summary.homeRegion,
    isMultiRegionTrail: false,
    // Only organization trails show up in another account's ListTrails.
    isOrganizationTrail: owner !== accountId,
    ownerAccountId: owner,
    s3BucketName: '',
    encryption: 'SSE-S3',
    decryptPrincipals: [],
    delivery: {},
    findings: [],
    error: unread.error,
  };
}

/** One entry per Region, the first reason seen. */
function byRegion(failures: RegionFailure[]): RegionFailure[] {
  const seen = new Map<string, RegionFailure>();
  for (const f of failures) if (!seen.has(f.region)) seen.set(f.region, f);
  return [...seen.values()].sort((a, b) => a.region.localeCompare(b.region));
}

export function buildAccountReport(
  account: ScanAccount,
  scannedAt: string,
  facts: TrailFacts[],
  context: ReportContext,
): AccountReport {
  const unread = context.unread ?? [];
  const trails = [
    ...facts.map(f =>
      withReaders(
        assessTrail(toAssessmentInput(account.accountId, f, context)),
        context.readers?.get(f.trail.trailArn),
      ),
    ),
    ...unread.map(u => unreadTrailReport(account.accountId, u)),
  ].sort((a, b) => a.trailArn.localeCompare(b.trailArn));
  const failedRegions = byRegion(context.failedRegions ?? []);
  const partial = failedRegions.length > 0 || unread.length > 0;
  const { status, findings } = assessAccount({
    trails,
    organizationId: context.organizationId,
    partial,
  });
  return {
    accountId: account.accountId,
    ...(account.name ? { accountName: account.name } : {}),
    scannedAt,
    lastSuccessAt: scannedAt,
    scanStatus: partial ? 'partial' : 'ok',
    ...(partial ? { error: partialError(failedRegions, unread) } : {}),
    ...(failedRegions.length ? { failedRegions } : {}),
    ...(account.membership ? { membership: account.membership } : {}),
    status,
    trails,
    findings,
  };
}

/**
 * The readers under the key-policy principals, and their findings among the
 * trail's (so the account status weighs them like any other). Not when the
 * key policy could not be evaluated: the trail then has no readers to name.
 */
function withReaders(trail: TrailReport, result?: ReaderResult): TrailReport {
  if (!result || trail.kmsKey?.policyReadable === false) return trail;
  return {
    ...trail,
    readers: result.readers,
    findings: sortFindings([
      ...trail.findings,
      ...result.findings.map(f => ({
        ...f,
        trailArn: f.trailArn ?? trail.trailArn,
      })),
    ]),
  };
}

function partialError(failed: RegionFailure[], unread: UnreadTrail[]): string {
  const parts: string[] = [];
  if (failed.length) {
    parts.push(
      `Regions that could not be read: ${failed
        .map(f => `${f.region} (${f.reason})`)
        .join('; ')}`,
    );
  }
  if (unread.length) {
    parts.push(
      `trails that could not be described: ${unread
        .map(u => u.summary.name)
        .join(', ')}`,
    );
  }
  return parts.join('. ');
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
    ...(account.membership ? { membership: account.membership } : {}),
    scannedAt,
    scanStatus: 'error',
    error,
    status: 'unknown',
    trails: [],
    findings: [],
  };
}

/** The multi-Region set of a key, from DescribeKey's MultiRegionConfiguration. */
function multiRegionInfo(m: KeyMetadataRecord) {
  const mrc = m.MultiRegionConfiguration;
  if (!m.MultiRegion || !mrc) return {};
  const type = mrc.MultiRegionKeyType;
  const primary = mrc.PrimaryKey?.Arn;
  const all = [primary, ...(mrc.ReplicaKeys ?? []).map(r => r.Arn)];
  return {
    ...(type === 'PRIMARY' || type === 'REPLICA'
      ? { multiRegionKeyType: type as 'PRIMARY' | 'REPLICA' }
      : {}),
    ...(primary ? { primaryKeyArn: primary } : {}),
    replicaKeyArns: all.filter(
      (arn): arn is string => !!arn && arn !== primary && arn !== m.Arn,
    ),
  };
}
