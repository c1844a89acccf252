import { parseArn } from './arn';

/**
 * Wildcard matching as IAM does it: `*` matches any run of characters
 * (including none) and `?` exactly one. Nothing else is special, so a
 * regular expression is deliberately avoided.
 *
 * @public
 */
export function globMatch(
  pattern: string,
  value: string,
  ignoreCase = false,
): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = vi;
    } else if (star !== -1) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** @public */
export function hasWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}

/**
 * ArnLike/ArnEquals compare ARNs part by part, so a `*` in the Region part
 * never swallows the account part. Both operators accept wildcards. A
 * pattern with fewer than six parts never matches a well-formed ARN.
 *
 * @public
 */
export function arnMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const p = parseArn(pattern);
  const v = parseArn(value);
  if (!p && !v) return globMatch(pattern, value);
  if (!p || !v) return false;
  return (
    globMatch(p.partition, v.partition) &&
    globMatch(p.service, v.service) &&
    globMatch(p.region, v.region) &&
    globMatch(p.accountId, v.accountId) &&
    globMatch(p.resource, v.resource)
  );
}
