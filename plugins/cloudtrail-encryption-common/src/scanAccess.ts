import { parseArn, partitionOf, type AwsPartition } from './arn';
import type { PolicyJsonMap } from './keyPolicyStatements';

/**
 * How the backend reaches one account: the role it assumes there, or
 * credentials configured for the account itself (no role).
 *
 * @public
 */
export interface ScanRoleSetting {
  /** The role assumed in the account; undefined when the account has its own credentials. */
  roleName?: string;
  /** The role's partition; defaults to the scanning identity's. */
  partition?: AwsPartition;
  /** Whether AssumeRole passes an external id. Its value is never served. */
  externalIdRequired: boolean;
}

/**
 * What an account needs so that the backend can scan it, as served in the
 * estate summary: the backend's own identity and the role it assumes.
 *
 * @public
 */
export interface ScanAccess {
  /** The backend's own identity, as `sts:GetCallerIdentity` returns it. */
  scanningIdentityArn?: string;
  /** The principal a scan role's trust policy names (an STS session's role ARN). */
  trustPrincipalArn?: string;
  /** Why the identity could not be learned. */
  identityError?: string;
  /** The role assumed in every account without a setting of its own (`aws.accountDefaults`). */
  defaultRole?: ScanRoleSetting;
  /** Accounts with a setting of their own (`aws.accounts[]`), among those the caller may see. */
  accounts?: Record<string, ScanRoleSetting>;
}

/**
 * The role the backend assumes in an account.
 *
 * @public
 */
export interface ScanRole {
  roleArn: string;
  roleName: string;
  externalIdRequired: boolean;
}

/**
 * What the documents use where a secret value is not shown.
 *
 * @public
 */
export const EXTERNAL_ID_PLACEHOLDER = 'YOUR_EXTERNAL_ID';

/**
 * The principal to trust for a caller ARN: an STS session
 * (`arn:aws:sts::ACCT:assumed-role/Role/session`) is trusted through its role,
 * `arn:aws:iam::ACCT:role/Role` (a role path, if any, is not in the session
 * ARN; IAM accepts the role without it only when it has none). IAM users and
 * account roots are trusted as they are.
 *
 * @public
 */
export function trustPrincipalOf(callerArn: string): string {
  const arn = parseArn(callerArn);
  const session = arn?.resource.match(/^assumed-role\/([^/]+)\/.+$/);
  if (arn && arn.service === 'sts' && session) {
    return `arn:${arn.partition}:iam::${arn.accountId}:role/${session[1]}`;
  }
  return callerArn;
}

/**
 * The role the backend assumes in an account, or undefined when the account
 * is reached with credentials of its own (or no role is configured).
 *
 * @public
 */
export function scanRoleOf(
  access: ScanAccess,
  accountId: string,
): ScanRole | undefined {
  const setting = access.accounts?.[accountId] ?? access.defaultRole;
  if (!setting?.roleName) return undefined;
  const partition =
    setting.partition ??
    partitionOf(access.trustPrincipalArn ?? access.scanningIdentityArn) ??
    'aws';
  return {
    roleName: setting.roleName,
    roleArn: `arn:${partition}:iam::${accountId}:role/${setting.roleName}`,
    externalIdRequired: setting.externalIdRequired,
  };
}

/**
 * The trust policy of a scan role: only the backend's identity may assume
 * it, with the external id when one is configured (shown as
 * `YOUR_EXTERNAL_ID`, never the configured value).
 *
 * @public
 */
export function scanRoleTrustPolicy(options: {
  trustPrincipalArn: string;
  externalIdRequired: boolean;
}): PolicyJsonMap {
  const statement: PolicyJsonMap = {
    Effect: 'Allow',
    Principal: { AWS: options.trustPrincipalArn },
    Action: 'sts:AssumeRole',
  };
  if (options.externalIdRequired) {
    statement.Condition = {
      StringEquals: { 'sts:ExternalId': EXTERNAL_ID_PLACEHOLDER },
    };
  }
  return { Version: '2012-10-17', Statement: [statement] };
}

/**
 * Whether a scan error says the account's role could not be assumed (the
 * credentials step failed), rather than that a later call was refused.
 *
 * @public
 */
export function isAssumeRoleFailure(error: string | undefined): boolean {
  return !!error && /\bsts:AssumeRole\b|\bAssumeRole\b/.test(error);
}
