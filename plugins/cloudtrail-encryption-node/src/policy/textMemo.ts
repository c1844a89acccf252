/**
 * Memoizes a pure function of a document's text. A fleet scan meets the
 * same documents again and again (the AWS managed policies every account
 * carries, an organization trail's key policy in every member's report), so
 * each distinct text is worked on once. Bounded: emptied when full. The
 * results are shared, so they must only be read.
 */
export function memoByText<T>(
  limit: number,
  compute: (text: string) => T,
): (text: string) => T {
  const known = new Map<string, T>();
  return text => {
    if (known.has(text)) return known.get(text) as T;
    const value = compute(text);
    if (known.size >= limit) known.clear();
    known.set(text, value);
    return value;
  };
}
