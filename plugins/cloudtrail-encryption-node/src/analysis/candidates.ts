import type {
  DecryptPrincipal,
  PolicyCondition,
  PrincipalVia,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { ParsedStatement } from '../policy/document';
import type { PrincipalIdentity } from './principals';
import type { PrincipalFacts } from './requestContext';

/** A principal on its way to becoming a DecryptPrincipal. */
export interface Candidate {
  identity: PrincipalIdentity;
  via: PrincipalVia;
  organizationId?: string;
  conditions: PolicyCondition[];
  source: string;
  facts: PrincipalFacts;
}

/**
 * Synthetic operators used on DecryptPrincipal conditions, besides the IAM
 * operators copied from the policy:
 * - `NotPrincipal` (key `Principal`): an Allow with NotPrincipal, everyone but these.
 * - `Deny:<operator>`: a condition of a Deny statement; the principal is
 *   denied when all `Deny:` entries of that statement hold.
 * - `Deny:Principal` / `Deny:NotPrincipal` (key `Principal`): the part of a
 *   broad principal (`*`, an account) a Deny names, or everyone but the
 *   principals a Deny's NotPrincipal lists.
 *
 * @public
 */
export const PRINCIPAL_CONDITION_KEY = 'Principal';

export function addNotes(
  notes: Set<string>,
  statement: ParsedStatement,
  found: string[],
) {
  for (const note of found) notes.add(`${statement.label}: ${note}`);
}

export function factsFor(identity: PrincipalIdentity): PrincipalFacts {
  if (identity.kind === 'any') return { type: 'unknown' };
  if (identity.kind === 'service') {
    return { type: 'service', service: identity.service };
  }
  if (identity.kind === 'federated' && !identity.principalArn) {
    return { type: 'federated' };
  }
  if (!identity.accountId) return { type: 'unknown' };
  return {
    type: 'aws',
    accountId: identity.accountId,
    principalArn: identity.principalArn,
  };
}

export function viaFor(identity: PrincipalIdentity): PrincipalVia {
  return identity.kind === 'account-root' && !identity.unrecognised
    ? 'iam-delegation'
    : 'key-policy';
}

function conditionKey(condition: PolicyCondition): string {
  return JSON.stringify([condition.operator, condition.key, condition.values]);
}

/**
 * Same principal, same route, same conditions: one entry, sources merged.
 *
 * @public
 */
export function dedupePrincipals(
  principals: DecryptPrincipal[],
): DecryptPrincipal[] {
  const byKey = new Map<string, DecryptPrincipal>();
  for (const principal of principals) {
    const identity =
      principal.kind === 'account-root' && principal.accountId
        ? `account:${principal.accountId}`
        : principal.principal;
    const key = JSON.stringify([
      identity,
      principal.kind,
      principal.via,
      principal.organizationId ?? '',
      principal.conditions.map(conditionKey).sort(),
    ]);
    const existing = byKey.get(key);
    if (!existing) {
      byKey.set(key, { ...principal });
    } else if (
      principal.source &&
      !(existing.source ?? '').split(', ').includes(principal.source)
    ) {
      existing.source = existing.source
        ? `${existing.source}, ${principal.source}`
        : principal.source;
    }
  }
  return [...byKey.values()];
}

export function toDecryptPrincipal(candidate: Candidate): DecryptPrincipal {
  const { identity } = candidate;
  return {
    principal: identity.principal,
    kind: identity.kind,
    ...(identity.accountId ? { accountId: identity.accountId } : {}),
    ...(candidate.organizationId
      ? { organizationId: candidate.organizationId }
      : {}),
    via: candidate.via,
    conditions: candidate.conditions,
    source: candidate.source,
  };
}
