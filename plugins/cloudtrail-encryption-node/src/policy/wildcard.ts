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
  return matchGlob(p, v, (pc, c) => pc === '?' || pc === c);
}

/**
 * The matching loop behind {@link globMatch}: `*` matches any run of
 * characters, every other pattern character must match one value character
 * as `one` decides (`?` any character, for IAM; patterns.ts also keeps `?`
 * from matching the stand-in for a request pattern's `*`).
 */
export function matchGlob(
  pattern: string,
  value: string,
  one: (patternChar: string, valueChar: string) => boolean,
): boolean {
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < value.length) {
    if (
      pi < pattern.length &&
      pattern[pi] !== '*' &&
      one(pattern[pi], value[vi])
    ) {
      pi++;
      vi++;
    } else if (pi < pattern.length && pattern[pi] === '*') {
      star = pi++;
      mark = vi;
    } else if (star !== -1) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < pattern.length && pattern[pi] === '*') pi++;
  return pi === pattern.length;
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
