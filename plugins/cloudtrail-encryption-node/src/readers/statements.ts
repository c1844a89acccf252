import type {
  PolicyCondition,
  ReaderPathLayer,
  ReaderPathStep,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  Decision,
  evaluateConditions,
  RequestContext,
} from '../analysis/conditions';
import { classifyAwsPrincipal } from '../analysis/principals';
import { actionApplies, resourceApplies } from '../analysis/statementMatch';
import type { ParsedStatement, PrincipalSpec } from '../policy/document';
import { relatePattern } from '../policy/patterns';
import { globMatch } from '../policy/wildcard';
import { anyOf, NO, Verdict } from './verdict';
import { ObjectMemo } from '../policy/objectMemo';

/** One policy document and where it sits in the evaluation. */
export interface PolicySource {
  layer: ReaderPathLayer;
  policy: string;
  attachedTo?: string;
  statements: ParsedStatement[];
}

/** The resource of a request: one ARN, or many written as a pattern (the log objects). */
export type RequestResource =
  | { arn: string; keyPolicy?: boolean }
  | { pattern: string };

export interface Request {
  action: string;
  resource: RequestResource;
  context: RequestContext;
}

/** The IAM principal a request is made by. */
export interface PrincipalRef {
  arn: string;
  name: string;
  kind: 'iam-role' | 'iam-user';
  accountId: string;
}

/** Synthetic condition keys: the reader is allowed only for the objects the resource patterns name. */
export const RESOURCE_CONDITION_KEY = 'Resource';

/** `Sid`, or `#<index>` when the statement has none. */
export function statementName(statement: ParsedStatement): string {
  return statement.label === `Statement[${statement.index}]`
    ? `#${statement.index}`
    : statement.label;
}

function resourceVerdict(
  statement: ParsedStatement,
  resource: RequestResource,
): { result: Decision; conditions: PolicyCondition[] } {
  if ('arn' in resource) {
    if (resource.keyPolicy) {
      return {
        result: resourceApplies(statement, resource.arn) ? 'true' : 'false',
        conditions: [],
      };
    }
    const hit = (patterns: string[]) =>
      patterns.some(p => globMatch(p, resource.arn));
    const applies = statement.resource
      ? hit(statement.resource)
      : !hit(statement.notResource ?? []);
    return { result: applies ? 'true' : 'false', conditions: [] };
  }
  const negative = !statement.resource;
  const patterns = statement.resource ?? statement.notResource ?? [];
  const relations = patterns.map(p => relatePattern(p, resource.pattern));
  let matches: Decision = 'undecided';
  if (relations.includes('covers')) matches = 'true';
  else if (relations.every(r => r === 'disjoint')) matches = 'false';
  if (matches !== 'undecided') {
    const applies = negative ? matches === 'false' : matches === 'true';
    return { result: applies ? 'true' : 'false', conditions: [] };
  }
  const overlapping = patterns.filter((_p, i) => relations[i] === 'overlaps');
  return {
    result: 'undecided',
    conditions: [
      {
        operator: negative ? 'NotResource' : 'Resource',
        key: RESOURCE_CONDITION_KEY,
        values: overlapping,
      },
    ],
  };
}

const byAction = new ObjectMemo<
  ParsedStatement[],
  Map<string, ParsedStatement[]>
>();

/**
 * The statements whose Action (or NotAction) covers an action. Kept per
 * statement list: a fleet scan asks the same few actions of the same
 * documents (shared AWS managed policies) for every principal and trail,
 * and most statements of a broad read-only policy never cover them.
 */
export function statementsFor(
  statements: ParsedStatement[],
  action: string,
): ParsedStatement[] {
  let cached = byAction.get(statements);
  if (!cached) {
    cached = new Map();
    byAction.set(statements, cached);
  }
  let relevant = cached.get(action);
  if (!relevant) {
    relevant = statements.filter(s => actionApplies(s, action));
    cached.set(action, relevant);
  }
  return relevant;
}

const contextFreeByAction = new ObjectMemo<
  ParsedStatement[],
  Map<string, boolean>
>();

/**
 * Whether a policy decides an action the same way for every request: each
 * statement covering it applies to any resource (`*`) under no condition.
 * Such a policy's verdict (AdministratorAccess, ReadOnlyAccess…) holds for
 * every trail, so it is worth keeping.
 */
export function contextFree(
  statements: ParsedStatement[],
  action: string,
): boolean {
  let cached = contextFreeByAction.get(statements);
  if (!cached) {
    cached = new Map();
    contextFreeByAction.set(statements, cached);
  }
  let free = cached.get(action);
  if (free === undefined) {
    free = statementsFor(statements, action).every(
      s => s.conditions.length === 0 && !!s.resource?.includes('*'),
    );
    cached.set(action, free);
  }
  return free;
}

