import type { PrincipalKind } from '@trailguard/plugin-cloudtrail-encryption-common';

/** One principal named in a policy or grant, classified. */
export interface PrincipalIdentity {
  /** As written. */
  principal: string;
  kind: PrincipalKind;
  accountId?: string;
  /** The value `aws:PrincipalArn` takes for requests by this principal, when known. */
  principalArn?: string;
  /** Lower-case service principal name, for service principals. */
  service?: string;
  /**
   * A canonical form for comparisons: `111122223333` and
   * `arn:aws:iam::111122223333:root` are the same principal.
   */
  id: string;
  /** The IAM principal was deleted; the policy now shows its unique id and no one matches it. */
  deleted?: boolean;
  /** The value is not a principal format this scan knows. */
  unrecognised?: boolean;
}

const ACCOUNT_ID = /^\d{12}$/;
const IAM_ARN = /^arn:[^:]+:iam::(\d{12}):(.+)$/;
const STS_ARN = /^arn:[^:]+:sts::(\d{12}):(assumed-role|federated-user)\/(.+)$/;
// Deleted roles and users are shown by their unique ids (AROA…, AIDA…).
const UNIQUE_ID = /^(AROA|AIDA)[A-Z0-9]{12,}$/;

export const WILDCARD_IDENTITY: PrincipalIdentity = {
  principal: '*',
  kind: 'any',
  id: '*',
};

export function accountRootIdentity(
  accountId: string,
  principal = accountId,
): PrincipalIdentity {
  return {
    principal,
    kind: 'account-root',
    accountId,
    id: `account:${accountId}`,
  };
}

export function classifyAwsPrincipal(value: string): PrincipalIdentity {
  if (value === '*') return WILDCARD_IDENTITY;
  if (ACCOUNT_ID.test(value)) return accountRootIdentity(value);
  if (UNIQUE_ID.test(value)) {
    const kind = value.startsWith('AROA') ? 'iam-role' : 'iam-user';
    return { principal: value, kind, id: value, deleted: true };
  }
  const iam = IAM_ARN.exec(value);
  if (iam) {
    const [, accountId, resource] = iam;
    if (resource === 'root') return accountRootIdentity(accountId, value);
    const base = { principal: value, accountId, id: value };
    if (resource.startsWith('role/')) {
      return { ...base, kind: 'iam-role', principalArn: value };
    }
    if (resource.startsWith('user/')) {
      return { ...base, kind: 'iam-user', principalArn: value };
    }
    if (
      resource.startsWith('saml-provider/') ||
      resource.startsWith('oidc-provider/')
    ) {
      return { ...base, kind: 'federated' };
    }
    // Kept rather than dropped: hiding a possible reader is the worse error.
    return { ...base, kind: 'account-root', unrecognised: true };
  }
  const sts = STS_ARN.exec(value);
  if (sts) {
    const [, accountId, type] = sts;
    return {
      principal: value,
      accountId,
      id: value,
      kind: type === 'assumed-role' ? 'iam-role' : 'federated',
    };
  }
  return {
    principal: value,
    kind: 'account-root',
    id: value,
    unrecognised: true,
  };
}

export function classifyServicePrincipal(value: string): PrincipalIdentity {
  if (value === '*') return WILDCARD_IDENTITY;
  const service = value.toLowerCase();
  return {
    principal: value,
    kind: 'service',
    service,
    id: `service:${service}`,
  };
}

export function classifyFederatedPrincipal(value: string): PrincipalIdentity {
  const iam = IAM_ARN.exec(value);
  return {
    principal: value,
    kind: 'federated',
    accountId: iam?.[1],
    id: `federated:${value}`,
  };
}

/** Grant grantees are ARNs, account ids or service principal names. */
export function classifyGrantee(value: string): PrincipalIdentity {
  if (!value.startsWith('arn:') && !ACCOUNT_ID.test(value)) {
    if (value.includes('.')) return classifyServicePrincipal(value);
  }
  return classifyAwsPrincipal(value);
}
