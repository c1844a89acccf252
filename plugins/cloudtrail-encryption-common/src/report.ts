import type { TrailReaders } from './effectiveReaders';
import type { FindingCode } from './findings';
import type { PolicyCondition } from './policyCondition';
import type { ScanAccess } from './scanAccess';
import type { Severity } from './severity';

/**
 * The report: the contract between the backend (which produces and stores it)
 * and the frontend (which renders it). One `AccountReport` per AWS account.
 */

/**
 * How the trail's log files are encrypted at rest in S3.
 *
 * @public
 */
export type TrailEncryption = 'SSE-KMS' | 'SSE-S3';

/**
 * Outcome of the last scan attempt of an account: `partial` when some Regions
 * (or some trails) could not be read but the rest of the account was.
 *
 * @public
 */
export type ScanStatus = 'ok' | 'partial' | 'error' | 'pending';

/**
 * A Region whose calls failed during an account's scan (opt-in Region not enabled, Region-deny SCP, …).
 *
 * @public
 */
export interface RegionFailure {
  region: string;
  /** The AWS error, e.g. `UnrecognizedClientException: The security token included in the request is invalid`. */
  reason: string;
}

/**
 * Where an account comes from in the scanned estate.
 * - `organization`: an account of the AWS Organization read through the management (or delegated administrator) account;
 * - `configured`: listed in `aws.accounts` or `cloudtrailEncryption.estate.include`.
 *
 * @public
 */
export type EstateSource = 'organization' | 'configured';

/**
 * AWS Organizations' account status (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED); configured accounts are ACTIVE.
 *
 * @public
 */
export type EstateAccountState =
  | 'ACTIVE'
  | 'SUSPENDED'
  | 'PENDING_CLOSURE'
  | 'CLOSED';

/**
 * An account's place in the estate, as the last estate read saw it.
 *
 * @public
 */
export interface AccountMembership {
  source: EstateSource;
  state: EstateAccountState;
  /** The organization the account belongs to, when read from AWS Organizations. */
  organizationId?: string;
  /** OU path from the root, e.g. `Root/Workloads/Prod`, when read from AWS Organizations. */
  ouPath?: string;
}

/**
 * How the estate (the accounts scanned and trusted) is defined, as served by `GET /estate`.
 *
 * @public
 */
export interface EstateSummary {
  /** `organization`: AWS Organizations defines the estate (plus configured extras); `accounts`: an explicit list only. */
  mode: 'organization' | 'accounts';
  organizationId?: string;
  managementAccountId?: string;
  /** Accounts in the estate, by state. */
  accountCount: number;
  activeCount: number;
  /** Suspended or pending closure: listed, not scanned. */
  suspendedCount: number;
  /** Accounts outside the estate trusted by `cloudtrailEncryption.trustedAccountIds`. */
  trustedAccountIds: string[];
  /** When the estate was last read. */
  readAt?: string;
  /** Why the last read of the organization failed; the previous estate is kept. */
  error?: string;
  /** How accounts are reached (the scan role to deploy and whom it trusts), when known. */
  scanAccess?: ScanAccess;
}

/**
 * Overall verdict for an account.
 *
 * @public
 */
export type AccountStatus =
  | 'compliant'
  | 'non-compliant'
  | 'no-trails'
  | 'unknown';

/** @public */
export const ACCOUNT_STATUSES: readonly AccountStatus[] = [
  'compliant',
  'non-compliant',
  'no-trails',
  'unknown',
];

/**
 * What kind of principal a decrypt grant names.
 *
 * @public
 */
export type PrincipalKind =
  | 'account-root'
  | 'iam-role'
  | 'iam-user'
  | 'service'
  | 'any'
  | 'federated';

/**
 * How a principal obtains kms:Decrypt on the key.
 *
 * @public
 */
export type PrincipalVia = 'key-policy' | 'iam-delegation' | 'grant';

/**
 * A principal that may decrypt the trail's log files.
 *
 * @public
 */
