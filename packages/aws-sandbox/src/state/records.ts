import type {
  AccountStateName,
  KeyStateName,
  OrganizationPolicyType,
} from '../scenario/types';

export interface RoleRecord {
  name: string;
  readOnly: boolean;
  externalId?: string;
  maxSessionDuration: number;
}

export interface AccountRecord {
  id: string;
  name: string;
  email: string;
  roles: RoleRecord[];
  assumeRoleDenied: boolean;
  inOrganization: boolean;
  joinedTimestamp: Date;
  state: AccountStateName;
  /** The root or OU the account sits in; undefined outside the organization. */
  parentId?: string;
}

/** An organizational unit; the root is kept apart in OrganizationRecord. */
export interface OrganizationalUnitRecord {
  id: string;
  name: string;
  parentId: string;
}

export interface GrantRecord {
  grantId: string;
  name?: string;
  creationDate: Date;
  granteePrincipal: string;
  retiringPrincipal?: string;
  issuingAccount: string;
  operations: string[];
  encryptionContextSubset?: Record<string, string>;
  encryptionContextEquals?: Record<string, string>;
}

export interface KeyRecord {
  account: string;
  region: string;
  id: string;
  arn: string;
  state: KeyStateName;
  keySpec: string;
  keyUsage: string;
  multiRegion: boolean;
  multiRegionType?: 'PRIMARY' | 'REPLICA';
  primaryRegion?: string;
  replicaRegions: string[];
  rotation: boolean;
  rotationPeriodInDays: number;
  /** Stored as text because scenarios may hold malformed policies. */
  policy: string;
  description: string;
  creationDate: Date;
  deletionDate?: Date;
  pendingWindowInDays?: number;
  grants: GrantRecord[];
  tags: Record<string, string>;
  /** DescribeKey's KeyManager; CUSTOMER when unset. */
  keyManager?: 'AWS' | 'CUSTOMER';
}

export interface AliasRecord {
  account: string;
  region: string;
  /** Full name including the alias/ prefix. */
  name: string;
  targetKeyId: string;
  creationDate: Date;
}

export interface BucketRecord {
  name: string;
  account: string;
  region: string;
  readers: string[];
  algorithm: string;
  kmsKey?: string;
  bucketKeyEnabled: boolean;
  creationDate: Date;
  /** The bucket policy document; undefined when the bucket has none. */
  policy?: string;
  /** S3 Block Public Access; undefined when none is configured. */
  publicAccessBlock?: {
    blockPublicAcls: boolean;
    ignorePublicAcls: boolean;
    blockPublicPolicy: boolean;
    restrictPublicBuckets: boolean;
  };
}

export interface TrailRecord {
  account: string;
  name: string;
  homeRegion: string;
  arn: string;
  multiRegion: boolean;
  organization: boolean;
  bucket: string;
  s3KeyPrefix?: string;
  kmsKeyArn?: string;
  isLogging: boolean;
  latestDeliveryError?: string;
  latestDeliveryTime?: Date;
  /** When CloudTrail last tried to deliver; unset until a simulated attempt. */
  latestDeliveryAttemptTime?: Date;
  /**
   * Set by a write that can change whether delivery works (the trail, its
   * key, its bucket's policy): the next GetTrailStatus attempts a delivery.
   */
  deliveryDirty?: boolean;
  startLoggingTime: Date;
  stopLoggingTime?: Date;
  logFileValidation: boolean;
  includeGlobalServiceEvents: boolean;
}

export interface CredentialRecord {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  userName?: string;
}

export interface OrganizationRecord {
  id: string;
  managementAccount: string;
  /** `r-…`, derived from the organization id. */
  rootId: string;
}

/** An SCP or RCP and the ids of the roots, OUs and accounts it is attached to. */
export interface OrganizationPolicyRecord {
  id: string;
  arn: string;
  name: string;
  description: string;
  type: OrganizationPolicyType;
  awsManaged: boolean;
  /** JSON text, as DescribePolicy returns it. */
  content: string;
  targets: Set<string>;
}

export const keyArn = (region: string, account: string, id: string) =>
  `arn:aws:kms:${region}:${account}:key/${id}`;

export const trailArn = (region: string, account: string, name: string) =>
  `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;

/** Key state flags that DescribeKey derives from KeyState. */
export function keyEnabled(key: KeyRecord): boolean {
  return key.state === 'Enabled';
}
