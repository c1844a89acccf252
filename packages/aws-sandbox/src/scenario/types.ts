/** An IAM policy document as written in a scenario (a mapping). */
export type PolicyDocumentSpec = Record<string, unknown>;

export interface InlinePolicySpec {
  name: string;
  document: PolicyDocumentSpec;
}

/**
 * What IAM knows about a principal's permissions. `managedPolicies` and
 * `permissionsBoundary` take managed policy ARNs
 * (`arn:aws:iam::aws:policy/ReadOnlyAccess`) or the bare name of one of the
 * account's customer managed policies.
 */
export interface IamPermissionsSpec {
  path?: string;
  inlinePolicies?: InlinePolicySpec[];
  managedPolicies?: string[];
}

export interface IamRoleSpec extends IamPermissionsSpec {
  name: string;
  description?: string;
  /** The trust policy; absent means the organization's management account root. */
  trustPolicy?: PolicyDocumentSpec;
  permissionsBoundary?: string;
  /** RoleLastUsed: ISO date or relative offset, and the Region. */
  lastUsed?: { date: string; region: string };
  tags?: Record<string, string>;
}

export interface IamUserSpec extends IamPermissionsSpec {
  name: string;
  groups?: string[];
  permissionsBoundary?: string;
  tags?: Record<string, string>;
}

export type IamGroupSpec = IamPermissionsSpec & { name: string };

export interface ManagedPolicySpec {
  name: string;
  path?: string;
  description?: string;
  /** The default version's document. */
  document: PolicyDocumentSpec;
  /** Earlier, non-default versions (v1, v2, …), oldest first. */
  previousVersions?: PolicyDocumentSpec[];
}

/**
 * An IAM Identity Center permission set. Each assigned account gets the
 * role Identity Center provisions for it:
 * `/aws-reserved/sso.amazonaws.com/AWSReservedSSO_<name>_<16 hex>`, trusted
 * by the account's `AWSSSO_<16 hex>_DO_NOT_DELETE` SAML provider.
 */
export interface PermissionSetSpec {
  name: string;
  /** AWS managed policy ARNs. */
  managedPolicies?: string[];
  /** Becomes the role's `AwsSSOInlinePolicy`. */
  inlinePolicy?: PolicyDocumentSpec;
  /** An AWS managed policy ARN. */
  permissionsBoundary?: string;
  /** `all` accounts of the scenario, or a list of account ids. */
  accounts: 'all' | string[];
  lastUsed?: { date: string; region: string };
}

export interface IdentityCenterSpec {
  permissionSets: PermissionSetSpec[];
}

/** IAM entities beyond the roles the scanner assumes. */
export interface AccountIamSpec {
  roles?: IamRoleSpec[];
  users?: IamUserSpec[];
  groups?: IamGroupSpec[];
  /** Customer managed policies. */
  policies?: ManagedPolicySpec[];
}

/**
 * A role the sandbox's STS lets callers assume; plain strings in YAML mean a
 * read-write role. It shows in IAM like the roles under `iam.roles`.
 */
export interface RoleSpec extends Omit<IamRoleSpec, 'name'> {
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
  /**
   * False: IAM answers AccessDenied to GetAccountAuthorizationDetails from
   * every principal of the account but its root, as when the scan role's
   * policy leaves IAM out.
   */
  iamReadable?: boolean;
  iam?: AccountIamSpec;
}

export type AccountStateName =
  | 'ACTIVE'
  | 'SUSPENDED'
  | 'PENDING_CLOSURE'
  | 'CLOSED';

export type OrganizationPolicyType =
  | 'SERVICE_CONTROL_POLICY'
  | 'RESOURCE_CONTROL_POLICY';

/** A customer managed SCP or RCP and where it is attached. */
export interface OrganizationPolicySpec {
  /** `p-` and 8 to 128 lower-case letters or digits; derived from the name when absent. */
  id?: string;
  name: string;
  type: OrganizationPolicyType;
  description?: string;
  content: PolicyDocumentSpec;
  /** `root`, an OU path (`Workloads/NonProd`) or a member account id. */
  targets: string[];
}

export interface OrganizationSpec {
  id: string;
  managementAccount: string;
  /**
   * Customer managed SCPs and RCPs. AWS's FullAWSAccess and RCPFullAWSAccess
   * are attached to the root, every OU and every account, as AWS does.
   */
  policies?: OrganizationPolicySpec[];
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
   * leaves the bucket without a policy. A mapping is stored as JSON.
   */
  policy?: string | PolicyDocumentSpec | null;
  /** S3 Block Public Access; `true` sets all four. Absent: none configured. */
  publicAccessBlock?: boolean | PublicAccessBlockSpec;
}

export interface PublicAccessBlockSpec {
  blockPublicAcls?: boolean;
  ignorePublicAcls?: boolean;
  blockPublicPolicy?: boolean;
  restrictPublicBuckets?: boolean;
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
  identityCenter?: IdentityCenterSpec;
  settings?: ScenarioSettings;
}
