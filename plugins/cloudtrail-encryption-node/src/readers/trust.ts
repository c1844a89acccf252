import type {
  PolicyCondition,
  ReaderTrustee,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { classifyAwsPrincipal } from '../analysis/principals';
import { actionApplies } from '../analysis/statementMatch';
import { parsePolicy, ParsedStatement } from '../policy/document';
import { decodePolicyDocument } from './authorizationDetails';
import type { Membership } from './requests';
import { memoByText } from '../policy/textMemo';

/**
 * One hop further than the reader: who may assume a reader role, from its
 * trust policy. Conditions are kept as written (an external id, an MFA
 * requirement, a source identity); only the organization and account
 * restrictions decide whether "anyone" is really anyone.
 */

const ASSUME_ACTIONS = [
  'sts:AssumeRole',
  'sts:AssumeRoleWithSAML',
  'sts:AssumeRoleWithWebIdentity',
];
/** Condition keys that narrow a `*` trustee to accounts or an organization. */
const NARROWING_KEYS = [
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:sourceaccount',
  'aws:sourceorgid',
  'aws:sourcearn',
];
const SSO_ROLE = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/;

/**
 * The IAM Identity Center permission set an SSO role stands for.
 *
 * @public
 */
export function permissionSetOf(roleName: string): string | undefined {
  return SSO_ROLE.exec(roleName)?.[1];
}

const toConditions = (statement: ParsedStatement): PolicyCondition[] =>
  statement.conditions.map(c => ({
    operator: c.operator,
    key: c.key,
    values: [...c.values],
  }));

/** Whether the conditions pin a `*` trustee to our organization (or accounts). */
function narrowed(conditions: PolicyCondition[], organizationId?: string) {
  return conditions.some(c => {
    const key = c.key.toLowerCase();
    if (!NARROWING_KEYS.includes(key)) return false;
    if (c.operator.includes('Not')) return false;
    if (key === 'aws:principalorgid' && organizationId) {
      return c.values.every(v => v === organizationId);
    }
    return !c.values.includes('*');
  });
}

type ParsedTrust = ReturnType<typeof parsePolicy> | undefined;

function parseTrust(trustPolicy: unknown): ParsedTrust {
  try {
    return parsePolicy(decodePolicyDocument(trustPolicy), { kind: 'trust' });
  } catch {
    return undefined;
  }
}

/**
 * Trust policies parsed by their text: a role that reads several trails'
 * logs is listed, with its trustees, under each. Those uses come close
 * together (the trails of the account being analysed), so a few hundred
 * places keep them: at 5,002 accounts, 128 places answered 13,742 of
 * 18,384 look-ups and 2,048 places 13,776. Each place holds a text and its
 * parsed statements (about 1.8 kB): 2,048 of them were 3.8 MB of a scan's
 * second phase, held on after the scan.
 */
const parseTrustText = memoByText(256, parseTrust);

function parsedTrustPolicy(trustPolicy: unknown): ParsedTrust {
  return typeof trustPolicy === 'string'
    ? parseTrustText(trustPolicy)
    : parseTrust(trustPolicy);
}

export function trusteesOf(
  roleName: string,
  trustPolicy: unknown,
  membership: Membership,
): ReaderTrustee[] {
  const parsed = parsedTrustPolicy(trustPolicy);
  if (!parsed?.ok) return [];
  const permissionSet = permissionSetOf(roleName);
  const trustees: ReaderTrustee[] = [];
  for (const statement of parsed.policy.statements) {
    if (statement.effect !== 'Allow') continue;
    if (!ASSUME_ACTIONS.some(a => actionApplies(statement, a))) continue;
    const conditions = toConditions(statement);
    const spec = statement.principal ?? statement.notPrincipal;
    if (!spec) continue;
    if (spec.wildcard || statement.notPrincipal) {
      trustees.push({
        principal: '*',
        kind: 'any',
        outsideOrganization: !narrowed(conditions, membership.organizationId),
        conditions,
      });
    }
    if (statement.notPrincipal) continue;
    for (const value of spec.aws.filter(v => v !== '*')) {
      const identity = classifyAwsPrincipal(value);
      const kind =
        identity.kind === 'iam-role' || identity.kind === 'iam-user'
          ? identity.kind
          : 'account-root';
      trustees.push({
        principal: value,
        kind,
        ...(identity.accountId ? { accountId: identity.accountId } : {}),
        outsideOrganization:
          !!identity.accountId && membership.isOutside(identity.accountId),
        conditions,
      });
    }
    for (const service of spec.service) {
      trustees.push({ principal: service, kind: 'service', conditions });
    }
    for (const provider of spec.federated) {
      const accountId = /^arn:[^:]+:iam::(\d{12}):/.exec(provider)?.[1];
      trustees.push({
        principal: provider,
        kind: 'federated',
        ...(accountId ? { accountId } : {}),
        ...(permissionSet ? { permissionSet } : {}),
        conditions,
      });
    }
  }
  return trustees;
}

/** A trustee that lets anyone, or any account, assume the role. */
export function isOpenTrustee(trustee: ReaderTrustee): boolean {
  return trustee.kind === 'any' && trustee.outsideOrganization === true;
}
