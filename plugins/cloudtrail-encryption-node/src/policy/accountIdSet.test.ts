import { AccountIdMap, AccountIdSet, AccountIndex } from './accountIdSet';

describe('AccountIdSet', () => {
  const ids = ['222222222222', '000000000123', '111111111111', '222222222222'];

  it('answers as a Set of the same ids', () => {
    const set = new AccountIdSet(ids);
    const reference = new Set(ids);
    expect(set.size).toBe(reference.size);
    for (const id of [
      ...ids,
      '000000000124',
      '999999999999',
      '333333333333',
      '000000000000',
    ]) {
      expect([id, set.has(id)]).toEqual([id, reference.has(id)]);
    }
    expect([...set]).toEqual([...reference].sort());
  });

  it('does not take a number for an id that reads as it', () => {
    const set = new AccountIdSet([
      '010000000001',
      '000000000123',
      '090000000000',
    ]);
    // Number(' 10000000001') is 10000000001, as is the first id's.
    expect(set.has(' 10000000001')).toBe(false);
    expect(set.has('10000000001')).toBe(false);
    expect(set.has('123')).toBe(false);
    expect(set.has('1.0000000e11')).toBe(false);
    expect(set.has('0000000001e2')).toBe(false);
    // '/' is one code point below '0': read as the digit -1, 1/0 is 9.
    expect(set.has('1/0000000000')).toBe(false);
  });

  it('keeps values that are not account ids beside the ids', () => {
    const set = new AccountIdSet(['111111111111', 'not-an-id', '12345']);
    expect(set.size).toBe(3);
    expect(set.has('not-an-id')).toBe(true);
    expect(set.has('12345')).toBe(true);
    expect(set.has('012345')).toBe(false);
    expect([...set.keys()]).toEqual(['111111111111', 'not-an-id', '12345']);
    expect([...set.entries()][0]).toEqual(['111111111111', '111111111111']);
    const seen: string[] = [];
    set.forEach(id => seen.push(id));
    expect(seen).toEqual([...set.values()]);
  });

  it('is empty when made of nothing', () => {
    const set = new AccountIdSet([]);
    expect(set.size).toBe(0);
    expect(set.has('111111111111')).toBe(false);
    expect([...set]).toEqual([]);
  });

  it('finds every id of a fleet and none beside them', () => {
    const fleet = Array.from({ length: 10_000 }, (_, i) =>
      String(100_000_000_000 + 7 * i).padStart(12, '0'),
    );
    const set = new AccountIdSet([...fleet].reverse());
    expect(set.size).toBe(fleet.length);
    expect(fleet.every(id => set.has(id))).toBe(true);
    const between = fleet.map(id => String(Number(id) + 3).padStart(12, '0'));
    expect(between.some(id => set.has(id))).toBe(false);
  });
});

describe('AccountIndex', () => {
  it('gives each id its first position in the list, and -1 to others', () => {
    const list = [
      '222222222222',
      '000000000123',
      'not-an-id',
      '222222222222',
      '111111111111',
      'not-an-id',
    ];
    const index = new AccountIndex(list);
    expect(index.size).toBe(list.length);
    expect(
      ['222222222222', '000000000123', 'not-an-id', '111111111111'].map(id =>
        index.indexOf(id),
      ),
    ).toEqual([0, 1, 2, 4]);
    for (const id of ['000000000124', '123', ' 22222222222', '333333333333']) {
      expect([id, index.indexOf(id), index.has(id)]).toEqual([id, -1, false]);
    }
    expect(index.has('111111111111')).toBe(true);
    expect(index.idAt(4)).toBe('111111111111');
  });

  it('gives its first positions as a set of their ids, in order', () => {
    const index = new AccountIndex([
      '222222222222',
      '000000000123',
      'not-an-id',
      '222222222222',
      '111111111111',
      '333333333333',
    ]);
    const first = index.first(5);
    const ids = ['222222222222', '000000000123', 'not-an-id', '111111111111'];
    expect([...first]).toEqual(ids);
    expect(first.size).toBe(4);
    expect([...first.keys()]).toEqual(ids);
    expect([...first.entries()]).toEqual(ids.map(id => [id, id]));
    const seen: string[] = [];
    first.forEach((value, key, set) => {
      expect([key, set]).toEqual([value, first]);
      seen.push(value);
    });
    expect(seen).toEqual(ids);
    expect(ids.every(id => first.has(id))).toBe(true);
    // Past the count, or not in the list at all.
    expect(first.has('333333333333')).toBe(false);
    expect(first.has('444444444444')).toBe(false);
    expect(index.first(0).size).toBe(0);
    expect(index.first(0).has('222222222222')).toBe(false);
    expect([...index.first(99)]).toEqual([...ids, '333333333333']);
  });

  it('places every id of a fleet', () => {
    const fleet = Array.from({ length: 10_000 }, (_, i) =>
      String(100_000_000_000 + 7 * i).padStart(12, '0'),
    );
    const index = new AccountIndex(fleet);
    expect(fleet.every((id, i) => index.indexOf(id) === i)).toBe(true);
    const between = fleet.map(id => String(Number(id) + 3).padStart(12, '0'));
    expect(between.some(id => index.has(id))).toBe(false);
  });
});

describe('AccountIdMap', () => {
  const index = new AccountIndex(['111111111111', '222222222222', 'x']);

  it('answers as a Map of the same entries, indexed or not', () => {
    const map = new AccountIdMap<number>(index);
    const reference = new Map<string, number>();
    const steps: Array<[string, number | undefined]> = [
      ['222222222222', 1],
      ['999999999999', 2],
      ['x', 3],
      ['222222222222', 4],
      ['111111111111', 0],
      ['999999999999', undefined],
      ['222222222222', undefined],
      ['222222222222', undefined],
      ['y', 5],
    ];
    const apply = (
      target: AccountIdMap<number> | Map<string, number>,
      [id, value]: [string, number | undefined],
    ) =>
      value === undefined
        ? target.delete(id)
        : target.set(id, value) === target;
    for (const step of steps) {
      expect([step, apply(map, step)]).toEqual([step, apply(reference, step)]);
      expect(map.size).toBe(reference.size);
      for (const probe of ['111111111111', '222222222222', '999999999999']) {
        expect([probe, map.get(probe), map.has(probe)]).toEqual([
          probe,
          reference.get(probe),
          reference.has(probe),
        ]);
      }
    }
    // The indexed accounts in the index's order, then the others.
    expect([...map.keys()]).toEqual(['111111111111', 'x', 'y']);
    expect(map.get('x')).toBe(3);
    expect(map.get('y')).toBe(5);
    map.clear();
    expect(map.size).toBe(0);
    expect([...map.keys()]).toEqual([]);
    expect(map.get('111111111111')).toBeUndefined();
  });
});
