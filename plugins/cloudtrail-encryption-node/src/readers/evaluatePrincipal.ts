import type {
  PolicyCondition,
  ReaderPathLayer,
  ReaderPathStep,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { ParsedStatement } from '../policy/document';
import type { IamPrincipal, IdentityPolicy } from './authorizationDetails';
import type { Guardrails } from './organization';
import {
  evaluatePolicy,
  PolicySource,
  PolicyVerdicts,
  Request,
  appliesToResource,
  contextFree,
  statementsFor,
} from './statements';
import {
  allOf,
  anyOf,
  NO,
  unlessDenied,
  uniqueSteps,
  Verdict,
  YES,
} from './verdict';
import { ObjectMemo } from '../policy/objectMemo';

/**
 * AWS's policy evaluation logic for one principal and one request (the
 * IAM User Guide's "Policy evaluation logic"): an explicit Deny anywhere
 * wins; SCPs (principal's account) and RCPs (resource's account) must not
 * stop it; within one account the identity policies OR the resource policy
 * allow it, across accounts both must. KMS is stricter: IAM policies count
 * only where the key policy lets the account in (root delegation). A
 * permissions boundary limits what identity policies grant and, for roles,
 * what a resource policy grants to the role's ARN; a user named by a
 * resource policy in its own account is not limited by its boundary.
 */

export interface IdentityVerdict {
  /** Identity policies, limited by the boundary when there is one. */
  allow: Verdict;
  boundary?: Verdict;
  deny: Verdict;
  /** Every identity statement that allows the request is `*`, `kms:*` or `s3:*` on `*`. */
  broadOnly: boolean;
}

const BROAD_ACTIONS = ['*', 'kms:*', 's3:*'];

function isBroad(statement: ParsedStatement): boolean {
  return (
    !!statement.action?.every(a => BROAD_ACTIONS.includes(a.toLowerCase())) &&
    !!statement.resource?.includes('*')
  );
}

function unknownPolicy(policy: IdentityPolicy): Verdict {
  const condition: PolicyCondition = {
    operator: 'UnreadablePolicy',
    key: policy.name,
    values: [policy.problem ?? 'unknown'],
  };
  return {
    result: 'undecided',
    conditions: [condition],
    steps: [
      {
        layer: 'identity-policy',
        policy: policy.name,
        statement: '?',
        ...(policy.attachedTo ? { attachedTo: policy.attachedTo } : {}),
      },
    ],
  };
}

function sourceOf(
  policy: IdentityPolicy,
  layer: ReaderPathLayer,
): PolicySource {
  return {
    layer,
    policy: policy.name,
    attachedTo: policy.attachedTo,
    statements: policy.statements,
  };
}

const identityVerdicts = new ObjectMemo<
  IamPrincipal,
  Map<string, IdentityVerdict>
>();

const decidesAlike = (policy: IdentityPolicy, action: string) =>
  !!policy.problem || contextFree(policy.statements, action);

/**
 * What the principal's identity policies and boundary decide. A principal
 * is judged for every trail whose policies let its account in; when its
 * policies decide the action alike for every request, the verdict is kept
 * with the principal (which lives as long as its account's details).
 */
export function identityVerdict(
  principal: IamPrincipal,
  request: Request,
): IdentityVerdict {
  const reusable =
    principal.policies.every(p => decidesAlike(p, request.action)) &&
    (!principal.boundary || decidesAlike(principal.boundary, request.action));
  if (!reusable) return judgeIdentity(principal, request);
  let known = identityVerdicts.get(principal);
  if (!known) {
    known = new Map();
    identityVerdicts.set(principal, known);
  }
  let verdict = known.get(request.action);
  if (!verdict) {
    verdict = judgeIdentity(principal, request);
    known.set(request.action, verdict);
  }
  return verdict;
}

/** The identity verdict already kept for the principal and action, if any. */
export function knownIdentityVerdict(
  principal: IamPrincipal,
  action: string,
): IdentityVerdict | undefined {
  return identityVerdicts.get(principal)?.get(action);
}

const statementIds = new ObjectMemo<ParsedStatement[], number>();
let nextStatementId = 0;
const idOf = (statements: ParsedStatement[]) => {
  let id = statementIds.get(statements);
  if (id === undefined) {
    id = nextStatementId++;
    statementIds.set(statements, id);
  }
  return id;
};
const signatures = new ObjectMemo<IamPrincipal, Map<string, string | null>>();

/**
 * What the principal's identity verdict for an action depends on, when its
 * policies decide the action alike for every request: the policies (name,
 * where attached, statements) and the boundary. Principals with the same
 * signature get the same identity verdict (the SSO roles of every account,
 * with the same AWS managed policies); `undefined` when the verdict depends
 * on the request.
 */
export function identitySignature(
  principal: IamPrincipal,
  action: string,
): string | undefined {
  let known = signatures.get(principal);
  if (!known) {
    known = new Map();
    signatures.set(principal, known);
  }
  let signature = known.get(action);
  if (signature === undefined) {
    const policies = [
      ...principal.policies,
      ...(principal.boundary ? [principal.boundary] : []),
    ];
    signature = policies.every(p => decidesAlike(p, action))
      ? [
          principal.boundary ? 'b' : '-',
          ...policies.map(
            p =>
              `${p.name}\u0001${p.attachedTo ?? ''}\u0001${idOf(
                p.statements,
              )}\u0001${p.problem ?? ''}`,
          ),
        ].join('\u0002')
      : null;
    known.set(action, signature);
  }
  return signature ?? undefined;
}

function judgeIdentity(
  principal: IamPrincipal,
  request: Request,
): IdentityVerdict {
  const allows: Verdict[] = [];
  const denies: Verdict[] = [];
  let broadOnly = true;
  let granting = 0;
  for (const policy of principal.policies) {
    if (policy.problem) {
      allows.push(unknownPolicy(policy));
      broadOnly = false;
      continue;
    }
    const verdicts = evaluatePolicy(
      sourceOf(policy, 'identity-policy'),
      request,
    );
    allows.push(verdicts.direct);
    denies.push(verdicts.deny);
    for (const statement of statementsFor(policy.statements, request.action)) {
      if (statement.effect !== 'Allow') continue;
      if (appliesToResource(statement, request).result === 'false') continue;
      granting++;
      if (!isBroad(statement)) broadOnly = false;
    }
  }
  let allow = anyOf(allows);
  let boundary: Verdict | undefined;
  if (principal.boundary) {
    const b = principal.boundary.problem
      ? { direct: unknownPolicy(principal.boundary), account: NO, deny: NO }
      : evaluatePolicy(
          sourceOf(principal.boundary, 'permission-boundary'),
          request,
        );
    boundary = b.direct;
    denies.push(b.deny);
    allow = allOf([allow, boundary]);
  }
  return {
    allow,
    boundary,
    deny: anyOf(denies),
    broadOnly: granting > 0 && broadOnly,
  };
}

export interface HalfInput {
  principal: IamPrincipal;
  request: Request;
  resourceAccountId?: string;
  /** The key policy or the bucket policy; undefined when there is none. */
  resource?: PolicyVerdicts;
  /** KMS grants to this principal (they need no IAM policy). */
  grants?: Verdict;
  /** KMS: identity policies count only when the key policy admits the account. */
  needsDelegation: boolean;
  guardrails: Guardrails;
}

export interface HalfVerdict extends Verdict {
  /** The identity policies are part of the path, and grant only broadly. */
  broad: boolean;
}

/** One half of reading a log file (kms:Decrypt or s3:GetObject) for one principal. */
export function evaluateHalf(input: HalfInput): HalfVerdict {
  const { principal, request, resourceAccountId } = input;
  const resource = input.resource ?? { direct: NO, account: NO, deny: NO };
  const identity = identityVerdict(principal, request);
  const sameAccount = principal.accountId === resourceAccountId;
  // A resource policy naming a role is still limited by its boundary;
  // naming a user in the same account is not.
  const boundaryOnDirect =
    principal.kind === 'iam-role' || !sameAccount
      ? identity.boundary ?? YES
      : YES;
  const direct = allOf([resource.direct, boundaryOnDirect]);
  let allow: Verdict;
  if (sameAccount) {
    const viaIdentity = input.needsDelegation
      ? allOf([resource.account, identity.allow])
      : identity.allow;
    allow = anyOf([direct, viaIdentity]);
  } else {
    allow = allOf([anyOf([resource.direct, resource.account]), identity.allow]);
  }
  if (input.grants) allow = anyOf([allow, input.grants]);
  // Nothing allows it: the guardrails and Denies cannot change that.
  if (allow.result === 'false') return { ...NO, broad: false };
  const guarded = allOf([
    allow,
    input.guardrails.scp(principal, request),
    input.guardrails.rcp(resourceAccountId, principal, request),
  ]);
  const verdict = unlessDenied(guarded, anyOf([resource.deny, identity.deny]));
  const usesIdentity = verdict.steps.some(s => s.layer === 'identity-policy');
  return {
    ...verdict,
    steps: uniqueSteps(verdict.steps),
    broad: verdict.result !== 'false' && usesIdentity && identity.broadOnly,
  };
}

const LAYER_ORDER: ReaderPathLayer[] = [
  'key-policy',
  'grant',
  'identity-policy',
  'permission-boundary',
  'bucket-policy',
  'scp',
  'rcp',
];

export function orderSteps(steps: ReaderPathStep[]): ReaderPathStep[] {
  return [...steps].sort(
    (a, b) => LAYER_ORDER.indexOf(a.layer) - LAYER_ORDER.indexOf(b.layer),
  );
}
