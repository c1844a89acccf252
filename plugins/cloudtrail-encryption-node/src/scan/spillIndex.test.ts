import { SpillIndex } from './spillIndex';

describe('SpillIndex', () => {
  it('maps every key to its own value through growth, as a Map does', () => {
    const index = new SpillIndex();
    const expected = new Map<string, number>();
    // Past the first arrays (256 entries, 16 kB of keys) several times, with
    // keys that share long prefixes, differ only at the end, or are empty.
    const keys = [''];
    for (let i = 0; i < 5000; i++) {
      keys.push(
        `arn:aws:kms:eu-west-${i % 3}:${String(100000000000 + i)}:key/${i}`,
      );
      keys.push(`${String(100000000000 + i)}/us-east-${i % 2}`);
    }
    keys.push('x'.repeat(40_000), 'é/日本/🔑', 'e/日本/🔑');
    keys.forEach((key, i) => {
      index.set(key, i);
      expected.set(key, i);
    });
    expect(index.size).toBe(expected.size);
    for (const [key, value] of expected) {
      expect(index.get(key)).toBe(value);
      expect(index.has(key)).toBe(true);
    }
    for (const missing of [
      'arn:aws:kms:eu-west-0:100000000000:key/00',
      '100000000000/us-east-1',
      'x'.repeat(39_999),
      'é/日本/🔐',
    ]) {
      expect(index.get(missing)).toBeUndefined();
      expect(index.has(missing)).toBe(false);
    }
  });

  it('tells apart keys whose hashes are equal', () => {
    // Two keys with the same hash (textHash), and the same length.
    const [a, b] = ['123456789012/r-332789', '123456789012/r-529192'];
    const index = new SpillIndex();
    index.set(a, 1);
    expect(index.get(b)).toBeUndefined();
    index.set(b, 2);
    expect([index.get(a), index.get(b), index.size]).toEqual([1, 2, 2]);
  });

  it('sets a key again in place, forgets everything at clear, and refuses a value that is no place', () => {
    const index = new SpillIndex();
    index.set('a', 1);
    index.set('b', 2);
    index.set('a', 7);
    expect(index.size).toBe(2);
    expect(index.get('a')).toBe(7);
    expect(index.get('b')).toBe(2);
    expect(index.keyBytes).toBe(2);
    // Looking up a missing key keeps nothing of it.
    for (let i = 0; i < 100_000; i++) index.get(`missing-${i}`);
    expect(index.keyBytes).toBe(2);
    index.set('c', 3);
    expect([index.get('a'), index.get('b'), index.get('c')]).toEqual([7, 2, 3]);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.get('a')).toBeUndefined();
    index.set('a', 0);
    expect(index.get('a')).toBe(0);
    for (const bad of [-1, 1.5, 2 ** 31, NaN]) {
      expect(() => index.set('d', bad)).toThrow(RangeError);
    }
    expect(index.has('d')).toBe(false);
  });
});
