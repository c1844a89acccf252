import { parseConditionOperator } from './conditionOperators';

/**
 * The one key-policy parser: raw JSON text (or an already parsed value) in,
 * a validated, normalised document out. Anything KMS itself would not
 * accept is rejected with a reason instead of being half-evaluated: a wrong
 * answer about who can read audit logs is worse than "unreadable".
 *
 * Reading a stored policy (the scan) is lenient where KMS has already
 * accepted the text: an unknown condition operator is kept as a condition
 * to report. Checking a policy about to be written (`forPutKeyPolicy`) adds
 * what KMS checks at PutKeyPolicy (the 32 KB limit, the Version, condition
 * operator names, statement elements) and that the text can be rewritten
 * without changing any value.
 */

/**
 * KMS's limit on a key policy document, in bytes.
 *
 * @public
 */
export const MAX_KEY_POLICY_BYTES = 32768;

const POLICY_VERSIONS = ['2012-10-17', '2008-10-17'];

const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

/** @public */
export type Effect = 'Allow' | 'Deny';

/**
 * A `Principal` or `NotPrincipal` element; `"*"` and `{"AWS": "*"}` set `wildcard`.
 *
 * @public
 */
export interface PrincipalSpec {
  wildcard: boolean;
  aws: string[];
  service: string[];
  federated: string[];
}

/** @public */
export interface ParsedCondition {
  operator: string;
  key: string;
  values: string[];
}

/** @public */
export interface ParsedStatement {
  index: number;
  /** The Sid, or `Statement[i]` when there is none. */
  label: string;
  effect: Effect;
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  conditions: ParsedCondition[];
}

/**
 * A statement AWS accepts but that has no effect, left out of `statements`.
 *
 * @public
 */
export interface IneffectiveStatementInfo {
  index: number;
  label: string;
  reason: string;
}

/** @public */
export interface ParsedPolicy {
  statements: ParsedStatement[];
  /** Statements accepted as written but without effect (e.g. no Resource); never evaluated. */
  ineffective: IneffectiveStatementInfo[];
  /** The document as written: every top-level member, in its order. */
  document: Record<string, unknown>;
  /** The statements as written, whether Statement was one object or a list. */
  rawStatements: Record<string, unknown>[];
  statementWasObject: boolean;
  /** Facts about the text, when the policy was given as text. */
  text?: PolicyTextFacts;
}

/** @public */
export interface PolicyTextFacts {
  bytes: number;
  /** Whether the text was indented (kept that way when it is rewritten). */
  indented: boolean;
  /**
   * Numbers JSON.parse reads as a value that prints differently (`1.0`,
   * `12345678901234567890`); IAM compares condition values as text.
   */
  lossyNumbers: string[];
}

/** @public */
export interface ParsePolicyOptions {
  /** Also apply the checks KMS makes at PutKeyPolicy (see above). */
  forPutKeyPolicy?: boolean;
  /**
   * `key` (the default): a KMS key policy. `resource`: another resource
   * policy (a bucket policy, a trust policy), which may also name
   * `CanonicalUser` principals (they match no IAM principal and are
   * dropped). `identity`: an IAM identity policy, SCP or RCP, whose
   * statements have no Principal. `trust`: a role's trust policy, whose
   * statements have no Resource.
   */
  kind?: 'key' | 'resource' | 'identity' | 'trust';
}

/** @public */
export type PolicyParseResult =
  | { ok: true; policy: ParsedPolicy }
  | { ok: false; reason: string };

class PolicyFormatError extends Error {}

/** A statement that AWS stores but that never matches a request. */
class IneffectiveStatementError extends Error {}

function fail(message: string): never {
  throw new PolicyFormatError(message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, where: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every(v => typeof v === 'string')) {
    if (value.length === 0) fail(`${where} is an empty list`);
    return value as string[];
  }
  return fail(`${where} must be a string or a list of strings`);
}

const PRINCIPAL_TYPES: Record<string, keyof Omit<PrincipalSpec, 'wildcard'>> = {
  AWS: 'aws',
  Service: 'service',
  Federated: 'federated',
};

