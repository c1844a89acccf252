import type { PolicyCondition } from '@trailguard/plugin-cloudtrail-encryption-common';
import { parseConditionOperator } from '../policy/conditionOperators';
import type { ParsedCondition } from '../policy/document';
import type { PatternRelation } from '../policy/patterns';
import { arnMatch, globMatch } from '../policy/wildcard';

/**
 * A key the request is known to carry (with its values), known to lack, or
 * partly known: `excludes(policyValue)` is true when no value the request
 * may carry can equal (or be matched by) that policy value — e.g. a principal
 * outside our organization cannot carry our organization id.
 */
export type ContextValue =
  | { present: true; values: string[] }
  | { present: false }
  | PartialContextValue;

export interface PartialContextValue {
  present: 'partial';
  /** Whether the request may lack the key altogether. */
  mayBeAbsent: boolean;
  excludes: (policyValue: string) => boolean;
  /**
   * For a single-valued key known as a pattern (the log object's ARN): how
   * a policy value, with wildcards or literal, relates to every value the
   * request may carry.
   */
  relate?: (policyValue: string, wildcards: boolean) => PatternRelation;
}

/**
 * What the scan knows about one request. `lookup` returns `undefined` for a
 * key whose value depends on something the scan cannot see (the caller's IP,
 * tags, organization…); conditions on such keys stay undecided.
 * Condition key names are case-insensitive, so lookups receive lower case.
 */
export interface RequestContext {
  lookup(lowerCaseKey: string): ContextValue | undefined;
}

export type Decision = 'true' | 'false' | 'undecided';

export interface ConditionOutcome {
  result: Decision;
  /** The conditions left undecided, as written in the policy. */
  pending: PolicyCondition[];
  notes: string[];
}

type Matcher = (policyValue: string, requestValue: string) => boolean;

interface OperatorSpec {
  name: string;
  negated: boolean;
  match?: Matcher;
}

const exact: Matcher = (p, r) => p === r;
const ignoreCase: Matcher = (p, r) => p.toLowerCase() === r.toLowerCase();
const like: Matcher = (p, r) => globMatch(p, r);

/**
 * How the scan compares the operators it evaluates: string, ARN and Bool
 * families. The other valid IAM operators (numbers, dates, IP addresses,
 * binary) are for values the scan never determines: they are kept attached,
 * not evaluated.
 */
function matcherFor(base: string): Matcher | undefined {
  if (base.startsWith('Arn')) return arnMatch;
  if (base === 'Bool' || base.endsWith('IgnoreCase')) return ignoreCase;
  if (base.startsWith('String')) return base.endsWith('Like') ? like : exact;
  return undefined;
}

interface ParsedOperator {
  spec: OperatorSpec | 'null';
  set?: 'any' | 'all';
  ifExists: boolean;
}

export function parseOperator(operator: string): ParsedOperator | undefined {
  const parsed = parseConditionOperator(operator);
  if (!parsed) return undefined;
  const { base, negated, set, ifExists } = parsed;
  if (base === 'Null') return { spec: 'null', ifExists };
  return {
    spec: { name: base, negated, match: matcherFor(base) },
    set,
    ifExists,
  };
}

/** True when the operator is a negated one (`StringNotEquals`, `ArnNotLike`…). */
export function isNegatedOperator(operator: string): boolean {
  const parsed = parseOperator(operator);
  return !!parsed && parsed.spec !== 'null' && parsed.spec.negated;
}

function evaluateNull(
  condition: ParsedCondition,
  value: ContextValue,
): Decision | 'bad' {
  const wanted = condition.values.map(v => v.toLowerCase());
  if (wanted.some(v => v !== 'true' && v !== 'false')) return 'bad';
  // "true" asks for the key to be absent, "false" for it to be present.
  const hit = wanted.some(v => (v === 'true') === !value.present);
  return hit ? 'true' : 'false';
}

/**
 * Decides a string condition on a partly known key only when every policy
 * value is one the request cannot match; anything else stays undecided.
 */
function evaluatePartial(
  parsed: ParsedOperator,
  condition: ParsedCondition,
  value: PartialContextValue,
): Decision {
  if (parsed.spec === 'null') return 'undecided';
  if (condition.values.some(v => v.includes('${'))) return 'undecided';
  if (value.relate) return evaluatePattern(parsed.spec, condition, value);
  if (!parsed.spec.name.startsWith('String')) return 'undecided';
  if (!condition.values.every(v => value.excludes(v))) return 'undecided';
  // No request value matches any policy value; an absent key still fails
  // ForAnyValue.
  if (parsed.spec.negated) {
    return value.mayBeAbsent && parsed.set === 'any' ? 'undecided' : 'true';
  }
  if (value.mayBeAbsent && (parsed.ifExists || parsed.set === 'all')) {
    return 'undecided';
  }
  return 'false';
}

