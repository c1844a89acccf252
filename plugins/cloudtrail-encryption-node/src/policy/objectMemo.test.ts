import { serialize, deserialize } from 'node:v8';
import { ObjectMemo } from './objectMemo';

describe('ObjectMemo', () => {
  it('answers as a WeakMap: get, has, set and delete by key object', () => {
    const memo = new ObjectMemo<object, string>();
    const a = {};
    const b = [1, 2];
    expect(memo.get(a)).toBeUndefined();
    expect(memo.has(a)).toBe(false);
    expect(memo.set(a, 'A').set(b, 'B')).toBe(memo);
    expect(memo.get(a)).toBe('A');
    expect(memo.get(b)).toBe('B');
    expect(memo.has(b)).toBe(true);
    memo.set(a, 'A2');
    expect(memo.get(a)).toBe('A2');
    expect(memo.delete(a)).toBe(true);
    expect(memo.has(a)).toBe(false);
    expect(memo.get(a)).toBeUndefined();
    expect(memo.delete(a)).toBe(false);
  });

  it('keeps a value that is undefined apart from no entry', () => {
    const memo = new ObjectMemo<object, string | undefined>();
    const key = {};
    memo.set(key, undefined);
    expect(memo.has(key)).toBe(true);
    expect(memo.get(key)).toBeUndefined();
  });

  it('keeps each memo to itself, and nothing of it is seen in the key', () => {
    const first = new ObjectMemo<Record<string, unknown>, number>();
    const second = new ObjectMemo<Record<string, unknown>, number>();
    const key: Record<string, unknown> = { name: 'role', list: [1] };
    first.set(key, 1);
    expect(second.has(key)).toBe(false);
    second.set(key, 2);
    expect(first.get(key)).toBe(1);
    expect(second.get(key)).toBe(2);
    expect(Object.keys(key)).toEqual(['name', 'list']);
    expect(JSON.stringify(key)).toBe('{"name":"role","list":[1]}');
    expect({ ...key }).toEqual({ name: 'role', list: [1] });
    expect(Object.getOwnPropertySymbols({ ...key })).toEqual([]);
    expect(deserialize(serialize(key))).toEqual({ name: 'role', list: [1] });
    expect(key).toEqual({ name: 'role', list: [1] });
  });

  it('keeps the entries of frozen and sealed keys apart, without touching them', () => {
    const memo = new ObjectMemo<object, string>();
    const frozen = Object.freeze({ a: 1 });
    const sealed = Object.seal([1]);
    memo.set(frozen, 'frozen').set(sealed, 'sealed');
    expect(memo.get(frozen)).toBe('frozen');
    expect(memo.get(sealed)).toBe('sealed');
    expect(Object.getOwnPropertySymbols(frozen)).toEqual([]);
    expect(memo.delete(frozen)).toBe(true);
    expect(memo.has(frozen)).toBe(false);
    expect(memo.has(sealed)).toBe(true);
  });
});
