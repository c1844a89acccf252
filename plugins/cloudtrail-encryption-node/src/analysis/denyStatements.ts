import type { PolicyCondition } from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  addNotes,
  Candidate,
  factsFor,
  PRINCIPAL_CONDITION_KEY,
  viaFor,
} from './candidates';
import { evaluateConditions } from './conditions';
import type { ParsedStatement } from '../policy/document';
import type { PrincipalIdentity } from './principals';
import { decryptContext, KeyPolicyContext } from './requestContext';
import { identitiesOf, writtenPrincipals } from './statementMatch';

/** A principal that stands for many: `*`, or an account's IAM delegation. */
function isBroad(candidate: Candidate): boolean {
  return (
    candidate.identity.id === '*' ||
    (candidate.identity.kind === 'account-root' &&
      !candidate.identity.unrecognised)
  );
}

function covers(candidate: Candidate, listed: PrincipalIdentity): boolean {
  if (candidate.identity.id === '*') return true;
  return (
    isBroad(candidate) && listed.accountId === candidate.identity.accountId
  );
}

type DenyMatch =
  | { type: 'none' }
  | { type: 'all' }
  | { type: 'partial'; principals: string[] };

function matchDenyPrincipal(
  statement: ParsedStatement,
  candidate: Candidate,
): DenyMatch {
  const spec = statement.principal!;
  if (spec.wildcard) return { type: 'all' };
  const partial: string[] = [];
  for (const listed of identitiesOf(spec)) {
    if (listed.deleted) continue;
    if (listed.id === candidate.identity.id) return { type: 'all' };
    const namesWholeAccount =
      listed.kind === 'account-root' && !listed.unrecognised;
    if (
      namesWholeAccount &&
      candidate.identity.id !== '*' &&
      listed.accountId === candidate.identity.accountId
    ) {
      return { type: 'all' };
    }
    if (covers(candidate, listed)) partial.push(listed.principal);
  }
  return partial.length
    ? { type: 'partial', principals: partial }
    : { type: 'none' };
}

function withConditions(
  candidate: Candidate,
  conditions: PolicyCondition[],
): Candidate {
  return { ...candidate, conditions: [...candidate.conditions, ...conditions] };
}

export function applyDeny(
  candidate: Candidate,
  statement: ParsedStatement,
  context: KeyPolicyContext,
  notes: Set<string>,
): Candidate[] {
  const outcome = evaluateConditions(
    statement.conditions,
    decryptContext(context, candidate.facts),
  );
  addNotes(notes, statement, outcome.notes);
  if (outcome.result === 'false') return [candidate];
  const unconditional = outcome.result === 'true';
  const denyConditions = outcome.pending.map(c => ({
    ...c,
    operator: `Deny:${c.operator}`,
  }));

  if (statement.principal) {
    const match = matchDenyPrincipal(statement, candidate);
    if (match.type === 'none') return [candidate];
    if (match.type === 'all' && unconditional) return [];
    const subset: PolicyCondition[] =
      match.type === 'partial'
        ? [
            {
              operator: 'Deny:Principal',
              key: PRINCIPAL_CONDITION_KEY,
              values: match.principals,
            },
          ]
        : [];
    return [withConditions(candidate, [...subset, ...denyConditions])];
  }

  const spec = statement.notPrincipal!;
  if (spec.wildcard) return [candidate];
  const listed = identitiesOf(spec).filter(l => !l.deleted);
  if (listed.some(l => l.id === candidate.identity.id)) {
    const account = candidate.identity.accountId;
    if (
      account &&
      candidate.identity.kind !== 'account-root' &&
      !listed.some(l => l.id === `account:${account}`)
    ) {
      notes.add(
        `${statement.label}: Deny with NotPrincipal lists ${candidate.identity.principal} but not its account ${account}; AWS may still deny it.`,
      );
    }
    return [candidate];
  }
  if (!unconditional) {
    return [
      withConditions(candidate, [
        {
          operator: 'Deny:NotPrincipal',
          key: PRINCIPAL_CONDITION_KEY,
          values: writtenPrincipals(spec),
        },
        ...denyConditions,
      ]),
    ];
  }
  // Everyone but the listed is denied: a broad principal shrinks to the
  // listed principals it stands for, a specific one is gone.
  return listed
    .filter(l => l.id !== '*' && covers(candidate, l))
    .map(l => ({
      ...candidate,
      identity: l,
      via: candidate.via === 'iam-delegation' ? 'iam-delegation' : viaFor(l),
      facts: { ...factsFor(l), organizationId: candidate.organizationId },
    }));
}
