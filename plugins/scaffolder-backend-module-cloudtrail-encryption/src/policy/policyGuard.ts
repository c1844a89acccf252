import type { DecryptPrincipal } from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  evaluateKeyPolicy,
  globMatch,
  parsePolicy,
  stringValues,
  type ParsedStatement,
} from '@trailguard/plugin-cloudtrail-encryption-node';
import { PolicyRejectedError } from './policyText';

const SAME = (a: unknown, b: unknown) =>
  JSON.stringify(a) === JSON.stringify(b);

export interface GuardOptions {
  keyArn: string;
  keyAccountId: string;
  /** A trail the decrypt evaluation is made for (its encryption context). */
  trailArn: string;
  /** narrow-decrypt: the `"*"` decrypt principal may be narrowed. */
  allowNarrowingAny?: boolean;
}

function parsed(text: string, what: string) {
  const result = parsePolicy(text);
  if (!result.ok) {
    throw new PolicyRejectedError(
      `the ${what} key policy cannot be evaluated: ${result.reason}`,
    );
  }
  return result.policy;
}

const covers = (patterns: string[] | undefined, action: string) =>
  (patterns ?? []).some(p => globMatch(p, action, true));

function allowsAction(s: ParsedStatement, action: string): boolean {
  return s.action ? covers(s.action, action) : !covers(s.notAction, action);
}

/**
 * Principals that may change the key policy without any condition: the AWS
 * principals of unconditional Allow statements covering kms:PutKeyPolicy on
 * the key (the account root being the IAM delegation).
 */
function administrators(statements: ParsedStatement[]): Set<string> {
  const admins = new Set<string>();
  for (const s of statements) {
    if (s.effect !== 'Allow' || s.conditions.length > 0 || !s.principal)
      continue;
    if (!allowsAction(s, 'kms:PutKeyPolicy')) continue;
    if (!(s.resource ?? []).includes('*')) continue;
    if (s.principal.wildcard) admins.add('*');
    s.principal.aws.forEach(p => admins.add(p));
  }
  return admins;
}

function denied(statements: ParsedStatement[], principal: string): boolean {
  return statements.some(
    s =>
      s.effect === 'Deny' &&
      allowsAction(s, 'kms:PutKeyPolicy') &&
      (s.principal?.wildcard || s.principal?.aws.includes(principal)),
  );
}

/** A reader and how far its access reaches: narrowing it counts as removing it. */
const principalKey = (p: DecryptPrincipal) =>
  JSON.stringify([
    p.kind,
    p.principal,
    p.organizationId ?? null,
    p.conditions.map(c => [c.operator, c.key, c.values]),
  ]);

/**
 * Refuses, before anything is written, a key policy that would be invalid
 * under today's KMS rules or that would take access away:
 * - every statement added or changed has Action (or NotAction) and
 *   `Resource: "*"`;
 * - everyone who could change the key policy unconditionally before (the
 *   account root's IAM delegation, administrator roles) still can, and no
 *   Deny on kms:PutKeyPolicy is introduced;
 * - every principal that could decrypt the trail's log files before still
 *   can (by TrailGuard's evaluator), except the `"*"` principal that
 *   narrow-decrypt exists to narrow.
 */
export function assertSafeKeyPolicyChange(
  beforeText: string | undefined,
  afterText: string,
  options: GuardOptions,
): void {
  const after = parsed(afterText, 'resulting');
  const before = beforeText ? parsed(beforeText, 'current') : undefined;
  const previous = before?.rawStatements ?? [];
  after.rawStatements.forEach((raw, i) => {
    if (previous.some(p => SAME(p, raw))) return;
    const label = typeof raw.Sid === 'string' ? raw.Sid : `#${i + 1}`;
    if (raw.Action === undefined && raw.NotAction === undefined) {
      throw new PolicyRejectedError(
        `statement ${label} would have neither Action nor NotAction`,
      );
    }
    if (!SAME(stringValues(raw.Resource), ['*'])) {
      throw new PolicyRejectedError(
        `statement ${label} would have Resource ${JSON.stringify(
          raw.Resource,
        )}; a key policy statement's Resource must be "*"`,
      );
    }
  });
  if (!before) return;

  const adminsBefore = administrators(before.statements);
  const adminsAfter = administrators(after.statements);
  const lost = [...adminsBefore].filter(
    p => !adminsAfter.has(p) || denied(after.statements, p),
  );
  if (lost.length > 0) {
    throw new PolicyRejectedError(
      `the resulting key policy would lock ${lost.join(
        ', ',
      )} out of administering the key (kms:PutKeyPolicy)`,
    );
  }

  const context = {
    trailArn: options.trailArn,
    trailOwnerAccountId: parseTrailOwner(options.trailArn),
    keyArn: options.keyArn,
    keyAccountId: options.keyAccountId,
  };
  const evalBefore = evaluateKeyPolicy(before.document, context);
  const evalAfter = evaluateKeyPolicy(after.document, context);
  if (!evalBefore.readable || !evalAfter.readable) return;
  const readersAfter = new Set(evalAfter.decryptPrincipals.map(principalKey));
  const removed = evalBefore.decryptPrincipals.filter(
    p =>
      !(options.allowNarrowingAny && p.kind === 'any') &&
      !readersAfter.has(principalKey(p)),
  );
  if (removed.length > 0) {
    throw new PolicyRejectedError(
      `the resulting key policy would stop ${[
        ...new Set(removed.map(p => p.principal)),
      ].join(', ')} from decrypting the log files`,
    );
  }
}

function parseTrailOwner(trailArn: string): string {
  return trailArn.split(':')[4] ?? '';
}
