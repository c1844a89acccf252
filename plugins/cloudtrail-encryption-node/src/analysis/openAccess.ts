import type {
  DecryptPrincipal,
  PolicyCondition,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { parseOperator } from './conditions';

/** Condition keys that say who the caller is (as opposed to where or how it calls). */
const IDENTITY_KEYS = new Set([
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:principaltype',
  'aws:principalservicename',
  'aws:userid',
  'aws:username',
  'kms:calleraccount',
]);

/**
 * Whether a remaining condition limits which principals qualify: an Allow
 * condition that requires an identity value, or a Deny that applies to
 * everyone outside a set of identities.
 */
function restrictsIdentity(condition: PolicyCondition): boolean {
  const denied = condition.operator.startsWith('Deny:');
  const operator = denied
    ? condition.operator.slice('Deny:'.length)
    : condition.operator;
  if (operator === 'NotPrincipal') return denied;
  if (operator === 'Principal') return false;
  const key = condition.key.toLowerCase();
  if (!IDENTITY_KEYS.has(key) && !key.startsWith('aws:principaltag/')) {
    return false;
  }
  const parsed = parseOperator(operator);
  if (!parsed || parsed.spec === 'null') return false;
  return denied ? parsed.spec.negated : !parsed.spec.negated;
}

/**
 * `*` (or everyone-but-a-few via NotPrincipal) with nothing pinning the
 * caller to accounts or an organization: any AWS principal anywhere.
 *
 * @public
 */
export function isOpenToAnyPrincipal(principal: DecryptPrincipal): boolean {
  return (
    principal.kind === 'any' &&
    !principal.organizationId &&
    !principal.conditions.some(restrictsIdentity)
  );
}
