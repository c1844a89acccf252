/**
 * An IAM policy evaluator for key policies, written independently of the
 * product's analysis so that the two can be checked against each other (see
 * policyCases.ts). It follows AWS's documented evaluation logic: an explicit
 * Deny wins, otherwise an Allow is needed; Principal/NotPrincipal,
 * Action/NotAction and Resource/NotResource; conditions whose key is absent
 * fail unless the operator is negated, `...IfExists` or ForAllValues.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
}

/** A request-context value; multivalued keys (e.g. kms:EncryptionContextKeys) are arrays. */
export type ContextValue = string | string[];

/** Who is asking: either AWS principals (ARNs / account ids) or a service. */
export interface PolicyRequest {
  action: string;
  awsPrincipals?: string[];
  servicePrincipal?: string;
  /** The key ARN; when unknown (CreateKey), only `Resource: "*"` applies. */
  resource?: string;
  context?: Record<string, ContextValue | undefined>;
}

export function parsePolicy(text: string): PolicyDocument | undefined {
  try {
    const doc = JSON.parse(text);
    if (typeof doc !== 'object' || doc === null) return undefined;
    const st = doc.Statement;
    if (st === undefined) return undefined;
    return { ...doc, Statement: Array.isArray(st) ? st : [st] };
  } catch {
    return undefined;
  }
}

function asList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

function globToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern
    .split('')
    .map(c => {
      if (c === '*') return '.*';
      if (c === '?') return '.';
      return c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${body}$`, caseInsensitive ? 'i' : '');
}

export function globMatch(pattern: string, value: string, ci = false): boolean {
  return globToRegExp(pattern, ci).test(value);
}

/** Whether a Principal (or NotPrincipal) element names the requester. */
function principalNames(principal: unknown, req: PolicyRequest): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const p = principal as Record<string, unknown>;
  // {"AWS": "*"} is documented as equivalent to "*": it covers services too.
  if (asList(p.AWS).includes('*')) return true;
  if (req.servicePrincipal) {
    const wanted = req.servicePrincipal.toLowerCase();
    return asList(p.Service).some(s => s.toLowerCase() === wanted);
  }
  const callers = req.awsPrincipals ?? [];
  return asList(p.AWS).some(a => callers.includes(a));
}

/**
 * NotPrincipal spares a caller only when every identity it acts as is
 * listed: an IAM role or user is spared only if its account is listed too
 * (AWS's documented NotPrincipal-with-Deny behaviour).
 */
function notPrincipalSpares(notPrincipal: unknown, req: PolicyRequest) {
  if (req.servicePrincipal || !req.awsPrincipals?.length) {
    return principalNames(notPrincipal, req);
  }
  const listed = (names: string[]) =>
    principalNames(notPrincipal, { ...req, awsPrincipals: names });
  const isAccount = (name: string) =>
    /^\d{12}$/.test(name) || /^arn:aws[\w-]*:iam::\d{12}:root$/.test(name);
  const accountNames = req.awsPrincipals.filter(isAccount);
  const identities = req.awsPrincipals.filter(n => !isAccount(n));
  // An account is listed either as its id or as its root ARN.
  return (
    (accountNames.length === 0 || listed(accountNames)) &&
    identities.every(n => listed([n]))
  );
}

function principalApplies(stmt: PolicyStatement, req: PolicyRequest) {
  if (stmt.NotPrincipal !== undefined) {
    return !notPrincipalSpares(stmt.NotPrincipal, req);
  }
  return principalNames(stmt.Principal, req);
}

function actionApplies(stmt: PolicyStatement, action: string): boolean {
  const any = (patterns: unknown) =>
    asList(patterns).some(a => globMatch(a, action, true));
  if (stmt.NotAction !== undefined) return !any(stmt.NotAction);
  return any(stmt.Action);
}

/** In a key policy "*" means this key; anything else must match its ARN. */
function resourceApplies(stmt: PolicyStatement, resource?: string): boolean {
  const any = (patterns: unknown) =>
    asList(patterns).some(
      r => r === '*' || (resource !== undefined && globMatch(r, resource)),
    );
  if (stmt.NotResource !== undefined) return !any(stmt.NotResource);
  // KMS accepts a statement without Resource, but it never applies.
  if (stmt.Resource === undefined) return false;
  return any(stmt.Resource);
}

type Compare = (actual: string, expected: string) => boolean;

const num = (s: string) => (s.trim() === '' ? NaN : Number(s));
const date = (s: string) =>
  /^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s);

function ipv4InCidr(ip: string, cidr: string): boolean {
  const toInt = (a: string) => {
    const parts = a.split('.').map(Number);
    if (parts.length !== 4 || parts.some(p => !(p >= 0 && p <= 255))) {
      return NaN;
    }
    return parts.reduce((acc, p) => acc * 256 + p, 0);
  };
  const [base, bitsText] = cidr.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const a = toInt(ip);
  const b = toInt(base);
  if (Number.isNaN(a) || Number.isNaN(b) || !(bits >= 0 && bits <= 32)) {
    return false;
  }
  const size = 2 ** (32 - bits);
  return Math.floor(a / size) === Math.floor(b / size);
}

/** The positive form of every operator; `negated` marks the Not forms. */
const OPERATORS: Record<string, { fn: Compare; negated: boolean }> = {};
function define(name: string, fn: Compare, notName?: string) {
  OPERATORS[name.toLowerCase()] = { fn, negated: false };
  if (notName) OPERATORS[notName.toLowerCase()] = { fn, negated: true };
}
define('StringEquals', (a, e) => a === e, 'StringNotEquals');
define(
  'StringEqualsIgnoreCase',
  (a, e) => a.toLowerCase() === e.toLowerCase(),
  'StringNotEqualsIgnoreCase',
);
define('StringLike', (a, e) => globMatch(e, a), 'StringNotLike');
define('ArnEquals', (a, e) => globMatch(e, a), 'ArnNotEquals');
define('ArnLike', (a, e) => globMatch(e, a), 'ArnNotLike');
define('NumericEquals', (a, e) => num(a) === num(e), 'NumericNotEquals');
define('NumericLessThan', (a, e) => num(a) < num(e));
define('NumericLessThanEquals', (a, e) => num(a) <= num(e));
define('NumericGreaterThan', (a, e) => num(a) > num(e));
define('NumericGreaterThanEquals', (a, e) => num(a) >= num(e));
define('DateEquals', (a, e) => date(a) === date(e), 'DateNotEquals');
define('DateLessThan', (a, e) => date(a) < date(e));
define('DateLessThanEquals', (a, e) => date(a) <= date(e));
define('DateGreaterThan', (a, e) => date(a) > date(e));
define('DateGreaterThanEquals', (a, e) => date(a) >= date(e));
define('Bool', (a, e) => a.toLowerCase() === e.toLowerCase());
define('BinaryEquals', (a, e) => a === e);
define('IpAddress', (a, e) => ipv4InCidr(a, e), 'NotIpAddress');

interface ParsedOperator {
  set?: 'any' | 'all';
  base: string;
  ifExists: boolean;
}

/** Splits `ForAnyValue:StringLikeIfExists` into its parts; undefined when unknown. */
export function parseOperator(raw: string): ParsedOperator | undefined {
  const m = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/i.exec(raw);
  if (!m) return undefined;
  const set = m[1]?.toLowerCase() === 'foranyvalue' ? 'any' : m[1] && 'all';
  const base = m[2];
  const ifExists = m[3] !== undefined;
  if (base.toLowerCase() === 'null') {
    return set || ifExists ? undefined : { base: 'null', ifExists };
  }
  if (!OPERATORS[base.toLowerCase()]) return undefined;
  return { set: set || undefined, base: base.toLowerCase(), ifExists };
}

function conditionHolds(
  raw: string,
  key: string,
  expectedRaw: unknown,
  ctx: Map<string, ContextValue>,
): boolean {
  const op = parseOperator(raw);
  // Rejected at PutKeyPolicy; a policy that got in some other way is never satisfied by it.
  if (!op) return false;
  const actual = ctx.get(key.toLowerCase());
  const expected = asList(expectedRaw);
  if (op.base === 'null') {
    const wantsAbsent = expected[0]?.toLowerCase() === 'true';
    return wantsAbsent === (actual === undefined);
  }
  const { fn, negated } = OPERATORS[op.base];
  const values = actual === undefined ? [] : asList(actual);
  if (values.length === 0) {
    if (op.ifExists) return true;
    if (op.set === 'all') return true;
    if (op.set === 'any') return false;
    return negated;
  }
  const matchesOne = (v: string) =>
    negated ? expected.every(e => !fn(v, e)) : expected.some(e => fn(v, e));
  if (op.set === 'all') return values.every(matchesOne);
  if (op.set === 'any') return values.some(matchesOne);
  return negated ? values.every(matchesOne) : values.some(matchesOne);
}

function conditionsHold(
  cond: PolicyStatement['Condition'],
  context: Record<string, ContextValue | undefined>,
): boolean {
  if (!cond) return true;
  const ctx = new Map<string, ContextValue>();
  for (const [k, v] of Object.entries(context)) {
    if (v !== undefined) ctx.set(k.toLowerCase(), v);
  }
  return Object.entries(cond).every(([op, entries]) =>
    Object.entries(entries ?? {}).every(([key, expected]) =>
      conditionHolds(op, key, expected, ctx),
    ),
  );
}

function statementApplies(stmt: PolicyStatement, req: PolicyRequest): boolean {
  return (
    principalApplies(stmt, req) &&
    actionApplies(stmt, req.action) &&
    resourceApplies(stmt, req.resource) &&
    conditionsHold(stmt.Condition, req.context ?? {})
  );
}

/** True when some Allow statement applies and no Deny statement does. */
export function policyAllows(doc: PolicyDocument, req: PolicyRequest): boolean {
  const applicable = doc.Statement.filter(s => statementApplies(s, req));
  if (applicable.some(s => s.Effect === 'Deny')) return false;
  return applicable.some(s => s.Effect === 'Allow');
}

/**
 * Why KMS would refuse this document, in KMS's words, or undefined when it
 * is well formed.
 */
export function policyDocumentProblem(
  doc: PolicyDocument,
  kind: 'kms' | 's3' = 'kms',
): string | undefined {
  for (const [i, s] of doc.Statement.entries()) {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) {
      return 'Policy contains a statement that is not a JSON object.';
    }
    const where = s.Sid ? `statement ${s.Sid}` : `statement ${i}`;
    if (!s.Effect) return 'Policy contains a statement with no Effect.';
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') {
      return `Policy contains an invalid Effect in ${where}: ${s.Effect}.`;
    }
    if ((s.Principal === undefined) === (s.NotPrincipal === undefined)) {
      return `Policy contains a statement with no Principal or with both Principal and NotPrincipal: ${where}.`;
    }
    if ((s.Action === undefined) === (s.NotAction === undefined)) {
      return `Policy contains a statement with no Action or with both Action and NotAction: ${where}.`;
    }
    if (s.Resource !== undefined && s.NotResource !== undefined) {
      return `Policy contains a statement with both Resource and NotResource: ${where}.`;
    }
    // KMS accepts a statement without Resource (it never applies); S3 does not.
    if (
      kind === 's3' &&
      s.Resource === undefined &&
      s.NotResource === undefined
    ) {
      return 'Missing required field Resource';
    }
    if (s.Condition === undefined) continue;
    if (typeof s.Condition !== 'object' || s.Condition === null) {
      return `Policy contains an invalid Condition block in ${where}.`;
    }
    for (const [op, entries] of Object.entries(s.Condition)) {
      if (!parseOperator(op)) {
        return `Policy contains an invalid condition operator in ${where}: ${op}.`;
      }
      if (typeof entries !== 'object' || entries === null) {
        return `Policy contains an invalid condition block for ${op} in ${where}.`;
      }
    }
  }
  return undefined;
}

/** The policy KMS attaches to keys created without one. */
export function defaultKeyPolicy(account: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

/** The principal names a caller matches in a key policy. */
export function callerPrincipals(account: string, principalArn?: string) {
  const names = [account, `arn:aws:iam::${account}:root`];
  if (principalArn) names.push(principalArn);
  return names;
}
