/**
 * Turns a key policy (raw JSON text or an already parsed value) into a
 * validated, normalised form. Anything KMS itself would not accept is
 * rejected with a reason instead of being half-evaluated: a wrong answer
 * about who can read audit logs is worse than "unreadable".
 */

export type Effect = 'Allow' | 'Deny';

/** A `Principal` or `NotPrincipal` element; `"*"` and `{"AWS": "*"}` set `wildcard`. */
export interface PrincipalSpec {
  wildcard: boolean;
  aws: string[];
  service: string[];
  federated: string[];
}

export interface ParsedCondition {
  operator: string;
  key: string;
  values: string[];
}

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

export interface ParsedPolicy {
  statements: ParsedStatement[];
}

export type PolicyParseResult =
  | { ok: true; policy: ParsedPolicy }
  | { ok: false; reason: string };

class PolicyFormatError extends Error {}

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

function parsePrincipal(value: unknown, where: string): PrincipalSpec {
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
    if (!field) {
      fail(`${where} has unsupported principal type "${type}"`);
    }
    spec[field].push(...stringList(raw, `${where}.${type}`));
  }
  if (spec.aws.includes('*')) spec.wildcard = true;
  return spec;
}

function parseConditionBlock(value: unknown, where: string): ParsedCondition[] {
  if (value === undefined) return [];
  if (!isPlainObject(value)) fail(`${where} must be an object`);
  const conditions: ParsedCondition[] = [];
  for (const [operator, block] of Object.entries(value)) {
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

function parseStatement(value: unknown, index: number): ParsedStatement {
  const where = `Statement[${index}]`;
  if (!isPlainObject(value)) fail(`${where} is not an object`);
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
    if (!has && !hasNot)
      fail(`${where} has neither ${positive} nor ${negative}`);
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
        : parsePrincipal(value.Principal, `${where}.Principal`),
    notPrincipal:
      value.NotPrincipal === undefined
        ? undefined
        : parsePrincipal(value.NotPrincipal, `${where}.NotPrincipal`),
    action: optionalList('Action'),
    notAction: optionalList('NotAction'),
    resource: optionalList('Resource'),
    notResource: optionalList('NotResource'),
    conditions: parseConditionBlock(value.Condition, `${where}.Condition`),
  };
}

export function parsePolicy(input: unknown): PolicyParseResult {
  let document = input;
  if (typeof input === 'string') {
    try {
      document = JSON.parse(input);
    } catch (error) {
      return {
        ok: false,
        reason: `the key policy is not valid JSON (${
          (error as Error).message
        })`,
      };
    }
  }
  try {
    if (!isPlainObject(document)) fail('the key policy is not a JSON object');
    const raw = document.Statement;
    if (raw === undefined) fail('the key policy has no Statement');
    let list: unknown[];
    if (Array.isArray(raw)) list = raw;
    else if (isPlainObject(raw)) list = [raw];
    else fail('Statement must be an object or a list of objects');
    if (list.length === 0) fail('the key policy has an empty Statement list');
    return { ok: true, policy: { statements: list.map(parseStatement) } };
  } catch (error) {
    if (error instanceof PolicyFormatError) {
      return { ok: false, reason: error.message };
    }
    throw error;
  }
}
