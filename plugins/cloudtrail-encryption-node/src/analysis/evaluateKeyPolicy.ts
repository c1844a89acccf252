import type {
  DecryptPrincipal,
  PolicyCondition,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  Decision,
  evaluateConditions,
  orDecision,
  RequestContext,
} from './conditions';
import { candidatesFromAllow } from './allowStatements';
import { addNotes, dedupePrincipals, toDecryptPrincipal } from './candidates';
import { applyDeny } from './denyStatements';
import { parsePolicy, ParsedStatement } from '../policy/document';
import {
  CLOUDTRAIL_SERVICE,
  cloudTrailServiceContext,
  KeyPolicyContext,
} from './requestContext';
import {
  actionApplies,
  resourceApplies,
  statementCoversService,
} from './statementMatch';
import { memoByText } from '../policy/textMemo';

export type { KeyPolicyContext } from './requestContext';

/**
 * `'unknown'` when the answer hinges on a condition the scan cannot decide.
 *
 * @public
 */
export type PolicyDecision = boolean | 'unknown';

/** @public */
export interface UnreadableKeyPolicy {
  readable: false;
  reason: string;
}

/** @public */
export interface ReadableKeyPolicy {
  readable: true;
  statements: number;
  cloudTrailCanEncrypt: PolicyDecision;
  cloudTrailCanDescribe: PolicyDecision;
  /** What the encrypt decision depends on when it is `'unknown'`. */
  cloudTrailEncryptConditions: PolicyCondition[];
  cloudTrailDescribeConditions: PolicyCondition[];
  decryptPrincipals: DecryptPrincipal[];
  notes: string[];
}

/** @public */
export type KeyPolicyEvaluation = UnreadableKeyPolicy | ReadableKeyPolicy;

const DECRYPT = 'kms:Decrypt';
const GENERATE_DATA_KEY = 'kms:GenerateDataKey';
const DESCRIBE_KEY = 'kms:DescribeKey';

function relevant(
  statement: ParsedStatement,
  action: string,
  context: KeyPolicyContext,
): boolean {
  return (
    actionApplies(statement, action) &&
    resourceApplies(statement, context.keyArn)
  );
}

/**
 * Key policies parsed by their text: an organization trail's key is judged
 * in the report of every member account, with the same text each time.
 */
const parseKeyPolicyText = memoByText(64, text => parsePolicy(text));

function parsedKeyPolicy(policy: unknown): ReturnType<typeof parsePolicy> {
  return typeof policy === 'string'
    ? parseKeyPolicyText(policy)
    : parsePolicy(policy);
}

/** Standard evaluation: an explicit Deny wins, otherwise an Allow is needed. */
function serviceDecision(
  statements: ParsedStatement[],
  context: KeyPolicyContext,
  action: string,
  request: RequestContext,
  notes: Set<string>,
): { decision: PolicyDecision; conditions: PolicyCondition[] } {
  let allow: Decision = 'false';
  let deny: Decision = 'false';
  const allowPending: PolicyCondition[] = [];
  const denyPending: PolicyCondition[] = [];
  for (const statement of statements) {
    if (!relevant(statement, action, context)) continue;
    if (!statementCoversService(statement, CLOUDTRAIL_SERVICE)) continue;
    const outcome = evaluateConditions(statement.conditions, request);
    addNotes(notes, statement, outcome.notes);
    if (statement.effect === 'Allow') {
      allow = orDecision(allow, outcome.result);
      if (outcome.result === 'undecided') allowPending.push(...outcome.pending);
    } else {
      deny = orDecision(deny, outcome.result);
      if (outcome.result === 'undecided') {
        denyPending.push(
          ...outcome.pending.map(c => ({
            ...c,
            operator: `Deny:${c.operator}`,
          })),
        );
      }
    }
  }
  if (deny === 'true' || allow === 'false') {
    return { decision: false, conditions: [] };
  }
  if (allow === 'true' && deny === 'false') {
    return { decision: true, conditions: [] };
  }
  return {
    decision: 'unknown',
    conditions: [...(allow === 'true' ? [] : allowPending), ...denyPending],
  };
}

function noteUnusual(
  statements: ParsedStatement[],
  context: KeyPolicyContext,
  notes: Set<string>,
) {
  for (const statement of statements) {
    const touchesLogs = [DECRYPT, GENERATE_DATA_KEY, DESCRIBE_KEY].some(a =>
      actionApplies(statement, a),
    );
    if (!touchesLogs) continue;
    if (statement.notResource) {
      notes.add(`${statement.label}: uses NotResource.`);
    }
    if (statement.notAction) {
      notes.add(`${statement.label}: uses NotAction.`);
    }
    if (!resourceApplies(statement, context.keyArn)) {
      notes.add(
        `${statement.label}: its Resource does not name this key, so it does not apply.`,
      );
    }
    if (
      !context.bucketRegion &&
      statement.conditions.some(c => c.key.toLowerCase() === 'kms:viaservice')
    ) {
      notes.add(
        `${statement.label}: depends on kms:ViaService, kept as a condition (log files are read through Amazon S3, whose calls carry kms:ViaService = s3.<region>.amazonaws.com).`,
      );
    }
  }
}

/**
 * Evaluates a KMS key policy for one trail: can CloudTrail encrypt with the
 * key and describe it, and who may decrypt the trail's log files. Never
 * throws; a policy it cannot understand is reported as unreadable.
 *
 * @public
 */
export function evaluateKeyPolicy(
  policy: unknown,
  context: KeyPolicyContext,
): KeyPolicyEvaluation {
  const parsed = parsedKeyPolicy(policy);
  if (!parsed.ok) return { readable: false, reason: parsed.reason };
  const { statements, ineffective } = parsed.policy;
  const notes = new Set<string>();
  for (const statement of ineffective) {
    notes.add(
      `${statement.label}: ${statement.reason}; KMS accepts it but it has no effect, so it is ignored.`,
    );
  }
  noteUnusual(statements, context, notes);

  const encrypt = serviceDecision(
    statements,
    context,
    GENERATE_DATA_KEY,
    cloudTrailServiceContext(context, 'encrypt'),
    notes,
  );
  const describe = serviceDecision(
    statements,
    context,
    DESCRIBE_KEY,
    cloudTrailServiceContext(context, 'describe'),
    notes,
  );

  const decryptStatements = statements.filter(s =>
    relevant(s, DECRYPT, context),
  );
  let candidates = decryptStatements
    .filter(s => s.effect === 'Allow')
    .flatMap(s => candidatesFromAllow(s, context, notes));
  for (const deny of decryptStatements.filter(s => s.effect === 'Deny')) {
    candidates = candidates.flatMap(c => applyDeny(c, deny, context, notes));
  }

  return {
    readable: true,
    statements: statements.length,
    cloudTrailCanEncrypt: encrypt.decision,
    cloudTrailCanDescribe: describe.decision,
    cloudTrailEncryptConditions: encrypt.conditions,
    cloudTrailDescribeConditions: describe.conditions,
    decryptPrincipals: dedupePrincipals(candidates.map(toDecryptPrincipal)),
    notes: [...notes],
  };
}
