import type { PolicyCondition } from './policyCondition';

/**
 * Effective readers of a trail's log files: IAM principals allowed both
 * `s3:GetObject` on the log objects and `kms:Decrypt` through S3 (with the
 * request context S3 sends: ViaService, CallerAccount and the full encryption
 * context). Documented in docs/readers.md.
 */

/**
 * The policy layer a step of a reader's path comes from.
 *
 * @public
 */
export type ReaderPathLayer =
  | 'key-policy'
  | 'grant'
  | 'identity-policy'
  | 'bucket-policy'
  | 'permission-boundary'
  | 'scp'
  | 'rcp';

/**
 * One statement that lets a reader in (or that it had to pass).
 *
 * @public
 */
export interface ReaderPathStep {
  layer: ReaderPathLayer;
  /**
   * The policy: `key policy`, `bucket policy`, a managed policy ARN, an
   * inline policy as `inline:<name>` (on the role/user/group it is attached
   * to, given in `attachedTo`), an SCP/RCP id, a grant id.
   */
  policy: string;
  /** The statement's Sid, or `#<index>` (0-based) when it has none. */
  statement: string;
  /** For inline and group policies: the role, user or group ARN carrying it. */
  attachedTo?: string;
}

/**
 * What may assume a reader role, from its trust policy (one hop).
 *
 * @public
 */
export interface ReaderTrustee {
  /** As written in the trust policy: an ARN, an account id, `*`, a service or SAML provider. */
  principal: string;
  kind:
    | 'account-root'
    | 'iam-role'
    | 'iam-user'
    | 'service'
    | 'federated'
    | 'any';
  accountId?: string;
  /** True when the trustee is an AWS account (or anyone) outside the organization. */
  outsideOrganization?: boolean;
  /** An IAM Identity Center permission set name, when the role is an SSO role. */
  permissionSet?: string;
  conditions: PolicyCondition[];
}

/** @public */
export interface EffectiveReader {
  /** The role or user ARN. */
  principal: string;
  kind: 'iam-role' | 'iam-user';
  accountId: string;
  accountName?: string;
  /** Not the account that owns the trail's log bucket. */
  crossAccount: boolean;
  /** The account is known not to be a member of the estate's organization. */
  outsideOrganization: boolean;
  /** The statements that grant kms:Decrypt and s3:GetObject, in that order of layers. */
  via: ReaderPathStep[];
  /** Conditions the analysis could not decide; the reader is "allowed only when …". */
  conditions: PolicyCondition[];
  /** Allowed through a broad grant (`Action: *`, `kms:*` on `*`, `s3:*`). */
  broad?: boolean;
  /** For roles: who may assume it (one hop). */
  trustedBy?: ReaderTrustee[];
}

/**
 * A principal with only one half of what reading the logs takes.
 *
 * @public
 */
export interface PartialReader extends EffectiveReader {
  lacks: 'kms:Decrypt' | 's3:GetObject';
}

/**
 * An account whose principals may be readers but whose IAM could not be read.
 *
 * @public
 */
export interface UnresolvedReaderAccount {
  accountId: string;
  accountName?: string;
  /** Why: the AWS error, or "not in the scanned estate". */
  reason: string;
  /** The permission the scan role lacks, e.g. `iam:GetAccountAuthorizationDetails`. */
  missingPermission?: string;
}

/**
 * A statement left out of the evaluation (AWS accepts it but it has no effect).
 *
 * @public
 */
export interface IneffectiveStatement {
  policy: string;
  statement: string;
  reason: string;
}

/** @public */
export interface TrailReaders {
  readers: EffectiveReader[];
  /**
   * Principals with one half only. When the key or the bucket lets in
   * principals of every account, each account's administrators are partial
   * readers: only those of the key's, the bucket's and the trail's accounts
   * and those a policy names are listed, the rest counted in `partialOmitted`.
   */
  partial: PartialReader[];
  /** Partial readers left out of `partial` (see above); absent when none. */
  partialOmitted?: number;
  unresolved: UnresolvedReaderAccount[];
  ineffective?: IneffectiveStatement[];
  /** When the bucket policy could not be read (the S3 half is then decided from IAM alone where the bucket is in the reader's account). */
  bucketPolicyError?: string;
}