/** Whether a statement's action, resource and conditions apply to the request. */
export function statementApplies(
  statement: ParsedStatement,
  request: Request,
): { result: Decision; conditions: PolicyCondition[] } {
  if (!actionApplies(statement, request.action)) {
    return { result: 'false', conditions: [] };
  }
  return appliesToResource(statement, request);
}

/** The same for a statement already known to cover the request's action. */
export function appliesToResource(
  statement: ParsedStatement,
  request: Request,
): { result: Decision; conditions: PolicyCondition[] } {
  const resource = resourceVerdict(statement, request.resource);
  if (resource.result === 'false') return resource;
  const outcome = evaluateConditions(statement.conditions, request.context);
  if (outcome.result === 'false') return { result: 'false', conditions: [] };
  const conditions = [...resource.conditions, ...outcome.pending];
  const certain = resource.result === 'true' && outcome.result === 'true';
  return { result: certain ? 'true' : 'undecided', conditions };
}

function step(source: PolicySource, statement: ParsedStatement) {
  const result: ReaderPathStep = {
    layer: source.layer,
    policy: source.policy,
    statement: statementName(statement),
  };
  if (source.attachedTo) result.attachedTo = source.attachedTo;
  return result;
}

const asDeny = (conditions: PolicyCondition[]) =>
  conditions.map(c => ({ ...c, operator: `Deny:${c.operator}` }));

/** How a statement's Principal or NotPrincipal names the principal. */
export type PrincipalMatch = 'direct' | 'account' | 'none';

function names(value: string, principal: PrincipalRef): PrincipalMatch {
  const identity = classifyAwsPrincipal(value);
  if (identity.kind === 'any') return 'direct';
  if (identity.accountId !== principal.accountId) return 'none';
  if (identity.kind === 'account-root') {
    return identity.unrecognised ? 'none' : 'account';
  }
  if (value === principal.arn) return 'direct';
  const type = principal.kind === 'iam-role' ? 'role' : 'user';
  const resource = value.split(':').slice(5).join(':');
  // A role ARN written without its path, or a session of the role.
  if (resource === `${type}/${principal.name}`) return 'direct';
  if (
    type === 'role' &&
    value.includes(':assumed-role/') &&
    resource.split('/')[1] === principal.name
  ) {
    return 'direct';
  }
  return 'none';
}

function best(matches: PrincipalMatch[]): PrincipalMatch {
  if (matches.includes('direct')) return 'direct';
  return matches.includes('account') ? 'account' : 'none';
}

function specMatch(spec: PrincipalSpec, principal: PrincipalRef) {
  if (spec.wildcard) return 'direct';
  return best(spec.aws.map(v => names(v, principal)));
}

export function principalMatch(
  statement: ParsedStatement,
  principal: PrincipalRef,
): PrincipalMatch {
  if (statement.principal) return specMatch(statement.principal, principal);
  if (!statement.notPrincipal) return 'direct';
  return specMatch(statement.notPrincipal, principal) === 'none'
    ? 'direct'
    : 'none';
}

export interface PolicyVerdicts {
  /** Allowed to this principal (by name, or `*`). */
  direct: Verdict;
  /** Allowed to the principal's account (delegation to its IAM policies). */
  account: Verdict;
  deny: Verdict;
}

/**
 * Evaluates one policy for one request. Identity policies, boundaries and
 * SCPs have no Principal: every Allow counts as `direct`.
 */
export function evaluatePolicy(
  source: PolicySource,
  request: Request,
  principal?: PrincipalRef,
): PolicyVerdicts {
  const direct: Verdict[] = [];
  const account: Verdict[] = [];
  const deny: Verdict[] = [];
  for (const statement of statementsFor(source.statements, request.action)) {
    const match = principal ? principalMatch(statement, principal) : 'direct';
    if (match === 'none') continue;
    const applies = appliesToResource(statement, request);
    if (applies.result === 'false') continue;
    if (statement.effect === 'Deny') {
      deny.push({
        result: applies.result,
        conditions: asDeny(applies.conditions),
        steps: [step(source, statement)],
      });
      continue;
    }
    const verdict: Verdict = {
      result: applies.result,
      conditions: applies.conditions,
      steps: [step(source, statement)],
    };
    (match === 'direct' ? direct : account).push(verdict);
  }
  return {
    direct: anyOf(direct),
    account: anyOf(account),
    deny: deny.length ? anyOf(deny) : NO,
  };
}
