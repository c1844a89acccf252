/** The twelve-digit account id as a number, or -1 when it is not one. */
function idNumber(id: string): number {
  if (id.length !== 12) return -1;
  let n = 0;
  for (let i = 0; i < 12; i++) {
    const digit = id.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

const EMPTY: ReadonlySet<string> = new Set();
/** An empty slot: ids are not negative. */
const FREE = -1;

/** Mixes the id's bits into a slot number (ids below 2^40, exact as doubles). */
function slotHash(n: number): number {
  const low = n >>> 0;
  const high = (n / 0x1_0000_0000) >>> 0;
  let h = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  return h >>> 0;
}

/** The slot holding `n`, or the free slot where it goes (the table is never full). */
function slotOf(slots: Float64Array, mask: number, n: number): number {
  let slot = slotHash(n) & mask;
  while (slots[slot] !== n && slots[slot] !== FREE) slot = (slot + 1) & mask;
  return slot;
}

/** A table at most half full: a look-up that misses ends within a few slots. */
function freeSlots(count: number): Float64Array {
  let capacity = 8;
  while (capacity < 2 * count) capacity *= 2;
  return new Float64Array(capacity).fill(FREE);
}

/**
 * What every read-only set of account ids here answers the same way, from
 * its own `values()`.
 */
abstract class IdSet implements ReadonlySet<string> {
  abstract readonly size: number;
  abstract has(id: string): boolean;
  abstract values(): SetIterator<string>;

  keys(): SetIterator<string> {
    return this.values();
  }

  *entries(): SetIterator<[string, string]> {
    for (const id of this.values()) yield [id, id];
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.values();
  }

  forEach(
    callback: (value: string, key: string, set: ReadonlySet<string>) => void,
    thisArg?: unknown,
  ): void {
    for (const id of this.values()) callback.call(thisArg, id, id, this);
  }
}

/**
 * A set of AWS account ids that never changes once made, for the sets a scan
 * keeps of every account of the fleet (the accounts scanned, trusted, in the
 * organization). The ids are held as numbers in an open-addressing hash
 * table over one `Float64Array`, outside the JavaScript heap: 16 to 32 bytes
 * an account, counted once in resident memory, where a `Set` of 10,000 ids
 * holds about 360 kB of hash table on the heap, which V8 lets the old
 * generation grow to several times before a full collection. A look-up
 * reads the id's twelve digits and probes a slot or two: about twice a
 * `Set`'s time (65–73 ns against 32–48 ns; a 1,002-account scan makes
 * 121,000 of them, under 10 ms). A value that is not a twelve-digit id is
 * kept in a `Set` beside.
 *
 * Iterates in ascending order of the ids, not in the order given.
 */
export class AccountIdSet extends IdSet {
  /** Per slot, an id or {@link FREE}; its length is a power of two. */
  readonly #slots: Float64Array;
  readonly #mask: number;
  readonly #count: number;
  readonly #others: ReadonlySet<string>;

  constructor(ids: Iterable<string>) {
    super();
    const numbers: number[] = [];
    let others: Set<string> | undefined;
    for (const id of ids) {
      const n = idNumber(id);
      if (n >= 0) numbers.push(n);
      else (others ??= new Set()).add(id);
    }
    const slots = freeSlots(numbers.length);
    const mask = slots.length - 1;
    let count = 0;
    for (const n of numbers) {
      const slot = slotOf(slots, mask, n);
      if (slots[slot] === FREE) {
        slots[slot] = n;
        count += 1;
      }
    }
    this.#slots = slots;
    this.#mask = mask;
    this.#count = count;
    this.#others = others ?? EMPTY;
  }

  get size(): number {
    return this.#count + this.#others.size;
  }

  has(id: string): boolean {
    const n = idNumber(id);
    if (n < 0) return this.#others.has(id);
    const slots = this.#slots;
    return slots[slotOf(slots, this.#mask, n)] === n;
  }

  *values(): SetIterator<string> {
    const ids = this.#slots.filter(n => n !== FREE).sort();
    for (const n of ids) yield String(n).padStart(12, '0');
    yield* this.#others;
  }
}

/** See {@link AccountIndex.first}. */
class IndexPrefix extends IdSet {
  readonly #index: AccountIndex;
  readonly #count: number;
  #size: number | undefined;

  constructor(index: AccountIndex, count: number) {
    super();
    this.#index = index;
    this.#count = count;
  }

  get size(): number {
    if (this.#size === undefined) {
      let size = 0;
      for (const _ of this.values()) size += 1;
      this.#size = size;
    }
    return this.#size;
  }

  has(id: string): boolean {
    const position = this.#index.indexOf(id);
    return position >= 0 && position < this.#count;
  }

  *values(): SetIterator<string> {
    const index = this.#index;
    for (let i = 0; i < this.#count; i++) {
      const id = index.idAt(i);
      // An id given twice is at its first position only.
      if (index.indexOf(id) === i) yield id;
    }
  }
}

/**
 * The position of each account id in a list that never changes once made
 * (the accounts of a scan, in the scan's order), for the tables a scan keeps
 * with an entry per account ({@link AccountIdMap}): the ids in a table like
 * {@link AccountIdSet}'s, each slot's position in an `Int32Array` beside,
 * outside the heap. The first of an id given twice keeps its position; a
 * value that is not a twelve-digit id is kept in a `Map` beside.
 */
export class AccountIndex {
  readonly #ids: readonly string[];
  readonly #slots: Float64Array;
  readonly #positions: Int32Array;
  readonly #mask: number;
  readonly #others = new Map<string, number>();

  /** Holds `ids` itself, which must not change. */
  constructor(ids: readonly string[]) {
    this.#ids = ids;
    const slots = freeSlots(ids.length);
    const positions = new Int32Array(slots.length);
    const mask = slots.length - 1;
    for (let i = 0; i < ids.length; i++) {
      const n = idNumber(ids[i]);
      if (n < 0) {
        if (!this.#others.has(ids[i])) this.#others.set(ids[i], i);
        continue;
      }
      const slot = slotOf(slots, mask, n);
      if (slots[slot] === FREE) {
        slots[slot] = n;
        positions[slot] = i;
      }
    }
    this.#slots = slots;
    this.#positions = positions;
    this.#mask = mask;
  }

  /** The length of the list: positions are below it. */
  get size(): number {
    return this.#ids.length;
  }

  /** The id's position in the list, or -1. */
  indexOf(id: string): number {
    const n = idNumber(id);
    if (n < 0) return this.#others.get(id) ?? -1;
    const slot = slotOf(this.#slots, this.#mask, n);
    return this.#slots[slot] === n ? this.#positions[slot] : -1;
  }

  has(id: string): boolean {
    return this.indexOf(id) >= 0;
  }

  /** The id at a position of the list. */
  idAt(position: number): string {
    return this.#ids[position];
  }

  /**
   * The ids at the first `count` positions as a set, each once, in the
   * list's order: a view over this index, with no table of its own.
   */
  first(count: number): ReadonlySet<string> {
    return new IndexPrefix(this, Math.min(count, this.size));
  }
}

/**
 * A map from account ids to values, for what a scan keeps per account of the
 * fleet (a credentials check, IAM read ahead): the indexed accounts' values
 * in one array by position, 8 bytes an account on the heap where a `Map` of
 * 10,000 entries holds about 460 kB of hash table; other ids in a `Map`
 * beside. `undefined` is not a value. Iterates the indexed accounts in the
 * index's order, then the others.
 */
export class AccountIdMap<V> {
  readonly #index: AccountIndex;
  readonly #values: (V | undefined)[];
  readonly #others = new Map<string, V>();
  #count = 0;

  constructor(index: AccountIndex) {
    this.#index = index;
    this.#values = new Array<V | undefined>(index.size).fill(undefined);
  }

  get size(): number {
    return this.#count + this.#others.size;
  }

  get(id: string): V | undefined {
    const i = this.#index.indexOf(id);
    return i < 0 ? this.#others.get(id) : this.#values[i];
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  set(id: string, value: V): this {
    const i = this.#index.indexOf(id);
    if (i < 0) {
      this.#others.set(id, value);
      return this;
    }
    if (this.#values[i] === undefined) this.#count += 1;
    this.#values[i] = value;
    return this;
  }

  delete(id: string): boolean {
    const i = this.#index.indexOf(id);
    if (i < 0) return this.#others.delete(id);
    if (this.#values[i] === undefined) return false;
    this.#values[i] = undefined;
    this.#count -= 1;
    return true;
  }

  clear(): void {
    this.#values.fill(undefined);
    this.#count = 0;
    this.#others.clear();
  }

  *keys(): MapIterator<string> {
    const values = this.#values;
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== undefined) yield this.#index.idAt(i);
    }
    yield* this.#others.keys();
  }
}
