import { parseOperator } from '../analysis/conditions';
import { classifyGrantee, classifyAwsPrincipal } from '../analysis/principals';
import { actionApplies } from '../analysis/statementMatch';
import type { KmsGrant } from '../analysis/grants';
import { parsePolicy, ParsedStatement } from '../policy/document';
import { hasWildcard } from '../policy/wildcard';
import type { ReaderAccountsInput, ReaderAccountsPlan } from './types';

/** Which accounts' principals a resource policy lets in for an action. */
export interface Admission {
  accounts: Set<string>;
  organizations: Set<string>;
  /** Principals of any account (an unpinned `*` or NotPrincipal). */
  any: boolean;
}

const ACCOUNT_KEYS = ['kms:calleraccount', 'aws:principalaccount'];

export const emptyAdmission = (): Admission => ({
  accounts: new Set(),
  organizations: new Set(),
  any: false,
});

/** Literal values a condition pins a single-valued key to. */
function pinned(statement: ParsedStatement, keys: string[]): string[] {
  const values: string[] = [];
  for (const condition of statement.conditions) {
    if (!keys.includes(condition.key.toLowerCase())) continue;
    const parsed = parseOperator(condition.operator);
    if (!parsed || parsed.spec === 'null' || parsed.spec.negated) continue;
    if (parsed.ifExists || parsed.set === 'all') continue;
    if (!/^String(Equals|Like)$/.test(parsed.spec.name)) continue;
    if (condition.values.some(hasWildcard)) continue;
    values.push(...condition.values);
  }
  return values;
}

export function admissionOf(
  statements: ParsedStatement[],
  actions: string[],
): Admission {
  const admission = emptyAdmission();
  for (const statement of statements) {
    if (statement.effect !== 'Allow') continue;
    if (!actions.some(a => actionApplies(statement, a))) continue;
    const spec = statement.principal;
    const everyone = !spec || spec.wildcard;
    if (everyone) {
      const accounts = pinned(statement, ACCOUNT_KEYS);
      const orgs = pinned(statement, ['aws:principalorgid']);
      accounts.forEach(a => admission.accounts.add(a));
      orgs.forEach(o => admission.organizations.add(o));
      if (!accounts.length && !orgs.length) admission.any = true;
    }
    for (const value of spec?.aws ?? []) {
      const accountId = classifyAwsPrincipal(value).accountId;
      if (accountId) admission.accounts.add(accountId);
    }
  }
  return admission;
}

/** A stored policy document, or none when it cannot be read. */
export function statementsOf(
  policy: unknown,
  kind: 'key' | 'resource',
): ParsedStatement[] | undefined {
  if (policy === undefined || policy === null) return undefined;
  try {
    const parsed = parsePolicy(policy, { kind });
    return parsed.ok ? parsed.policy.statements : undefined;
  } catch {
    return undefined;
  }
}

export function grantAccounts(grants: KmsGrant[] = []): string[] {
  return grants
    .filter(g => (g.Operations ?? []).includes('Decrypt'))
    .map(g => classifyGrantee(g.GranteePrincipal ?? '').accountId)
    .filter((a): a is string => !!a);
}

export const DECRYPT_ACTIONS = ['kms:Decrypt'];
export const READ_ACTIONS = ['s3:GetObject'];

/**
 * The accounts whose IAM a trail's reader analysis needs: the key's
 * account (root delegation), the bucket owner, every account the key
 * policy, the grants or the bucket policy name or pin by kms:CallerAccount
 * / aws:PrincipalAccount, and every estate account when the organization
 * (or an unpinned `*`) is admitted.
 *
 * @public
 */
export function readerAccountsFor(
  input: ReaderAccountsInput,
): ReaderAccountsPlan {
  const accounts = new Set<string>([input.key.accountId]);
  if (input.bucket.ownerAccountId) accounts.add(input.bucket.ownerAccountId);
  let wholeOrganization = false;
  const admissions = [
    admissionOf(statementsOf(input.key.policy, 'key') ?? [], DECRYPT_ACTIONS),
    admissionOf(
      statementsOf(input.bucket.policy, 'resource') ?? [],
      READ_ACTIONS,
    ),
  ];
  for (const admission of admissions) {
    admission.accounts.forEach(a => accounts.add(a));
    if (
      admission.any ||
      (input.organizationId &&
        admission.organizations.has(input.organizationId))
    ) {
      wholeOrganization = true;
    }
  }
  grantAccounts(input.grants).forEach(a => accounts.add(a));
  if (wholeOrganization) input.estateAccountIds.forEach(a => accounts.add(a));
  return { accountIds: [...accounts].sort(), wholeOrganization };
}
