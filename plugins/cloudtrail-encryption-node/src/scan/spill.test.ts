import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spill } from './spill';

describe('Spill', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'spill-test-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const values = Array.from({ length: 400 }, (_, i) => ({
    i,
    // Sizes across the write chunk (256 kB): small, large and one larger.
    text: 'k'.repeat(i === 200 ? 600_000 : 50 + ((i * 977) % 4000)),
    at: new Date(i * 1000).toISOString(),
    nothing: undefined,
    list: [i, `${i}`],
  }));

  it('reads back every value, written or not yet written, any number of times', () => {
    const spill = new Spill({ directory });
    const refs = values.map(v => spill.put(v));
    // Kept in the file, not in memory.
    expect(refs.every(r => !Buffer.isBuffer(r))).toBe(true);
    for (const _round of [0, 1]) {
      for (const [n, ref] of refs.entries()) {
        const copy = spill.get(ref);
        expect(copy).toEqual(values[n]);
        expect(copy).not.toBe(values[n]);
      }
    }
    // Interleaved with more writes.
    const later = spill.put({ last: true });
    expect(spill.get(refs[3])).toEqual(values[3]);
    expect(spill.get(later)).toEqual({ last: true });
    spill.close();
  });

  it('keeps JSON data in its file: a Date is read back as its ISO string', () => {
    const spill = new Spill({ directory });
    const at = new Date(5000);
    const ref = spill.put({ at, nothing: undefined, list: ['a', 1, null] });
    const copy = spill.get<{ at: unknown }>(ref);
    expect(copy).toStrictEqual({ at: at.toISOString(), list: ['a', 1, null] });
    expect(spill.get(spill.put(undefined))).toBeUndefined();
    spill.close();
  });

  it('leaves nothing in its directory, while open or after', () => {
    const spill = new Spill({ directory });
    const ref = spill.put({ a: 1 });
    expect(readdirSync(directory)).toEqual([]);
    expect(spill.get(ref)).toEqual({ a: 1 });
    spill.close();
    expect(readdirSync(directory)).toEqual([]);
    // After close, a late value stays in memory: no file is opened again.
    const late = spill.put({ b: 2 });
    expect(Buffer.isBuffer(late)).toBe(true);
    expect(spill.get(late)).toEqual({ b: 2 });
    expect(readdirSync(directory)).toEqual([]);
    expect(() => spill.get(ref)).toThrow('The scan spill is closed');
  });

  it('keeps values in memory when its directory cannot be written', () => {
    const file = join(directory, 'not-a-directory');
    writeFileSync(file, '');
    const spill = new Spill({ directory: file });
    const refs = values.slice(0, 20).map(v => spill.put(v));
    expect(refs.every(r => Buffer.isBuffer(r))).toBe(true);
    refs.forEach((r, n) => expect(spill.get(r)).toEqual(values[n]));
    spill.close();
  });
});
