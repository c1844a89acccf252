import {
  CLOUDTRAIL_KEY_POLICY,
  CLOUDTRAIL_SERVICE_PRINCIPAL,
  cloudTrailDescribeStatement,
  cloudTrailEncryptionContextPatterns,
  cloudTrailEncryptStatement,
  decryptStatement,
  oneOrMany,
  policyBytes,
  serializePolicy,
  stringValues,
  type KeyPolicyStatement,
  type PolicyJsonMap,
} from '@trailguard/plugin-cloudtrail-encryption-node';
import {
  evaluateForTrails,
  grantsCloudTrail,
  KeyRef,
  missingPermissions,
  readerCovered,
  TrailAccess,
} from './cloudTrailAccess';
import {
  assertWithinSizeLimit,
  parsePolicyText,
  PolicyRejectedError,
  unifiedDiff,
} from './policyText';

type JsonMap = PolicyJsonMap;
/** @public */
export type PolicyStatement = KeyPolicyStatement;

const {
  sourceArnKey: SOURCE_ARN_KEY,
  encryptionContextKey: CONTEXT_KEY,
  encryptAction: ENCRYPT_ACTION,
  describeAction: DESCRIBE_ACTION,
  decryptActions: DECRYPT_ACTIONS,
} = CLOUDTRAIL_KEY_POLICY;

/**
 * Sids of the statements ensure-policy adds; stable so a re-run finds and extends them.
 *
 * @public
 */
export const TRAILGUARD_SIDS = {
  encrypt: 'TrailGuardCloudTrailEncrypt',
  describe: 'TrailGuardCloudTrailDescribe',
  decrypt: 'TrailGuardDecryptLogFiles',
} as const;

/** @public */
export interface MergeOptions extends KeyRef {
  trailArns: string[];
  /** Principal ARNs (account ids already turned into root ARNs). */
  readers: string[];
}

/** @public */
export interface MergeResult {
  changed: boolean;
  /** The policy to store: the original text, byte for byte, when nothing changed. */
  policyText: string;
  /** TrailGuard statements added or extended, as they appear in the result. */
  addedStatements: PolicyStatement[];
  /** Sids of statements that existed and were extended. */
  extendedSids: string[];
  /** Unified diff of the indented policy before and after; '' when unchanged. */
  diff: string;
  bytes: number;
}

type Kind = keyof typeof TRAILGUARD_SIDS;

const SAME = (a: unknown, b: unknown) =>
  JSON.stringify(a) === JSON.stringify(b);

/** Same names in any order: a stored policy may list members differently. */
const sameSet = (values: string[], expected: string[]) =>
  SAME([...values].sort(), [...expected].sort());
const keysOf = (value: unknown) =>
  typeof value === 'object' && value !== null ? Object.keys(value) : [];

/**
 * The only shapes an existing TrailGuard statement may have to be extended:
 * what this module writes. Anything else was edited by hand, and widening a
 * statement whose meaning is unknown could grant more than intended.
 */
function extendable(kind: Kind, s: PolicyStatement): boolean {
  const condition = s.Condition as JsonMap | undefined;
  const stringEquals = condition?.StringEquals as JsonMap | undefined;
  const stringLike = condition?.StringLike as JsonMap | undefined;
  const principal = s.Principal as JsonMap | undefined;
  const isList = (v: unknown) => stringValues(v).length > 0;
  const base =
    sameSet(keysOf(s), [
      'Sid',
      'Effect',
      'Principal',
      'Action',
      'Resource',
      'Condition',
    ]) &&
    s.Effect === 'Allow' &&
    s.Resource === '*';
  if (!base || !condition) return false;
  const cloudTrailOnly =
    sameSet(keysOf(principal), ['Service']) &&
    SAME(stringValues(principal!.Service), [CLOUDTRAIL_SERVICE_PRINCIPAL]);
  const sourceArnOnly =
    sameSet(keysOf(stringEquals), [SOURCE_ARN_KEY]) &&
    isList(stringEquals![SOURCE_ARN_KEY]);
  if (kind === 'encrypt') {
    return (
      cloudTrailOnly &&
      SAME(stringValues(s.Action), [ENCRYPT_ACTION]) &&
      sameSet(keysOf(condition), ['StringEquals', 'StringLike']) &&
      sourceArnOnly &&
      sameSet(keysOf(stringLike), [CONTEXT_KEY]) &&
      isList(stringLike![CONTEXT_KEY])
    );
  }
  if (kind === 'describe') {
    return (
      cloudTrailOnly &&
      SAME(stringValues(s.Action), [DESCRIBE_ACTION]) &&
      sameSet(keysOf(condition), ['StringEquals']) &&
      sourceArnOnly
    );
  }
  return (
    sameSet(keysOf(principal), ['AWS']) &&
    isList(principal!.AWS) &&
    sameSet(stringValues(s.Action), [...DECRYPT_ACTIONS]) &&
    SAME(condition, { Null: { [CONTEXT_KEY]: 'false' } })
  );
}

const union = (existing: unknown, added: string[]) =>
  oneOrMany([...new Set([...stringValues(existing), ...added])]);

