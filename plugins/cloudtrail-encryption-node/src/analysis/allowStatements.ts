import type { PolicyCondition } from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  addNotes,
  Candidate,
  factsFor,
  PRINCIPAL_CONDITION_KEY,
  viaFor,
} from './candidates';
import { evaluateConditions, parseOperator } from './conditions';
import { hasWildcard } from '../policy/wildcard';
import type { ParsedCondition, ParsedStatement } from '../policy/document';
import { accountRootIdentity, WILDCARD_IDENTITY } from './principals';
import {
  decryptContext,
  KeyPolicyContext,
  PrincipalFacts,
} from './requestContext';
import { identitiesOf, writtenPrincipals } from './statementMatch';

const ACCOUNT_KEYS = ['kms:calleraccount', 'aws:principalaccount'];
const ORG_ID = /^o-[a-z0-9]+$/;

/** Values of a condition that pins a single-valued key to a set of literals. */
function pinnedValues(condition: ParsedCondition): string[] | undefined {
  const parsed = parseOperator(condition.operator);
  if (!parsed || parsed.spec === 'null' || parsed.ifExists) return undefined;
  if (parsed.set === 'all') return undefined;
  const name = parsed.spec.name;
  if (name === 'StringEquals' || name === 'StringEqualsIgnoreCase') {
    return condition.values;
  }
  if (name === 'StringLike' && !condition.values.some(hasWildcard)) {
    return condition.values;
  }
  return undefined;
}

/** Organization ids that every allowed aws:PrincipalOrgPaths value starts with. */
function orgsFromPaths(condition: ParsedCondition): string[] | undefined {
  const parsed = parseOperator(condition.operator);
  if (!parsed || parsed.spec === 'null' || parsed.ifExists) return undefined;
  if (parsed.set === 'all' || parsed.spec.negated) return undefined;
  if (!['StringEquals', 'StringLike'].includes(parsed.spec.name)) {
    return undefined;
  }
  const orgs = condition.values.map(path => path.split('/')[0]);
  return orgs.every(org => ORG_ID.test(org)) ? orgs : undefined;
}

function intersect(sets: string[][]): string[] | undefined {
  if (sets.length === 0) return undefined;
  return [...new Set(sets[0])].filter(v => sets.every(s => s.includes(v)));
}

/**
 * `*` in an Allow is rarely "everyone": kms:CallerAccount or
 * aws:PrincipalAccount pin it to accounts, aws:PrincipalOrgID (or
 * PrincipalOrgPaths) to an organization. Each pinned value becomes its own
 * principal, with the pinning condition kept as the explanation.
 */
function expandWildcard(
  statement: ParsedStatement,
  context: KeyPolicyContext,
  extra: PolicyCondition[],
  notes: Set<string>,
): Candidate[] {
  const accountSets: string[][] = [];
  const orgSets: string[][] = [];
  const accountConditions: ParsedCondition[] = [];
  const orgConditions: ParsedCondition[] = [];
  for (const condition of statement.conditions) {
    const key = condition.key.toLowerCase();
    const pinned = pinnedValues(condition);
    if (ACCOUNT_KEYS.includes(key) && pinned) {
      accountSets.push(pinned);
      accountConditions.push(condition);
    } else if (key === 'aws:principalorgid' && pinned) {
      orgSets.push(pinned);
      orgConditions.push(condition);
    } else if (key === 'aws:principalorgpaths') {
      const orgs = orgsFromPaths(condition);
      if (orgs) orgSets.push(orgs);
    }
  }
  const accounts = intersect(accountSets);
  const orgs = intersect(orgSets);
  const candidates: Candidate[] = [];
  for (const accountId of accounts ?? [undefined]) {
    for (const organizationId of orgs ?? [undefined]) {
      const facts: PrincipalFacts =
        accountId || organizationId
          ? { type: 'aws', accountId, organizationId }
          : { type: 'unknown' };
      const outcome = evaluateConditions(
        statement.conditions,
        decryptContext(context, facts),
      );
      addNotes(notes, statement, outcome.notes);
      if (outcome.result === 'false') continue;
      const narrowed = (list: ParsedCondition[], value?: string) =>
        value
          ? list.map(c => ({
              operator: c.operator,
              key: c.key,
              values: [value],
            }))
          : [];
      candidates.push({
        identity: accountId
          ? accountRootIdentity(accountId, '*')
          : WILDCARD_IDENTITY,
        via: accountId ? 'iam-delegation' : 'key-policy',
        organizationId,
        conditions: [
          ...extra,
          ...narrowed(accountConditions, accountId),
          ...narrowed(orgConditions, organizationId),
          ...outcome.pending,
        ],
        source: statement.label,
        facts,
      });
    }
  }
  return candidates;
}

export function candidatesFromAllow(
  statement: ParsedStatement,
  context: KeyPolicyContext,
  notes: Set<string>,
): Candidate[] {
  if (statement.notPrincipal) {
    if (statement.notPrincipal.wildcard) return [];
    const excluded = writtenPrincipals(statement.notPrincipal);
    notes.add(
      `${
        statement.label
      }: Allow with NotPrincipal grants everyone except ${excluded.join(
        ', ',
      )}.`,
    );
    return expandWildcard(
      statement,
      context,
      [
        {
          operator: 'NotPrincipal',
          key: PRINCIPAL_CONDITION_KEY,
          values: excluded,
        },
      ],
      notes,
    );
  }
  const candidates: Candidate[] = [];
  for (const identity of identitiesOf(statement.principal!)) {
    if (identity.deleted) {
      notes.add(
        `${statement.label}: ${identity.principal} is the id of a deleted IAM principal; it matches no one.`,
      );
      continue;
    }
    if (identity.unrecognised) {
      notes.add(
        `${statement.label}: principal ${identity.principal} has an unrecognised format; listed as is.`,
      );
    }
    if (identity.kind === 'any') {
      candidates.push(...expandWildcard(statement, context, [], notes));
      continue;
    }
    const facts = factsFor(identity);
    const outcome = evaluateConditions(
      statement.conditions,
      decryptContext(context, facts),
    );
    addNotes(notes, statement, outcome.notes);
    if (outcome.result === 'false') continue;
    candidates.push({
      identity,
      via: viaFor(identity),
      conditions: outcome.pending,
      source: statement.label,
      facts,
    });
  }
  return candidates;
}
