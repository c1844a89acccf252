import type { Json, JsonMap, PolicyStatement } from './statements';

/** KMS's limit on a key policy document. */
export const MAX_KEY_POLICY_BYTES = 32768;

export class PolicyRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyRejectedError';
  }
}

export interface ParsedPolicyText {
  document: JsonMap;
  /** The statements, whether the policy wrote Statement as one object or a list. */
  statements: PolicyStatement[];
  statementWasObject: boolean;
  /** Whether the stored text was indented (kept that way when it is rewritten). */
  indented: boolean;
}

function isMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a stored key policy without losing anything on the way back out.
 * JSON.parse turns `1.0` or `12345678901234567890` into numbers that print
 * differently, and IAM compares condition values as text, so such a policy
 * is refused rather than silently rewritten.
 */
export function parsePolicyText(text: string): ParsedPolicyText {
  const lossy: string[] = [];
  let document: unknown;
  try {
    document = JSON.parse(text, function reviver(
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
    throw new PolicyRejectedError(
      `the key policy is not valid JSON (${(error as Error).message})`,
    );
  }
  if (lossy.length > 0) {
    throw new PolicyRejectedError(
      `the key policy contains numbers that would be rewritten differently (${lossy
        .slice(0, 3)
        .join(', ')}); write them as strings first`,
    );
  }
  if (!isMap(document)) {
    throw new PolicyRejectedError('the key policy is not a JSON object');
  }
  const raw = document.Statement;
  let statements: PolicyStatement[];
  if (Array.isArray(raw) && raw.every(isMap)) statements = raw as JsonMap[];
  else if (isMap(raw)) statements = [raw];
  else {
    throw new PolicyRejectedError(
      'the key policy has no Statement object or list of objects',
    );
  }
  return {
    document,
    statements,
    statementWasObject: isMap(raw),
    indented: text.includes('\n'),
  };
}

export function serializePolicy(document: Json, indented: boolean): string {
  return indented
    ? JSON.stringify(document, null, 2)
    : JSON.stringify(document);
}

export function policyBytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Refuses (before any write) a policy KMS would reject for its size. */
export function assertWithinSizeLimit(text: string): void {
  const bytes = policyBytes(text);
  if (bytes > MAX_KEY_POLICY_BYTES) {
    throw new PolicyRejectedError(
      `the resulting key policy would be ${bytes} bytes, over the KMS limit of ${MAX_KEY_POLICY_BYTES} bytes; remove unused statements or principals from the key policy first`,
    );
  }
}
