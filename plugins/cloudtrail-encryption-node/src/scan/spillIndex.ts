import { textHash } from '../policy/textMemo';

/** Entries the index holds at first; its arrays double as they fill. */
const ENTRIES = 256;
/** Bytes of keys the index holds at first. */
const KEY_BYTES = 16 * 1024;

/**
 * String keys to small non-negative integers (places in a {@link Spill}),
 * kept outside the JavaScript heap: an open-addressing hash table over
 * typed arrays (hashed with {@link textHash}), the keys' UTF-8 bytes in
 * one buffer.
 *
 * A scan's look-ups are held from their first account to the last account
 * read, one entry (and, for most, one key string of its own: an ARN, or an
 * account and Region) per account of the fleet. In a `Map` each costs its
 * key string and its slots in the map's table on the heap, which V8 lets
 * grow to several times the live heap before a full collection; here it
 * costs its key's bytes and four integers, outside it.
 */
export class SpillIndex {
  /** Per slot: the entry's number + 1; 0 is empty. Its length is a power of two. */
  #slots!: Int32Array;
  /**
   * Per entry: the key's hash, where its bytes start (they end where the
   * next entry's start, the last's at `#used`), its value.
   */
  #hashes!: Uint32Array;
  #starts!: Uint32Array;
  #values!: Int32Array;
  #count!: number;
  /** The keys' bytes; those of a key being looked up are written after the last. */
  #bytes!: Buffer;
  #used!: number;

  constructor() {
    this.clear();
  }

  get size(): number {
    return this.#count;
  }

  /** Bytes of the keys held. */
  get keyBytes(): number {
    return this.#used;
  }

  get(key: string): number | undefined {
    const entry = this.#find(textHash(key), this.#stage(key));
    return entry < 0 ? undefined : this.#values[entry];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Sets the key's value (a non-negative integer under 2^31). */
  set(key: string, value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
      throw new RangeError(`Not a spill place: ${value}`);
    }
    const hash = textHash(key);
    const length = this.#stage(key);
    const found = this.#find(hash, length);
    if (found >= 0) {
      this.#values[found] = value;
      return;
    }
    if (this.#count === this.#values.length) this.#growEntries();
    if (2 * (this.#count + 1) > this.#slots.length) this.#rehash();
    const entry = this.#count++;
    this.#hashes[entry] = hash;
    this.#starts[entry] = this.#used;
    this.#used += length;
    this.#values[entry] = value;
    this.#slots[this.#slotFor(hash)] = entry + 1;
  }

  clear(): void {
    this.#slots = new Int32Array(2 * ENTRIES);
    this.#hashes = new Uint32Array(ENTRIES);
    this.#starts = new Uint32Array(ENTRIES);
    this.#values = new Int32Array(ENTRIES);
    this.#count = 0;
    this.#bytes = Buffer.allocUnsafe(KEY_BYTES);
    this.#used = 0;
  }

  /** Writes the key's bytes after the last key's, where `set` keeps them; returns their length. */
  #stage(key: string): number {
    // A UTF-16 code unit is at most three bytes of UTF-8.
    const most = 3 * key.length;
    if (this.#used + most > this.#bytes.length) {
      const bytes = Buffer.allocUnsafe(
        Math.max(2 * this.#bytes.length, this.#used + most),
      );
      this.#bytes.copy(bytes, 0, 0, this.#used);
      this.#bytes = bytes;
    }
    return this.#bytes.write(key, this.#used, 'utf8');
  }

  /** The entry of the key just staged, or -1. */
  #find(hash: number, length: number): number {
    const slots = this.#slots;
    const mask = slots.length - 1;
    const bytes = this.#bytes;
    const at = this.#used;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const taken = slots[slot];
      if (taken === 0) return -1;
      const entry = taken - 1;
      if (this.#hashes[entry] !== hash) continue;
      const start = this.#starts[entry];
      const end = entry + 1 < this.#count ? this.#starts[entry + 1] : at;
      if (
        end - start === length &&
        bytes.compare(bytes, at, at + length, start, end) === 0
      ) {
        return entry;
      }
    }
  }

  #slotFor(hash: number): number {
    const slots = this.#slots;
    const mask = slots.length - 1;
    let slot = hash & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    return slot;
  }

  #growEntries(): void {
    const size = 2 * this.#values.length;
    const grow = <A extends Uint32Array | Int32Array>(from: A, to: A): A => {
      to.set(from);
      return to;
    };
    this.#hashes = grow(this.#hashes, new Uint32Array(size));
    this.#starts = grow(this.#starts, new Uint32Array(size));
    this.#values = grow(this.#values, new Int32Array(size));
  }

  #rehash(): void {
    this.#slots = new Int32Array(2 * this.#slots.length);
    for (let entry = 0; entry < this.#count; entry++) {
      this.#slots[this.#slotFor(this.#hashes[entry])] = entry + 1;
    }
  }
}
