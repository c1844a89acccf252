import { BodyCache, etagOf } from './BodyCache';

describe('BodyCache', () => {
  it('returns a body only under the version it was stored with', () => {
    const cache = new BodyCache(1_000);
    const stored = cache.set('a', 'v1', '{"n":1}');
    expect(stored.body.toString()).toBe('{"n":1}');
    expect(stored.etag).toBe(etagOf(Buffer.from('{"n":1}')));
    expect(cache.get('a', 'v1')).toBe(stored);
    expect(cache.get('a', 'v2')).toBeUndefined();
    expect(cache.get('b', 'v1')).toBeUndefined();

    const replaced = cache.set('a', 'v2', '{"n":2}');
    expect(replaced.etag).not.toBe(stored.etag);
    expect(cache.get('a', 'v1')).toBeUndefined();
    expect(cache.size).toBe(7);
  });

  it('drops the least recently used bodies beyond its size, never more', () => {
    const cache = new BodyCache(30);
    cache.set('a', 'v', '0123456789');
    cache.set('b', 'v', '0123456789');
    cache.set('c', 'v', '0123456789');
    expect(cache.get('a', 'v')).toBeDefined(); // now the most recent
    cache.set('d', 'v', '0123456789');
    expect(cache.get('b', 'v')).toBeUndefined();
    expect(cache.get('a', 'v')).toBeDefined();
    expect(cache.get('c', 'v')).toBeDefined();
    expect(cache.get('d', 'v')).toBeDefined();
    expect(cache.size).toBe(30);

    // A body larger than the whole cache is returned but not kept.
    const big = cache.set('e', 'v', 'x'.repeat(31));
    expect(big.body.length).toBe(31);
    expect(cache.get('e', 'v')).toBeUndefined();
    expect(cache.size).toBe(30);
  });

  it('evicts in least recently used order over many reads and writes', () => {
    const cache = new BodyCache(50);
    // The reference: keys from least to most recently used.
    const order: string[] = [];
    const use = (key: string) => {
      const at = order.indexOf(key);
      if (at >= 0) order.splice(at, 1);
      order.push(key);
    };
    let seed = 7;
    const next = () => {
      seed = (seed * 48271) % 2147483647;
      return seed;
    };
    for (let i = 0; i < 2_000; i++) {
      const key = `k${next() % 12}`;
      if (next() % 3 === 0) {
        cache.set(key, 'v', '0123456789');
        use(key);
        // Five bodies of ten bytes fit: the oldest go.
        while (order.length > 5) order.shift();
      } else if (cache.get(key, 'v')) {
        use(key);
      }
      const keys = Array.from({ length: 12 }, (_, k) => `k${k}`);
      // Reading held keys would make them recent: only the others are read.
      const dropped = keys.filter(k => !order.includes(k));
      expect(dropped.filter(k => cache.get(k, 'v'))).toEqual([]);
      expect(keys.filter(k => cache.get(k, 'other'))).toEqual([]);
      expect(cache.size).toBe(order.length * 10);
    }
  });
});
