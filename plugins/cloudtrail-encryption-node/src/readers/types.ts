import type { KmsGrant } from '../analysis/grants';

/**
 * What `aws iam get-account-authorization-details` prints, or the SDK's
 * GetAccountAuthorizationDetailsResponse with its pages concatenated.
 * Policy documents may be objects or URL-encoded JSON strings (as the API
 * returns them).
 *
 * @public
 */
export interface AuthorizationDetails {
  UserDetailList?: unknown[];
  GroupDetailList?: unknown[];
  RoleDetailList?: unknown[];
  Policies?: unknown[];
}

/** @public */
export interface ReaderAccountInput {
  accountId: string;
  accountName?: string;
  details?: AuthorizationDetails;
  /** The AWS error when the account's IAM could not be read. */
  error?: string;
}

/** @public */
export interface OrganizationPolicy {
  id: string;
  type: 'SCP' | 'RCP';
  name?: string;
  document: unknown;
  /** Roots (`r-…`), OUs (`ou-…`) and account ids the policy is attached to. */
  targetIds: string[];
}

/** @public */
export interface OrganizationPolicies {
  organizationId: string;
  managementAccountId: string;
  memberAccountIds: string[];
  /** Each account's parents from the root: `['r-…', 'ou-…', …]`. */
  parentsByAccount: Record<string, string[]>;
  policies: OrganizationPolicy[];
}

/** @public */
export interface ReaderTrailInput {
  trailArn: string;
  ownerAccountId: string;
  isOrganizationTrail: boolean;
  s3BucketName: string;
  s3KeyPrefix?: string;
  bucketRegion?: string;
}

/** @public */
export interface ReaderAnalysisInput {
  trail: ReaderTrailInput;
  key: { arn: string; accountId: string; policy: unknown };
  bucket: {
    ownerAccountId?: string;
    /** `null`: the bucket has no bucket policy. */
    policy?: unknown | null;
    policyError?: string;
  };
  grants?: KmsGrant[];
  /** The accounts planned by `readerAccountsFor`. */
  accounts: ReaderAccountInput[];
  organization?: OrganizationPolicies;
  organizationId?: string;
  /** Accounts that count as ours besides the organization's members. */
  trustedAccountIds?: string[];
  /**
   * When the key or the bucket lets in every account: how many partial
   * readers of accounts neither owning the key, bucket or trail nor named
   * by a policy are listed (default: all; a scan lists 100 per trail); the
   * others are only counted.
   */
  partialLimit?: number;
}

/** @public */
export interface ReaderAccountsInput {
  key: { accountId: string; policy: unknown };
  bucket: { ownerAccountId?: string; policy?: unknown | null };
  grants?: KmsGrant[];
  organizationId?: string;
  estateAccountIds: string[];
}

/** @public */
export interface ReaderAccountsPlan {
  accountIds: string[];
  /** Every estate account is admitted (an organization or `*` condition). */
  wholeOrganization: boolean;
}