export interface DecryptPrincipal {
  /** As written in the policy or grant, e.g. `arn:aws:iam::111122223333:role/Auditor`, `*`. */
  principal: string;
  kind: PrincipalKind;
  /** The account the principal belongs to, when known. */
  accountId?: string;
  /**
   * The AWS Organization the principal is restricted to (for `*` limited by
   * `aws:PrincipalOrgID`), when known.
   */
  organizationId?: string;
  via: PrincipalVia;
  /** Conditions the permission is subject to that the scan could not decide. */
  conditions: PolicyCondition[];
  /** The key-policy statement (Sid or index) or grant id this comes from. */
  source?: string;
}

/**
 * KMS key state as returned by DescribeKey.
 *
 * @public
 */
export type KmsKeyState =
  | 'Creating'
  | 'Enabled'
  | 'Disabled'
  | 'PendingDeletion'
  | 'PendingImport'
  | 'PendingReplicaDeletion'
  | 'Unavailable'
  | 'Updating'
  | 'Unknown';

/** @public */
export interface KmsKeyInfo {
  /** Key ARN (as configured on the trail, resolved to the key ARN when readable). */
  arn: string;
  /** The key's id (uuid or `mrk-…`), when known. */
  keyId?: string;
  /** Alias names pointing at the key, e.g. `alias/cloudtrail`. */
  aliases?: string[];
  region: string;
  /** Account that owns the key. */
  accountId: string;
  state: KmsKeyState;
  keyManager?: 'AWS' | 'CUSTOMER';
  keySpec?: string;
  keyUsage?: string;
  multiRegion?: boolean;
  /** For a multi-Region key: PRIMARY or REPLICA (DescribeKey's MultiRegionConfiguration). */
  multiRegionKeyType?: 'PRIMARY' | 'REPLICA';
  /** For a multi-Region key: the primary key's ARN. */
  primaryKeyArn?: string;
  /** For a multi-Region key: the ARNs of its replicas (other Regions). */
  replicaKeyArns?: string[];
  /** `undefined` when the rotation status could not be read. */
  rotationEnabled?: boolean;
  /** Whether GetKeyPolicy succeeded and the policy parsed. */
  policyReadable: boolean;
  /** When the key is pending deletion. */
  deletionDate?: string;
}

/** @public */
export interface TrailDelivery {
  isLogging?: boolean;
  latestDeliveryError?: string;
  latestDeliveryTime?: string;
  /**
   * GetTrailStatus's LatestDeliveryAttemptTime and
   * LatestDeliveryAttemptSucceeded: delivery is failing when the latest
   * attempt is later than the latest successful one, whatever error an older
   * attempt left behind.
   */
  latestDeliveryAttemptTime?: string;
  latestDeliveryAttemptSucceeded?: string;
}

/** @public */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** One line naming the trail, key and Region concerned. */
  message: string;
  remediation: string;
  /** The trail this finding is about, when it is about a trail. */
  trailArn?: string;
}

/** @public */
export interface TrailReport {
  trailArn: string;
  name: string;
  homeRegion: string;
  isMultiRegionTrail: boolean;
  isOrganizationTrail: boolean;
  /** The account that owns (created) the trail. */
  ownerAccountId: string;
  s3BucketName: string;
  /** `undefined` when the bucket's Region could not be learned. */
  bucketRegion?: string;
  encryption: TrailEncryption;
  kmsKey?: KmsKeyInfo;
  /** `undefined` when there is no key or one of the Regions is unknown. */
  keyRegionMatchesBucket?: boolean;
  /** `undefined` when unknown (policy unreadable, or SSE-S3). */
  cloudTrailCanEncrypt?: boolean;
  cloudTrailCanDescribe?: boolean;
  decryptPrincipals: DecryptPrincipal[];
  /**
   * Who can read the log files (kms:Decrypt through S3 and s3:GetObject),
   * by name; undefined when not analysed (SSE-S3, key policy unreadable, or
   * a report from before reader analysis).
   */
  readers?: TrailReaders;
  delivery: TrailDelivery;
  findings: Finding[];
  /**
   * Set when ListTrails named the trail but a later call could not describe
   * it: the trail is kept in the report with this error instead of being dropped.
   */
  error?: string;
}

