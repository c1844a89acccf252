import type {
  PolicyCondition,
  ReaderPathStep,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { Decision } from '../analysis/conditions';

/**
 * A three-valued answer with its explanation: the conditions it hinges on
 * (when undecided) and the policy statements that made it.
 */
export interface Verdict {
  result: Decision;
  conditions: PolicyCondition[];
  steps: ReaderPathStep[];
}

export const NO: Verdict = { result: 'false', conditions: [], steps: [] };
export const YES: Verdict = { result: 'true', conditions: [], steps: [] };

const conditionKey = (c: PolicyCondition) =>
  JSON.stringify([c.operator, c.key, c.values]);
const stepKey = (s: ReaderPathStep) =>
  JSON.stringify([s.layer, s.policy, s.statement, s.attachedTo ?? '']);

function unique<T>(items: T[], key: (item: T) => string): T[] {
  if (items.length < 2) return items;
  const seen = new Set<string>();
  return items.filter(item => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export const uniqueConditions = (conditions: PolicyCondition[]) =>
  unique(conditions, conditionKey);
export const uniqueSteps = (steps: ReaderPathStep[]) => unique(steps, stepKey);

/** OR: the certain grants when there are any, else every possible one. */
export function anyOf(verdicts: Verdict[]): Verdict {
  if (verdicts.length === 0) return NO;
  const certain = verdicts.filter(v => v.result === 'true');
  if (certain.length) {
    return {
      result: 'true',
      conditions: [],
      steps: uniqueSteps(certain.flatMap(v => v.steps)),
    };
  }
  const possible = verdicts.filter(v => v.result === 'undecided');
  if (!possible.length) return NO;
  return {
    result: 'undecided',
    conditions: uniqueConditions(possible.flatMap(v => v.conditions)),
    steps: uniqueSteps(possible.flatMap(v => v.steps)),
  };
}

/** AND: false when any is false; the conditions and steps of all. */
export function allOf(verdicts: Verdict[]): Verdict {
  if (verdicts.some(v => v.result === 'false')) return NO;
  const undecided = verdicts.some(v => v.result === 'undecided');
  return {
    result: undecided ? 'undecided' : 'true',
    conditions: uniqueConditions(verdicts.flatMap(v => v.conditions)),
    steps: uniqueSteps(verdicts.flatMap(v => v.steps)),
  };
}

/** An explicit Deny wins; an undecided one leaves its conditions (as `Deny:…`). */
export function unlessDenied(allow: Verdict, deny: Verdict): Verdict {
  if (allow.result === 'false' || deny.result === 'true') return NO;
  if (deny.result === 'false') return allow;
  return {
    result: 'undecided',
    conditions: uniqueConditions([...allow.conditions, ...deny.conditions]),
    steps: allow.steps,
  };
}

export function decided(value: boolean): Verdict {
  return value ? YES : NO;
}
