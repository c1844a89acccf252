import { matchGlob } from './wildcard';

/**
 * Comparing an IAM wildcard pattern with a *set* of values that is itself
 * written as a pattern: the log objects of a trail are
 * `arn:aws:s3:::bucket/AWSLogs/111122223333/CloudTrail/*`, not one ARN. A
 * policy pattern either covers every such value (the statement applies to
 * all log files), is disjoint from them (it applies to none) or overlaps
 * (it applies to some, which stays a condition).
 */

type Token = { star: true } | { star: false; char?: string };

function token(c: string): Token {
  if (c === '*') return { star: true };
  return c === '?' ? { star: false } : { star: false, char: c };
}

function tokens(pattern: string): Token[] {
  return [...pattern].map(token);
}

/**
 * Whether some value matches both patterns: a search over pairs of
 * positions, each `*` consuming any run and `?` one character.
 */
export function globsIntersect(a: string, b: string): boolean {
  const ta = tokens(a);
  const tb = tokens(b);
  const seen = new Set<number>();
  const width = tb.length + 1;
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length) {
    const [i, j] = stack.pop()!;
    const id = i * width + j;
    if (seen.has(id)) continue;
    seen.add(id);
    if (i === ta.length && j === tb.length) return true;
    const x = ta[i];
    const y = tb[j];
    if (x?.star) stack.push([i + 1, j]);
    if (y?.star) stack.push([i, j + 1]);
    if (!x || !y) continue;
    // Both consume one common character.
    const compatible =
      x.star || y.star || x.char === undefined || y.char === undefined
        ? true
        : x.char === y.char;
    if (compatible) stack.push([x.star ? i : i + 1, y.star ? j : j + 1]);
  }
  return false;
}

const SENTINEL = '\u0000';

/**
 * Whether every value matching `values` also matches `pattern` (sound, not
 * complete: each `*` of `values` must fall inside a `*` of `pattern`).
 */
export function globCovers(pattern: string, values: string): boolean {
  return matchGlob(
    pattern,
    values.replace(/\*/g, SENTINEL),
    (p, c) => c !== SENTINEL && (p === '?' || p === c),
  );
}

/** How a policy value relates to a set of request values written as a pattern. */
export type PatternRelation = 'covers' | 'disjoint' | 'overlaps';

/**
 * `wildcards` says whether the policy value is a pattern (StringLike,
 * ArnLike, Resource) or a literal (StringEquals).
 */
export function relatePattern(
  policyValue: string,
  requestPattern: string,
  wildcards = true,
): PatternRelation {
  const escaped = wildcards
    ? policyValue
    : policyValue.replace(/[*?]/g, c => (c === '*' ? SENTINEL : '\u0001'));
  if (!requestPattern.includes('*') && !requestPattern.includes('?')) {
    if (!wildcards)
      return policyValue === requestPattern ? 'covers' : 'disjoint';
  }
  if (wildcards && globCovers(policyValue, requestPattern)) return 'covers';
  return globsIntersect(escaped, requestPattern) ? 'overlaps' : 'disjoint';
}
