import type { DecryptPrincipal } from '@trailguard/plugin-cloudtrail-encryption-common';
import { classifyGrantee } from './principals';
import { CLOUDTRAIL_CONTEXT_KEY, KeyPolicyContext } from './requestContext';

/**
 * A grant as ListGrants returns it (the SDK's GrantListEntry shape).
 *
 * @public
 */
export interface KmsGrant {
  GrantId?: string;
  Name?: string;
  GranteePrincipal?: string;
  RetiringPrincipal?: string;
  Operations?: string[];
  Constraints?: {
    EncryptionContextSubset?: Record<string, string>;
    EncryptionContextEquals?: Record<string, string>;
  };
}

type EncryptionContext = Record<string, string>;

/**
 * Grant constraints compare encryption-context keys case-insensitively and
 * values case-sensitively (KMS GrantConstraints documentation).
 */
function contains(context: EncryptionContext, required: EncryptionContext) {
  return Object.entries(required).every(([key, value]) =>
    Object.entries(context).some(
      ([name, actual]) =>
        name.toLowerCase() === key.toLowerCase() && actual === value,
    ),
  );
}

/**
 * Whether a grant's constraints admit the encryption context of every log
 * file of the trail. That context holds aws:cloudtrail:arn and aws:s3:arn,
 * the object's ARN, which differs per file: a constraint pinning aws:s3:arn,
 * and any EncryptionContextEquals (it would have to name that ARN), admit
 * one object at most, not the trail's logs.
 *
 * @public
 */
export function grantAllowsLogContext(
  grant: KmsGrant,
  trailArn: string,
): boolean {
  const logContext = { [CLOUDTRAIL_CONTEXT_KEY]: trailArn };
  const subset = grant.Constraints?.EncryptionContextSubset;
  const equals = grant.Constraints?.EncryptionContextEquals;
  if (subset && !contains(logContext, subset)) return false;
  if (equals) return false;
  return true;
}

/**
 * Principals that grants on the key allow to decrypt the trail's log files.
 *
 * @public
 */
export function principalsFromGrants(
  grants: KmsGrant[],
  context: Pick<KeyPolicyContext, 'trailArn'>,
): DecryptPrincipal[] {
  const result: DecryptPrincipal[] = [];
  for (const grant of grants) {
    if (!grant.GranteePrincipal) continue;
    if (!(grant.Operations ?? []).includes('Decrypt')) continue;
    if (!grantAllowsLogContext(grant, context.trailArn)) continue;
    const identity = classifyGrantee(grant.GranteePrincipal);
    if (identity.deleted) continue;
    result.push({
      principal: grant.GranteePrincipal,
      kind: identity.kind,
      ...(identity.accountId ? { accountId: identity.accountId } : {}),
      via: 'grant',
      conditions: [],
      source: grant.GrantId ?? grant.Name,
    });
  }
  return result;
}
