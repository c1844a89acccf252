import {
  keyPolicySizeProblem,
  parsePolicy,
  type ParsedPolicy,
  type PolicyJsonMap,
} from '@trailguard/plugin-cloudtrail-encryption-node';
import { structuredPatch } from 'diff';

export { MAX_KEY_POLICY_BYTES } from '@trailguard/plugin-cloudtrail-encryption-node';

export class PolicyRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyRejectedError';
  }
}

export interface StoredPolicy {
  document: PolicyJsonMap;
  /** The statements, whether the policy wrote Statement as one object or a list. */
  statements: PolicyJsonMap[];
  /** Whether the stored text was indented (kept that way when it is rewritten). */
  indented: boolean;
}

/**
 * Reads a stored key policy that is about to be rewritten, with the
 * toolkit's checks for a policy KMS is sent: a policy that cannot be read
 * exactly, or that KMS would refuse, is refused before anything is written.
 */
export function parsePolicyText(text: string): StoredPolicy {
  const result = parsePolicy(text, { forPutKeyPolicy: true });
  if (!result.ok) {
    // Document-level reasons already name the key policy; a statement-level
    // one ("Statement[2].Effect …") is put in context.
    throw new PolicyRejectedError(
      result.reason.startsWith('the key policy')
        ? result.reason
        : `the key policy cannot be evaluated: ${result.reason}`,
    );
  }
  const policy: ParsedPolicy = result.policy;
  return {
    document: policy.document as PolicyJsonMap,
    statements: policy.rawStatements as PolicyJsonMap[],
    indented: policy.text?.indented ?? false,
  };
}

/** Refuses (before any write) a policy KMS would reject for its size. */
export function assertWithinSizeLimit(text: string): void {
  const problem = keyPolicySizeProblem(text);
  if (problem) {
    throw new PolicyRejectedError(
      `the resulting key policy would be ${problem}; remove unused statements or principals from the key policy first`,
    );
  }
}

/**
 * `--- before` / `+++ after` / `@@ -l,s +l,s @@` hunks with `context` lines
 * around each change, for showing a key-policy change in a dry run; '' when
 * the texts are equal.
 */
export function unifiedDiff(
  before: string,
  after: string,
  labels: { before: string; after: string },
  context = 3,
): string {
  if (before === after) return '';
  // Both end in a newline, so the diff carries no "No newline" markers.
  const patch = structuredPatch(
    labels.before,
    labels.after,
    `${before}\n`,
    `${after}\n`,
    undefined,
    undefined,
    { context },
  );
  const out = [`--- ${labels.before}`, `+++ ${labels.after}`];
  for (const hunk of patch.hunks) {
    out.push(
      `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`,
      ...hunk.lines,
    );
  }
  return out.join('\n');
}
