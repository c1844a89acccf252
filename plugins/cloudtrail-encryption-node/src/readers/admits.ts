import { classifyAwsPrincipal } from '../analysis/principals';
import type { ParsedPolicy, ParsedStatement } from '../policy/document';
import {
  admissionOf,
  DECRYPT_ACTIONS,
  grantAccounts,
  READ_ACTIONS,
} from './accounts';
import type { IamPrincipal } from './authorizationDetails';
import { PolicySource, principalMatch, statementsFor } from './statements';
import type { ReaderAnalysisInput } from './types';

/**
 * Whether a resource policy can allow an action to principals of an
 * account at all, from its Principal elements alone: an Allow statement
 * with `*`, a NotPrincipal or no Principal may let in anyone; the others
 * only the accounts their principals belong to. Sound, not complete: used
 * to skip the evaluation of a cross-account half that can only be denied,
 * never to decide one that might be allowed.
 */
export function resourcePolicyMayAdmit(
  statements: ParsedStatement[],
  action: string,
): (accountId: string) => boolean {
  const accounts = new Set<string>();
  for (const statement of statementsFor(statements, action)) {
    if (statement.effect !== 'Allow') continue;
    const spec = statement.principal;
    if (!spec || spec.wildcard) return () => true;
    for (const value of spec.aws) {
      const identity = classifyAwsPrincipal(value);
      if (identity.kind === 'any') return () => true;
      if (identity.accountId) accounts.add(identity.accountId);
    }
  }
  return accountId => accounts.has(accountId);
}

/**
 * Which partial readers a report lists. A key or bucket open to principals
 * of every account makes each account's administrators partial readers
 * (decrypt yes, S3 no, or the reverse): thousands of entries across a
 * fleet that say the same thing. Those of the key's, the bucket's and the
 * trail's accounts, of accounts a policy names, and principals a policy
 * names stay listed, and up to `partialLimit` others; the rest are
 * counted. Effective readers are always listed.
 */
export function partialFilter(
  input: ReaderAnalysisInput,
  key: ParsedPolicy,
  bucket: PolicySource | undefined,
): (principal: IamPrincipal) => boolean {
  const keyAdmission = admissionOf(key.statements, DECRYPT_ACTIONS);
  const bucketAdmission = bucket
    ? admissionOf(bucket.statements, READ_ACTIONS)
    : undefined;
  if (!keyAdmission.any && !bucketAdmission?.any) return () => true;
  const accounts = new Set([
    ...keyAdmission.accounts,
    ...(bucketAdmission?.accounts ?? []),
    ...grantAccounts(input.grants),
    input.key.accountId,
    input.trail.ownerAccountId,
    ...(input.bucket.ownerAccountId ? [input.bucket.ownerAccountId] : []),
  ]);
  const naming = [...key.statements, ...(bucket?.statements ?? [])].filter(
    s => s.principal && !s.principal.wildcard && s.principal.aws.length,
  );
  // A Principal names a principal only in its own account (or as `*`):
  // the principals of every other account are not asked statement by
  // statement, which a fleet's thousands of partial readers would be.
  let namesAnyone = false;
  const namingAccounts = new Set<string>();
  for (const statement of naming) {
    for (const value of statement.principal!.aws) {
      const identity = classifyAwsPrincipal(value);
      if (identity.kind === 'any') namesAnyone = true;
      else if (identity.accountId) namingAccounts.add(identity.accountId);
    }
  }
  return principal =>
    accounts.has(principal.accountId) ||
    ((namesAnyone || namingAccounts.has(principal.accountId)) &&
      naming.some(s => principalMatch(s, principal) === 'direct'));
}
