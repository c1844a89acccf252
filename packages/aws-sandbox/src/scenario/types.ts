/** A role in a scenario account; plain strings in YAML mean a read-write role. */
export interface RoleSpec {
  name: string;
  /** Write operations by sessions of this role are denied. */
  readOnly?: boolean;
  /** When set, AssumeRole must pass this ExternalId. */
  externalId?: string;
  /** Longest DurationSeconds AssumeRole accepts; AWS defaults to one hour. */
  maxSessionDuration?: number;
}

export interface AccountSpec {
  id: string;
  name: string;
  email?: string;
  roles?: Array<string | RoleSpec>;
  /** Every AssumeRole into this account is refused. */
  assumeRoleDenied?: boolean;
  /** Accounts are organization members unless this is false. */
  inOrganization?: boolean;
  /** OU path under the organization root, e.g. `Workloads/Prod`; absent means the root itself. */
  ou?: string;
  /** AWS Organizations account state; ACTIVE when absent. */
  state?: AccountStateName;
}

export type AccountStateName =
  | 'ACTIVE'
  | 'SUSPENDED'
  | 'PENDING_CLOSURE'
  | 'CLOSED';

export interface OrganizationSpec {
  id: string;
  managementAccount: string;
}

export interface CredentialSpec {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  /** IAM user name; without it the credentials act as the account root. */
  userName?: string;
}

export type KeyStateName = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface GrantSpec {
  name?: string;
  granteePrincipal: string;
  retiringPrincipal?: string;
  operations: string[];
  encryptionContextSubset?: Record<string, string>;
  encryptionContextEquals?: Record<string, string>;
}

export interface KeySpec {
  account: string;
  region: string;
  /** A UUID, or mrk-<32 hex> for multi-Region keys. */
  id: string;
  aliases?: string[];
  state?: KeyStateName;
  keySpec?: string;
  keyUsage?: string;
  multiRegion?: boolean;
  /** Regions holding replicas of a multi-Region primary key. */
  replicaRegions?: string[];
  rotation?: boolean;
  /** A policy document, or raw text so scenarios can hold malformed policies. */
  policy?: Record<string, unknown> | string;
  grants?: GrantSpec[];
  description?: string;
  /** ISO date or relative offset such as -30d. */
  creationDate?: string;
  /** ISO date or relative offset such as +7d; for PendingDeletion keys. */
  deletionDate?: string;
  pendingWindowInDays?: number;
  tags?: Record<string, string>;
}

export interface BucketEncryptionSpec {
  algorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  kmsKey?: string;
  bucketKeyEnabled?: boolean;
}

export interface BucketSpec {
  name: string;
  account: string;
  region: string;
  /** Accounts that may HeadBucket / read the bucket configuration. */
  readers?: string[];
  encryption?: BucketEncryptionSpec;
  /**
   * The bucket policy (JSON text). When absent, the bucket gets the policy
   * the CloudTrail console writes for the trails that deliver to it; `null`
   * leaves the bucket without a policy.
   */
  policy?: string | null;
}

export interface TrailSpec {
  account: string;
  name: string;
  homeRegion: string;
  multiRegion?: boolean;
  organization?: boolean;
  bucket: string;
  s3KeyPrefix?: string;
  /** Key ARN; absent means SSE-S3. */
  kmsKey?: string;
  isLogging?: boolean;
  latestDeliveryError?: string;
  /** ISO date or relative offset such as -5m. */
  latestDeliveryTime?: string;
  logFileValidation?: boolean;
  includeGlobalServiceEvents?: boolean;
}

export interface ScenarioSettings {
  /** Trails per ListTrails page (AWS does not document its page size). */
  listTrailsPageSize?: number;
}

/** A scenario as written in YAML or built in code. */
export interface Scenario {
  name?: string;
  description?: string;
  organization?: OrganizationSpec;
  credentials?: CredentialSpec[];
  accounts: AccountSpec[];
  keys?: KeySpec[];
  buckets?: BucketSpec[];
  trails?: TrailSpec[];
  settings?: ScenarioSettings;
}
