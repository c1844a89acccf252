import {
  closeSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';

/**
 * A value in the scan's spill file: the index of its place (offset and
 * length) in the spill's own tables. A small integer is no object on the
 * heap, where a scan keeps several per account until its report is made.
 */
type SpillRef<T> = number & {
  /** Phantom: the type spilled, for {@link Spill.get}. */
  readonly __spilled?: T;
};

/** A value kept serialized in memory (structured clone), when the spill file cannot be written. */
type InMemory<T> = Buffer & { readonly __spilled?: T };

/** Where {@link Spill.put} kept a value. */
export type Spilled<T> = SpillRef<T> | InMemory<T>;

/** Whether a value is where {@link Spill.put} kept one, rather than the value itself. */
export function isSpilled<T>(value: T | Spilled<T>): value is Spilled<T> {
  return typeof value === 'number' || Buffer.isBuffer(value);
}

/** Bytes gathered before one write to the file. */
const CHUNK = 256 * 1024;
/** Places the tables hold at first; they double as they fill. */
const PLACES = 4096;
/** The read buffer's size at first, and the largest one kept between reads. */
const SCRATCH = 64 * 1024;
const SCRATCH_KEPT = 1024 * 1024;

/** A value as written: JSON text, empty for `undefined`. */
function parse<T>(text: string): T {
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/**
 * What one scan keeps for thousands of accounts until their reports are
 * made (each account's facts, the look-ups most of which serve one account,
 * the trails' plans and the readers waiting for their accounts), written
 * out of the process's memory as JSON text into a temporary file of the
 * scan's own, read back when needed.
 *
 * Kept on the JavaScript heap, that state made the heap, and resident
 * memory with it, grow with the estate: V8 lets the old generation reach
 * several times the live heap before a full collection. Here each value
 * costs a small integer (its place in two typed arrays, outside the
 * heap); the file is unlinked as soon as it is opened, so nothing is left
 * behind however the process ends, and only the scan that wrote it can
 * read it. Should the file not be writable (no temporary directory, a full
 * disk), values are kept serialized in memory instead (V8's structured
 * clone format, which keeps a spilled place inside a value): the scan is
 * never failed for want of the file.
 *
 * JSON rather than V8's serializer for the file: each `v8.serialize` and
 * `v8.deserialize` makes a native serializer that lives until V8's next
 * full collection, with its buffers (and, for a read, the bytes read).
 * A scan spills and reads tens of thousands of values between two full
 * collections, which kept tens of megabytes of native memory (the
 * process's C heap) on top of the JavaScript heap. JSON text is written
 * straight into the chunk and read through one buffer. So the values are
 * JSON data: the scan's records keep times as ISO 8601 strings (a Date is
 * read back as its string), and a key whose value is `undefined` is left
 * out.
 *
 * Each {@link Spill.get} makes a fresh copy.
 */
export class Spill {
  readonly #directory: string;
  #state: 'unopened' | 'file' | 'memory' | 'closed' = 'unopened';
  /** Open from the first value to close, for reading what was written. */
  #fd?: number;
  /** Left to remove at close when the file could not be unlinked at once. */
  #leftover?: string;
  /** Bytes in the file; the next ones are in #chunk until it is written. */
  #written = 0;
  #chunk?: Buffer;
  #used = 0;
  /** Where values written to the file are read into. */
  #scratch?: Buffer;
  /** Where each value is in the file (offsets beyond 4 GiB are exact in a double). */
  #offsets = new Float64Array(PLACES);
  #lengths = new Uint32Array(PLACES);
  #places = 0;

  constructor(options: { directory?: string } = {}) {
    this.#directory = options.directory ?? tmpdir();
  }

  /** Whether values are (from now on) kept in memory rather than in the file. */
  get inMemory(): boolean {
    return this.#state === 'memory' || this.#state === 'closed';
  }

  put<T>(value: T): Spilled<T> {
    const fd = this.#open();
    if (fd === undefined) return Buffer.from(serialize(value));
    const text = JSON.stringify(value) ?? '';
    const length = Buffer.byteLength(text);
    const at = this.#written + this.#used;
    try {
      if (length > CHUNK - this.#used) this.#flush(fd);
      if (length >= CHUNK) {
        this.#write(fd, Buffer.from(text), this.#written);
        this.#written += length;
      } else {
        this.#chunk ??= Buffer.allocUnsafe(CHUNK);
        this.#chunk.write(text, this.#used);
        this.#used += length;
      }
    } catch {
      // The file cannot take more (a full disk): what it holds stays
      // readable, the unwritten chunk with it; the rest is kept in memory.
      this.#state = 'memory';
      return Buffer.from(serialize(value));
    }
    return this.#place(at, length);
  }

  #place<T>(at: number, length: number): SpillRef<T> {
    if (this.#places === this.#offsets.length) {
      const size = Math.max(PLACES, this.#places * 2);
      const offsets = new Float64Array(size);
      offsets.set(this.#offsets);
      this.#offsets = offsets;
      const lengths = new Uint32Array(size);
      lengths.set(this.#lengths);
      this.#lengths = lengths;
    }
    this.#offsets[this.#places] = at;
    this.#lengths[this.#places] = length;
    return this.#places++ as SpillRef<T>;
  }

  get<T>(spilled: Spilled<T>): T {
    if (Buffer.isBuffer(spilled)) return deserialize(spilled) as T;
    if (this.#state === 'closed') throw new Error('The scan spill is closed');
    const at = this.#offsets[spilled];
    const length = this.#lengths[spilled];
    if (at >= this.#written) {
      const from = at - this.#written;
      return parse(this.#chunk!.toString('utf8', from, from + length));
    }
    // Read into one buffer, kept for the next read: the text is copied
    // onto the heap as it is decoded.
    if (!this.#scratch || this.#scratch.length < length) {
      this.#scratch = Buffer.allocUnsafe(Math.max(length, SCRATCH));
    }
    const bytes = this.#scratch;
    for (let read = 0; read < length; ) {
      const n = readSync(this.#fd!, bytes, read, length - read, at + read);
      if (n === 0) throw new Error('The scan spill file ended early');
      read += n;
    }
    const text = bytes.toString('utf8', 0, length);
    // A value read that was larger than most is not kept.
    if (bytes.length > SCRATCH_KEPT) this.#scratch = undefined;
    return parse(text);
  }

  /**
   * Closes (and so removes) the file; nothing it held can be read after. A
   * value put later (a look-up that settles after its scan failed) is kept
   * in memory: no file is opened again.
   */
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    if (this.#leftover) {
      rmSync(this.#leftover, { recursive: true, force: true });
    }
    this.#fd = undefined;
    this.#leftover = undefined;
    this.#state = 'closed';
    this.#chunk = undefined;
    this.#scratch = undefined;
    this.#used = 0;
    this.#written = 0;
    this.#offsets = new Float64Array(0);
    this.#lengths = new Uint32Array(0);
    this.#places = 0;
  }

  #open(): number | undefined {
    if (this.#state === 'file') return this.#fd;
    if (this.#state !== 'unopened') return undefined;
    let directory: string | undefined;
    try {
      directory = mkdtempSync(join(this.#directory, 'trailguard-scan-'));
      const path = join(directory, 'spill');
      this.#fd = openSync(path, 'w+', 0o600);
      this.#state = 'file';
      try {
        unlinkSync(path);
        rmSync(directory, { recursive: true, force: true });
      } catch {
        this.#leftover = directory;
      }
    } catch {
      if (directory && this.#fd === undefined) {
        rmSync(directory, { recursive: true, force: true });
      }
      this.#state = 'memory';
    }
    return this.#fd;
  }

  #flush(fd: number): void {
    if (!this.#used) return;
    this.#write(fd, this.#chunk!.subarray(0, this.#used), this.#written);
    this.#written += this.#used;
    this.#used = 0;
  }

  #write(fd: number, bytes: Buffer, position: number): void {
    for (let done = 0; done < bytes.length; ) {
      done += writeSync(fd, bytes, done, bytes.length - done, position + done);
    }
  }
}