function parsePrincipal(
  value: unknown,
  where: string,
  canonicalUsers = false,
): PrincipalSpec {
  const spec: PrincipalSpec = {
    wildcard: false,
    aws: [],
    service: [],
    federated: [],
  };
  if (value === '*') {
    spec.wildcard = true;
    return spec;
  }
  if (!isPlainObject(value)) {
    return fail(`${where} must be "*" or an object such as {"AWS": …}`);
  }
  const entries = Object.entries(value);
  if (entries.length === 0) fail(`${where} is empty`);
  for (const [type, raw] of entries) {
    const field = PRINCIPAL_TYPES[type];
    if (!field && type === 'CanonicalUser' && canonicalUsers) {
      stringList(raw, `${where}.${type}`);
      continue;
    }
    if (!field) {
      fail(`${where} has unsupported principal type "${type}"`);
    }
    spec[field].push(...stringList(raw, `${where}.${type}`));
  }
  if (spec.aws.includes('*')) spec.wildcard = true;
  return spec;
}

function parseConditionBlock(
  value: unknown,
  where: string,
  strict: boolean,
): ParsedCondition[] {
  if (value === undefined) return [];
  if (!isPlainObject(value)) fail(`${where} must be an object`);
  const conditions: ParsedCondition[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (strict && !parseConditionOperator(operator)) {
      fail(
        `${where} has unknown condition operator ${JSON.stringify(operator)}`,
      );
    }
    if (!isPlainObject(block)) {
      fail(`${where}.${operator} must map condition keys to values`);
    }
    for (const [key, raw] of Object.entries(block)) {
      const list = Array.isArray(raw) ? raw : [raw];
      const values = list.map(v => {
        // IAM accepts JSON numbers and booleans and compares them as text.
        if (typeof v === 'string') return v;
        if (typeof v === 'number' || typeof v === 'boolean') return String(v);
        return fail(
          `${where}.${operator}.${key} values must be strings, numbers or booleans`,
        );
      });
      conditions.push({ operator, key, values });
    }
  }
  return conditions;
}

function parseStatement(
  value: unknown,
  index: number,
  strict: boolean,
  kind: NonNullable<ParsePolicyOptions['kind']> = 'key',
): ParsedStatement {
  const where = `Statement[${index}]`;
  if (!isPlainObject(value)) fail(`${where} is not an object`);
  if (strict) {
    const unknown = Object.keys(value).find(k => !STATEMENT_ELEMENTS.has(k));
    if (unknown !== undefined) {
      fail(`${where} has unknown element ${JSON.stringify(unknown)}`);
    }
  }
  const sid = value.Sid;
  if (sid !== undefined && typeof sid !== 'string') {
    fail(`${where}.Sid must be a string`);
  }
  const label = sid ? sid : where;
  const effect = value.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') {
    fail(
      `${where}.Effect must be "Allow" or "Deny", got ${JSON.stringify(
        effect,
      )}`,
    );
  }
  const pairs: Array<[string, string]> = [
    ['Principal', 'NotPrincipal'],
    ['Action', 'NotAction'],
    ['Resource', 'NotResource'],
  ];
  for (const [positive, negative] of pairs) {
    const has = value[positive] !== undefined;
    const hasNot = value[negative] !== undefined;
    if (has && hasNot) fail(`${where} has both ${positive} and ${negative}`);
    const optional =
      (positive === 'Principal' && kind === 'identity') ||
      (positive === 'Resource' && kind === 'trust');
    if (!has && !hasNot && !optional) {
      const message = `${where} has neither ${positive} nor ${negative}`;
      // KMS and IAM store a statement without Resource, and it never
      // matches: it is left out rather than making the document unreadable.
      if (positive === 'Resource' && !strict) {
        throw new IneffectiveStatementError(message);
      }
      fail(message);
    }
  }
  const optionalList = (name: string) =>
    value[name] === undefined
      ? undefined
      : stringList(value[name], `${where}.${name}`);
  return {
    index,
    label,
    effect,
    principal:
      value.Principal === undefined
        ? undefined
        : parsePrincipal(
            value.Principal,
            `${where}.Principal`,
            kind === 'resource' || kind === 'trust',
          ),
    notPrincipal:
      value.NotPrincipal === undefined
        ? undefined
        : parsePrincipal(
            value.NotPrincipal,
            `${where}.NotPrincipal`,
            kind === 'resource' || kind === 'trust',
          ),
    action: optionalList('Action'),
    notAction: optionalList('NotAction'),
    resource: optionalList('Resource'),
    notResource: optionalList('NotResource'),
    conditions: parseConditionBlock(
      value.Condition,
      `${where}.Condition`,
      strict,
    ),
  };
}

/**
 * JSON text as KMS stores it, or an already parsed value, to a validated
 * document; `{ ok: false, reason }` for anything that is not a key policy.
 *
 * @public
 */
