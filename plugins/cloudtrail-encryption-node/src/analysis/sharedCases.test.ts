import type {
  DecryptPrincipal,
  PolicyCondition,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  CASE_KEY_ARN,
  CASE_MEMBER,
  CASE_ORG_ID,
  CASE_OWNER,
  CASE_TRAIL_ARN,
  POLICY_CASES,
  type PolicyCase,
  type PolicyCaseRequest,
} from '@trailguard/aws-sandbox';
import { evaluateKeyPolicy, KeyPolicyContext } from './evaluateKeyPolicy';
import { PRINCIPAL_CONDITION_KEY } from './candidates';
import { isOpenToAnyPrincipal } from './openAccess';

const CONTEXT: KeyPolicyContext = {
  trailArn: CASE_TRAIL_ARN,
  trailOwnerAccountId: CASE_OWNER,
  keyArn: CASE_KEY_ARN,
  keyAccountId: CASE_OWNER,
  organizationId: CASE_ORG_ID,
  organizationAccountIds: [CASE_OWNER, CASE_MEMBER],
};

type Answer = 'allow' | 'deny' | 'undecided' | 'unreadable';

const accountOf = (arn: string) => arn.split(':')[4];

/** Whether a reported reader stands for the requesting principal. */
function covers(
  entry: DecryptPrincipal,
  request: Extract<PolicyCaseRequest, { kind: 'decrypt' }>,
): boolean {
  const account = accountOf(request.principalArn);
  if (entry.accountId && entry.accountId !== account) return false;
  if (entry.kind === 'any') {
    return (
      !entry.organizationId || entry.organizationId === request.organizationId
    );
  }
  if (entry.kind === 'account-root') return entry.accountId === account;
  return entry.principal === request.principalArn;
}

/**
 * The product's answer for one reader: carved out by a Deny naming it
 * (deny), kept with no condition (allow), or kept with conditions it could
 * not decide (undecided). A Deny carving out other principals is settled.
 */
function readerAnswer(entry: DecryptPrincipal, principalArn: string): Answer {
  const names = [principalArn, `arn:aws:iam::${accountOf(principalArn)}:root`];
  const carveOut = (cond: PolicyCondition) =>
    cond.operator === 'Deny:Principal' && cond.key === PRINCIPAL_CONDITION_KEY;
  const conditions = entry.conditions;
  if (
    conditions.some(c => carveOut(c) && c.values.some(v => names.includes(v)))
  ) {
    return 'deny';
  }
  return conditions.every(carveOut) ? 'allow' : 'undecided';
}

function productAnswer(c: PolicyCase): Answer {
  const result = evaluateKeyPolicy(JSON.stringify(c.policy), CONTEXT);
  if (!result.readable) return 'unreadable';
  const { request } = c;
  if (request.kind === 'cloudtrail') {
    const decision =
      request.action === 'kms:GenerateDataKey'
        ? result.cloudTrailCanEncrypt
        : result.cloudTrailCanDescribe;
    if (decision === 'unknown') return 'undecided';
    return decision ? 'allow' : 'deny';
  }
  const answers = result.decryptPrincipals
    .filter(e => covers(e, request))
    .map(e => readerAnswer(e, request.principalArn));
  if (answers.includes('allow')) return 'allow';
  return answers.includes('undecided') ? 'undecided' : 'deny';
}

describe('the product evaluator against the shared key-policy cases', () => {
  it.each(POLICY_CASES.map(c => [c.name, c] as const))('%s', (_name, c) => {
    expect(productAnswer(c)).toBe(c.product ?? c.expected);
  });

  it.each(
    POLICY_CASES.filter(c => c.openToAnyPrincipal !== undefined).map(
      c => [c.name, c] as const,
    ),
  )('%s: open to any principal as the case says', (_name, c) => {
    const result = evaluateKeyPolicy(JSON.stringify(c.policy), CONTEXT);
    expect(
      result.readable && result.decryptPrincipals.some(isOpenToAnyPrincipal),
    ).toBe(c.openToAnyPrincipal);
  });
});