/** @public */
export interface AccountReport {
  accountId: string;
  /** A display name (from the catalog or AWS Organizations), when known. */
  accountName?: string;
  /** ISO 8601 time of the last scan attempt. */
  scannedAt: string;
  /** ISO 8601 time of the last successful scan, when there was one. */
  lastSuccessAt?: string;
  scanStatus: ScanStatus;
  /** Why the last scan failed (or, when `partial`, what failed); the trails are then the last good ones. */
  error?: string;
  /** Regions whose calls failed in the last scan (scanStatus `partial`). */
  failedRegions?: RegionFailure[];
  /** The account's place in the estate (organization or configured), when known. */
  membership?: AccountMembership;
  status: AccountStatus;
  trails: TrailReport[];
  /** Account-level findings (not about one trail), plus every trail's findings. */
  findings: Finding[];
}

/**
 * One row of the fleet list.
 *
 * @public
 */
export interface AccountSummary {
  accountId: string;
  accountName?: string;
  scannedAt: string;
  lastSuccessAt?: string;
  scanStatus: ScanStatus;
  error?: string;
  failedRegions?: RegionFailure[];
  membership?: AccountMembership;
  status: AccountStatus;
  trailCount: number;
  /** The most severe finding, if any. */
  worstFinding?: { code: FindingCode; severity: Severity };
  findingCodes: FindingCode[];
  /** The catalog entity standing for the account, when the caller may read it. */
  entityRef?: string;
  /** Owners of that entity. */
  ownerRefs?: string[];
  /** Distinct Regions of the trails' KMS keys. */
  keyRegions?: string[];
  /** Distinct Regions of the trails' log buckets. */
  bucketRegions?: string[];
  /**
   * Distinct principals that may decrypt the trails' log files (see
   * `countDecryptReaders`); undefined when the account has no trails.
   */
  readersCount?: number;
  /** Effective readers outside the estate's organization (from `TrailReport.readers`). */
  outsideReadersCount?: number;
}

/** @public */
export interface AccountListResponse {
  items: AccountSummary[];
  totalCount: number;
  page: number;
  pageSize: number;
  /** Counts over the whole fleet (ignoring filters), by status. */
  countsByStatus: Record<AccountStatus, number>;
}

/**
 * Who or what started a scan run: `schedule` for the scheduler, the others
 * on demand — `manual` from the UI, the CLI or the API (a full scan or an
 * account rescan), `remediation` for the rescan that closes a remediation.
 *
 * @public
 */
export const SCAN_TRIGGERS = ['schedule', 'manual', 'remediation'] as const;
/** @public */
export type ScanTrigger = (typeof SCAN_TRIGGERS)[number];

/**
 * A scan run's history row.
 *
 * @public
 */
export interface ScanRun {
  id: string;
  trigger: ScanTrigger;
  /**
   * What the run covered: the full scan (or one shard of it), the accounts
   * that had no report yet, or one account.
   */
  scope?: 'full' | 'new-accounts' | 'account';
  /** `i/n` when the scheduled scan is split into shards across replicas. */
  shard?: string;
  /** The entity ref (or service) that asked for an on-demand run. */
  requestedBy?: string;
  /** Shared by the shard runs of one on-demand full scan (`POST /scans`). */
  requestId?: string;
  startedAt: string;
  finishedAt?: string;
  /** Last time the run recorded progress. */
  updatedAt?: string;
  /**
   * Accounts the run set out to scan; only given to callers who may see
   * every account (the run covers accounts others may not see).
   */
  plannedCount?: number;
  /**
   * How many accounts the run covered: while it runs, the accounts read so
   * far (reports are stored once every account is read, as a trail's readers
   * may depend on other accounts' IAM); once finished, the accounts reported.
   */
  accountCount: number;
  /** Accounts whose scan failed in this run. */
  errorCount: number;
  countsByStatus: Record<AccountStatus, number>;
  /**
   * The fleet as the history knows it once this run is done: each account's
   * latest outcome up to this run, over the accounts the caller may see.
   */
  fleet?: { compliant: number; accounts: number };
}

/**
 * The answer to `POST /scans`.
 *
 * @public
 */
export interface FullScanResponse {
  /** Task ids of the shards made due now; a shard already running is left out. */
  triggered: string[];
  /** Find the runs of this scan with `GET /scans?requestId=`. */
  requestId?: string;
}

/** @public */
export interface ScanRunListResponse {
  items: ScanRun[];
}
