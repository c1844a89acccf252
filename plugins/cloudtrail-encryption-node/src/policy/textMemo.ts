/**
 * Memoizes a pure function of a document's text. A fleet scan meets the
 * same documents again and again (the AWS managed policies every account
 * carries, an organization trail's key policy in every member's report), so
 * each distinct text is worked on once. Bounded: emptied when full. The
 * results are shared, so they must only be read.
 *
 * A text is kept, with its result, only the second time it is met. Most
 * texts a fleet scan meets are met once (an account's own key policy, its
 * roles' trust policies, its inline policies, which name the account):
 * kept until the memo is emptied, each would outlive its account and be
 * moved to V8's old generation, whose growth sets how far V8 lets the heap
 * grow (docs/scaling.md). What remembers the texts met once is a set of
 * their hashes, which holds no text.
 */
export function memoByText<T>(
  limit: number,
  compute: (text: string) => T,
): (text: string) => T {
  const known = new Map<string, T>();
  const seen = new Set<number>();
  return text => {
    if (known.has(text)) return known.get(text) as T;
    const value = compute(text);
    const hash = textHash(text);
    if (!seen.has(hash)) {
      if (seen.size >= limit) seen.clear();
      seen.add(hash);
      return value;
    }
    seen.delete(hash);
    if (known.size >= limit) known.clear();
    known.set(text, value);
    return value;
  };
}

/**
 * FNV-1a over the text's UTF-16 code units, as a small integer. Two texts
 * with the same hash only make the second one kept sooner.
 */
export function textHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash >>> 1;
}

/**
 * The string of `texts` equal to `text`, kept there if new. A value that
 * thousands of accounts share (an OU path, the guardrails AWS attaches to
 * every account, an account id several lists name) is then held once, where
 * each parse or concatenation makes a string of its own.
 */
export function sharedText(texts: Map<string, string>, text: string): string {
  const known = texts.get(text);
  if (known !== undefined) return known;
  texts.set(text, text);
  return text;
}
