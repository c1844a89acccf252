/**
 * A small IAM policy evaluator: enough of the grammar (Principal, Action,
 * Condition operators) to decide what key policies let callers and
 * CloudTrail do. Conditions on keys absent from the request context fail,
 * as in IAM, except Null checks and unknown operators, which pass.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
}

/** Who is asking: either AWS principals (ARNs / account ids) or a service. */
export interface PolicyRequest {
  action: string;
  awsPrincipals?: string[];
  servicePrincipal?: string;
  context?: Record<string, string>;
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

function principalMatches(principal: unknown, req: PolicyRequest): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const p = principal as Record<string, unknown>;
  if (req.servicePrincipal) {
    return asList(p.Service).includes(req.servicePrincipal);
  }
  const aws = asList(p.AWS);
  return aws.some(a => a === '*' || (req.awsPrincipals ?? []).includes(a));
}

function actionMatches(stmt: PolicyStatement, action: string): boolean {
  return asList(stmt.Action).some(a => globMatch(a, action, true));
}

const OPERATORS: Record<string, (actual: string, expected: string) => boolean> =
  {
    StringEquals: (a, e) => a === e,
    StringNotEquals: (a, e) => a !== e,
    StringEqualsIgnoreCase: (a, e) => a.toLowerCase() === e.toLowerCase(),
    StringLike: (a, e) => globMatch(e, a),
    StringNotLike: (a, e) => !globMatch(e, a),
    ArnEquals: (a, e) => a === e,
    ArnLike: (a, e) => globMatch(e, a),
    ArnNotEquals: (a, e) => a !== e,
    ArnNotLike: (a, e) => !globMatch(e, a),
    Bool: (a, e) => a.toLowerCase() === e.toLowerCase(),
  };

function conditionsHold(
  cond: PolicyStatement['Condition'],
  context: Record<string, string>,
): boolean {
  if (!cond) return true;
  const ctx = new Map(
    Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]),
  );
  return Object.entries(cond).every(([rawOp, entries]) => {
    const op = rawOp.replace(/^(ForAnyValue|ForAllValues):/, '');
    const ifExists = op.endsWith('IfExists');
    const base = ifExists ? op.slice(0, -'IfExists'.length) : op;
    return Object.entries(entries ?? {}).every(([key, expected]) => {
      const actual = ctx.get(key.toLowerCase());
      if (base === 'Null') {
        const wantsAbsent = asList(expected)[0]?.toLowerCase() === 'true';
        return wantsAbsent === (actual === undefined);
      }
      const fn = OPERATORS[base];
      if (!fn) return true;
      if (actual === undefined) return ifExists;
      const values = asList(expected);
      return base.includes('Not')
        ? values.every(e => fn(actual, e))
        : values.some(e => fn(actual, e));
    });
  });
}

function statementApplies(stmt: PolicyStatement, req: PolicyRequest): boolean {
  if (stmt.NotPrincipal !== undefined || stmt.NotAction !== undefined) {
    return false;
  }
  return (
    principalMatches(stmt.Principal, req) &&
    actionMatches(stmt, req.action) &&
    conditionsHold(stmt.Condition, req.context ?? {})
  );
}

/** True when some Allow statement applies and no Deny statement does. */
export function policyAllows(doc: PolicyDocument, req: PolicyRequest): boolean {
  const applicable = doc.Statement.filter(s => statementApplies(s, req));
  if (applicable.some(s => s.Effect === 'Deny')) return false;
  return applicable.some(s => s.Effect === 'Allow');
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