/** A copy of the TrailGuard statement with the new values added. */
function extended(
  kind: Kind,
  s: PolicyStatement,
  values: string[],
): PolicyStatement {
  const copy = structuredClone(s);
  const condition = copy.Condition as JsonMap;
  if (kind === 'decrypt') {
    const principal = copy.Principal as JsonMap;
    principal.AWS = union(principal.AWS, values);
    return copy;
  }
  const equals = condition.StringEquals as JsonMap;
  equals[SOURCE_ARN_KEY] = union(equals[SOURCE_ARN_KEY], values);
  if (kind === 'encrypt') {
    const like = condition.StringLike as JsonMap;
    like[CONTEXT_KEY] = union(
      like[CONTEXT_KEY],
      cloudTrailEncryptionContextPatterns({ trailArns: values }),
    );
  }
  return copy;
}

function fresh(kind: Kind, values: string[]): PolicyStatement {
  const sid = TRAILGUARD_SIDS[kind];
  if (kind === 'encrypt') {
    return cloudTrailEncryptStatement({ sid, trailArns: values });
  }
  if (kind === 'describe') {
    return cloudTrailDescribeStatement({ sid, trailArns: values });
  }
  return decryptStatement({ sid, readers: values });
}

function evaluate(
  statements: PolicyStatement[],
  document: JsonMap,
  options: MergeOptions,
): TrailAccess[] {
  const access = evaluateForTrails(
    { ...document, Statement: statements },
    options.trailArns,
    options,
  );
  if (!access.readable) {
    throw new PolicyRejectedError(
      `the key policy cannot be evaluated: ${access.reason}`,
    );
  }
  return access.trails;
}

function missingReaders(trails: TrailAccess[], readers: string[]): string[] {
  return readers.filter(r =>
    trails.some(t => !readerCovered(r, t.decryptPrincipals)),
  );
}

/**
 * Adds to a key policy only the CloudTrail statements it lacks, deciding
 * "lacks" with the scan's own evaluator. Every other statement is kept as it
 * was, in place; Version, Id and any other top-level member are kept too.
 * Running it on its own output changes nothing.
 *
 * Throws PolicyRejectedError (and nothing should be written) when the policy
 * cannot be parsed, a TrailGuard statement was edited into an unknown shape,
 * the result would still not let CloudTrail in (an explicit Deny, say), or
 * the result is over the KMS size limit.
 *
 * @public
 */
export function mergeCloudTrailStatements(
  policyText: string,
  options: MergeOptions,
): MergeResult {
  const parsed = parsePolicyText(policyText);
  const { document } = parsed;
  const before = evaluate(parsed.statements, document, options);
  const needed: Record<Kind, string[]> = {
    encrypt: before.filter(t => t.encrypt !== true).map(t => t.trailArn),
    describe: before.filter(t => t.describe !== true).map(t => t.trailArn),
    decrypt: missingReaders(before, options.readers),
  };

  const statements = parsed.statements.slice();
  const addedStatements: PolicyStatement[] = [];
  const extendedSids: string[] = [];
  for (const kind of ['encrypt', 'describe', 'decrypt'] as const) {
    const values = needed[kind];
    if (values.length === 0) continue;
    const sid = TRAILGUARD_SIDS[kind];
    const at = statements
      .map((s, index) => (s.Sid === sid ? index : -1))
      .filter(index => index >= 0);
    if (at.length > 1) {
      throw new PolicyRejectedError(
        `the key policy has ${at.length} statements with Sid ${sid}; merge them by hand first`,
      );
    }
    if (at.length === 0) {
      const statement = fresh(kind, values);
      statements.push(statement);
      addedStatements.push(statement);
      continue;
    }
    const current = statements[at[0]];
    if (!extendable(kind, current)) {
      throw new PolicyRejectedError(
        `statement ${sid} exists but is not in the form TrailGuard writes, so it is not widened automatically; edit or remove it`,
      );
    }
    const next = extended(kind, current, values);
    if (SAME(next, current)) {
      throw new PolicyRejectedError(
        `statement ${sid} already names ${values.join(
          ', ',
        )} but the policy still does not grant it (another statement or condition prevents it); fix the policy by hand`,
      );
    }
    statements[at[0]] = next;
    addedStatements.push(next);
    extendedSids.push(sid);
  }

  if (addedStatements.length === 0) {
    return {
      changed: false,
      policyText,
      addedStatements,
      extendedSids,
      diff: '',
      bytes: policyBytes(policyText),
    };
  }

  const after = evaluate(statements, document, options);
  const stillMissing = after.filter(t => !grantsCloudTrail(t));
  if (stillMissing.length > 0) {
    const why = stillMissing
      .map(t => `${t.trailArn}: ${missingPermissions(t).join('; ')}`)
      .join(' | ');
    throw new PolicyRejectedError(
      `even with the TrailGuard statements the key policy would not let ${CLOUDTRAIL_SERVICE_PRINCIPAL} use the key (${why}); an explicit Deny or a condition prevents it, so fix the policy by hand`,
    );
  }
  const readersLeft = missingReaders(after, options.readers);
  if (readersLeft.length > 0) {
    throw new PolicyRejectedError(
      `even with ${
        TRAILGUARD_SIDS.decrypt
      } the key policy would not let ${readersLeft.join(
        ', ',
      )} decrypt the log files (an explicit Deny prevents it); fix the policy by hand`,
    );
  }

  // Statement keeps its place among the top-level members.
  const result: JsonMap = { ...document, Statement: statements };
  const text = serializePolicy(result, parsed.indented);
  assertWithinSizeLimit(text);
  return {
    changed: true,
    policyText: text,
    addedStatements,
    extendedSids,
    diff: unifiedDiff(
      serializePolicy(document, true),
      serializePolicy(result, true),
      { before: 'key policy (current)', after: 'key policy (proposed)' },
    ),
    bytes: policyBytes(text),
  };
}