export function parsePolicy(
  input: unknown,
  options: ParsePolicyOptions = {},
): PolicyParseResult {
  const strict = options.forPutKeyPolicy === true;
  try {
    let document = input;
    let text: PolicyTextFacts | undefined;
    if (typeof input === 'string') {
      text = {
        bytes: policyBytes(input),
        indented: input.includes('\n'),
        lossyNumbers: [],
      };
      if (strict) {
        const size = keyPolicySizeProblem(input);
        if (size) fail(`the key policy is ${size}`);
      }
      document = parseJson(input, text.lossyNumbers);
      if (strict && text.lossyNumbers.length > 0) {
        fail(
          `the key policy contains numbers that would be rewritten differently (${text.lossyNumbers
            .slice(0, 3)
            .join(', ')}); write them as strings first`,
        );
      }
    }
    if (!isPlainObject(document)) fail('the key policy is not a JSON object');
    if (
      strict &&
      document.Version !== undefined &&
      !POLICY_VERSIONS.includes(document.Version as string)
    ) {
      fail(
        `Version must be ${POLICY_VERSIONS.map(v => `"${v}"`).join(
          ' or ',
        )}, got ${JSON.stringify(document.Version)}`,
      );
    }
    const raw = document.Statement;
    if (raw === undefined) fail('the key policy has no Statement');
    let list: unknown[];
    if (Array.isArray(raw)) list = raw;
    else if (isPlainObject(raw)) list = [raw];
    else fail('Statement must be an object or a list of objects');
    if (list.length === 0) fail('the key policy has an empty Statement list');
    const statements: ParsedStatement[] = [];
    const ineffective: IneffectiveStatementInfo[] = [];
    list.forEach((s, i) => {
      try {
        statements.push(parseStatement(s, i, strict, options.kind));
      } catch (error) {
        if (!(error instanceof IneffectiveStatementError)) throw error;
        const sid = isPlainObject(s) && typeof s.Sid === 'string' ? s.Sid : '';
        ineffective.push({
          index: i,
          label: sid || `Statement[${i}]`,
          reason: error.message,
        });
      }
    });
    // A document with no effective statement at all is one KMS would refuse
    // (it locks everyone out), so it stays unreadable.
    if (statements.length === 0) fail(ineffective[0].reason);
    return {
      ok: true,
      policy: {
        statements,
        ineffective,
        document,
        rawStatements: list as Record<string, unknown>[],
        statementWasObject: !Array.isArray(raw),
        text,
      },
    };
  } catch (error) {
    if (error instanceof PolicyFormatError) {
      return { ok: false, reason: error.message };
    }
    throw error;
  }
}

/** Whether a parsed JSON value holds a number anywhere. */
function hasNumber(value: unknown): boolean {
  if (typeof value === 'number') return true;
  if (typeof value !== 'object' || value === null) return false;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    if (hasNumber(item)) return true;
  }
  return false;
}

function parseJson(text: string, lossy: string[]): unknown {
  try {
    // Policies hold strings; a reviver that compares every number with its
    // source makes each parse several times slower, so it runs only on a
    // document that has a number at all.
    const plain: unknown = JSON.parse(text);
    if (!hasNumber(plain)) return plain;
    return JSON.parse(text, function reviver(
      this: unknown,
      _key: string,
      value: unknown,
      context?: { source?: string },
    ) {
      if (
        typeof value === 'number' &&
        context?.source !== undefined &&
        String(value) !== context.source
      ) {
        lossy.push(context.source);
      }
      return value;
    } as (key: string, value: unknown) => unknown);
  } catch (error) {
    return fail(
      `the key policy is not valid JSON (${(error as Error).message})`,
    );
  }
}

/**
 * The policy's size as KMS counts it (UTF-8 bytes).
 *
 * @public
 */
export function policyBytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * "N bytes, over the KMS limit of 32768 bytes", or undefined within it.
 *
 * @public
 */
export function keyPolicySizeProblem(text: string): string | undefined {
  const bytes = policyBytes(text);
  return bytes > MAX_KEY_POLICY_BYTES
    ? `${bytes} bytes, over the KMS limit of ${MAX_KEY_POLICY_BYTES} bytes`
    : undefined;
}

/**
 * Writes a document back, indented or compact as the stored text was.
 *
 * @public
 */
export function serializePolicy(document: unknown, indented: boolean): string {
  return indented
    ? JSON.stringify(document, null, 2)
    : JSON.stringify(document);
}

/**
 * IAM writes one value as a string and several as a list; both read as a list.
 *
 * @public
 */
export function stringValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter(v => typeof v === 'string');
  return [];
}
