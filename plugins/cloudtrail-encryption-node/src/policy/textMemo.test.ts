import { memoByText, sharedText, textHash } from './textMemo';

describe('memoByText', () => {
  const counting = (limit: number) => {
    const computed: string[] = [];
    const memo = memoByText(limit, text => {
      computed.push(text);
      return { text };
    });
    return { memo, computed };
  };

  it('keeps a text and its result from the second time it is met', () => {
    const { memo, computed } = counting(8);
    const first = memo('{"a":1}');
    const second = memo('{"a":1}');
    const third = memo('{"a":1}');
    expect(first).toEqual({ text: '{"a":1}' });
    expect(first).not.toBe(second);
    expect(third).toBe(second);
    expect(memo('{"a":1}')).toBe(second);
    expect(computed).toEqual(['{"a":1}', '{"a":1}']);
  });

  it('does not keep a text met once, whatever else is met', () => {
    const { memo, computed } = counting(8);
    memo('once');
    for (let i = 0; i < 3; i++) memo('shared');
    expect(computed).toEqual(['once', 'shared', 'shared']);
    // Met a second time, after others: kept from then on.
    memo('once');
    memo('once');
    expect(computed).toEqual(['once', 'shared', 'shared', 'once']);
  });

  it('stays bounded: texts met once and texts kept are each emptied when full', () => {
    const { memo, computed } = counting(2);
    for (const text of ['a', 'a', 'b', 'b', 'c', 'c']) memo(text);
    expect(computed).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    // 'c' came in after the kept texts were emptied; 'a' went with them.
    memo('c');
    expect(computed).toHaveLength(6);
    memo('a');
    expect(computed).toHaveLength(7);
    // 'x', 'y' and 'z' fill the set of texts met once past its limit.
    for (const text of ['x', 'y', 'z', 'x']) memo(text);
    expect(computed).toEqual([
      'a',
      'a',
      'b',
      'b',
      'c',
      'c',
      'a',
      'x',
      'y',
      'z',
      'x',
    ]);
    // Its second meeting came after the set was emptied, so it counted as a
    // first: the next one keeps it.
    memo('x');
    memo('x');
    expect(computed).toHaveLength(12);
  });
});

describe('textHash', () => {
  it('tells texts apart that differ in one character or in order', () => {
    const texts = [
      '{"Version":"2012-10-17","Statement":[]}',
      '{"Version":"2012-10-17","Statement":[ ]}',
      '{"Version":"2012-10-18","Statement":[]}',
      'ab',
      'ba',
      '',
    ];
    expect(new Set(texts.map(textHash)).size).toBe(texts.length);
    expect(textHash(texts[0])).toBe(textHash(`${texts[0]}`));
    for (const t of texts) expect(Number.isSafeInteger(textHash(t))).toBe(true);
  });
});

describe('sharedText', () => {
  it('keeps each distinct text once and answers it for every equal one', () => {
    const texts = new Map<string, string>();
    const built = (parts: string[]) => parts.join('/');
    expect(sharedText(texts, built(['r-1', 'ou-a']))).toBe('r-1/ou-a');
    expect(sharedText(texts, built(['r-1', 'ou-a']))).toBe('r-1/ou-a');
    expect(sharedText(texts, built(['r-1', 'ou-b']))).toBe('r-1/ou-b');
    expect([...texts.keys()]).toEqual(['r-1/ou-a', 'r-1/ou-b']);
  });
});