/**
 * A single-valued key known as a pattern: decided when some policy value
 * covers every request value, or none can match any.
 */
function evaluatePattern(
  spec: OperatorSpec,
  condition: ParsedCondition,
  value: PartialContextValue,
): Decision {
  const { name } = spec;
  if (name.endsWith('IgnoreCase') || !/^(String|Arn)/.test(name)) {
    return 'undecided';
  }
  const wildcards = name.startsWith('Arn') || name.endsWith('Like');
  const relations = condition.values.map(v => value.relate!(v, wildcards));
  let matches: Decision = 'undecided';
  if (relations.includes('covers')) matches = 'true';
  else if (relations.every(r => r === 'disjoint')) matches = 'false';
  if (matches === 'undecided' || !spec.negated) return matches;
  return matches === 'true' ? 'false' : 'true';
}

export function evaluateCondition(
  condition: ParsedCondition,
  context: RequestContext,
): { result: Decision; note?: string } {
  const parsed = parseOperator(condition.operator);
  if (!parsed) {
    return {
      result: 'undecided',
      note: `Unknown condition operator "${condition.operator}" on ${condition.key}: kept as an unevaluated condition.`,
    };
  }
  const value = context.lookup(condition.key.toLowerCase());
  if (value === undefined) return { result: 'undecided' };
  if (value.present === 'partial') {
    return { result: evaluatePartial(parsed, condition, value) };
  }
  if (parsed.spec === 'null') {
    const result = evaluateNull(condition, value);
    return result === 'bad'
      ? {
          result: 'undecided',
          note: `Null condition on ${condition.key} has a value other than true/false: kept unevaluated.`,
        }
      : { result };
  }
  const { spec, set, ifExists } = parsed;
  if (!spec.match) {
    return {
      result: 'undecided',
      note: `${condition.operator} on ${condition.key} is not evaluated by this scan: kept as a condition.`,
    };
  }
  if (condition.values.some(v => v.includes('${'))) {
    return {
      result: 'undecided',
      note: `Condition ${condition.operator} on ${condition.key} uses a policy variable: kept unevaluated.`,
    };
  }
  const requestValues = value.present ? value.values : [];
  if (!value.present || requestValues.length === 0) {
    if (ifExists) return { result: 'true' };
    if (set === 'any') return { result: 'false' };
    if (set === 'all') return { result: 'true' };
    // Documented IAM rule: a missing key fails a positive operator and
    // satisfies a negated one.
    return { result: spec.negated ? 'true' : 'false' };
  }
  const match = spec.match;
  const matchesAny = (request: string) =>
    condition.values.some(policy => match(policy, request));
  // Negated operators are NOR over the policy values.
  const passes = (request: string) =>
    spec.negated ? !matchesAny(request) : matchesAny(request);
  let result: boolean;
  if (set === 'any') result = requestValues.some(passes);
  else if (set === 'all') result = requestValues.every(passes);
  else {
    const hit = requestValues.some(matchesAny);
    result = spec.negated ? !hit : hit;
  }
  return { result: result ? 'true' : 'false' };
}

/** AND over every operator and key of a statement's Condition block. */
export function evaluateConditions(
  conditions: ParsedCondition[],
  context: RequestContext,
): ConditionOutcome {
  const pending: PolicyCondition[] = [];
  const notes: string[] = [];
  let decidedFalse = false;
  for (const condition of conditions) {
    const { result, note } = evaluateCondition(condition, context);
    if (note) notes.push(note);
    if (result === 'false') decidedFalse = true;
    if (result === 'undecided') {
      pending.push({
        operator: condition.operator,
        key: condition.key,
        values: [...condition.values],
      });
    }
  }
  if (decidedFalse) return { result: 'false', pending: [], notes };
  return { result: pending.length ? 'undecided' : 'true', pending, notes };
}

/** Three-valued OR, for "does any statement match". */
export function orDecision(a: Decision, b: Decision): Decision {
  if (a === 'true' || b === 'true') return 'true';
  if (a === 'undecided' || b === 'undecided') return 'undecided';
  return 'false';
}
