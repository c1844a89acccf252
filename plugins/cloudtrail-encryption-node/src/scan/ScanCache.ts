import { plainAwsError } from '../aws/errors';
import type { Spill, Spilled } from './spill';
import { SpillIndex } from './spillIndex';

/**
 * Memoizes asynchronous look-ups for the duration of one scan, so a key,
 * bucket or organization trail shared by many accounts is read once. Failures
 * are memoized too: retrying is the SDK's job, and a second identical call in
 * the same scan would only spend quota.
 *
 * With a `spill`, a value is spilled (see {@link Spill}) once it has
 * settled: for look-ups most of which serve one account (its own trails and
 * key), held for the whole scan. A spilled value that is looked up again is
 * read back for good, so that a look-up many accounts share (an
 * organization trail's key) stays one object for all of them; with
 * `copies` each look-up reads a copy of its own instead (a bucket policy,
 * which the scan parses again for each trail anyway).
 */
export class ScanCache<T> {
  /** Look-ups under way, values read back for good, values spilled in memory. */
  readonly #entries = new Map<string, Promise<T> | Spilled<T>>();
  /**
   * Where each settled value is in the spill file, for most look-ups from
   * their account to the end of the scan's reads: outside the heap, key
   * strings included (see {@link SpillIndex}).
   */
  readonly #places?: SpillIndex;
  readonly #spill?: Spill;
  readonly #copies: boolean;

  constructor(options: { spill?: Spill; copies?: boolean } = {}) {
    this.#spill = options.spill;
    if (options.spill) this.#places = new SpillIndex();
    this.#copies = options.copies ?? false;
  }

  get(key: string, load: () => Promise<T>): Promise<T> {
    const entry = this.#entries.get(key);
    if (entry instanceof Promise) return entry;
    const spill = this.#spill;
    const spilled = entry ?? this.#places?.get(key);
    if (spilled !== undefined && spill) {
      const value = Promise.resolve(spill.get<T>(spilled));
      if (!this.#copies) this.#entries.set(key, value);
      return value;
    }
    const loading = load();
    this.#entries.set(key, loading);
    if (spill) {
      loading.then(
        value => {
          if (this.#entries.get(key) !== loading) return;
          const place = spill.put(value);
          if (typeof place === 'number' && this.#places) {
            this.#entries.delete(key);
            this.#places.set(key, place);
          } else this.#entries.set(key, place);
        },
        () => {},
      );
    }
    return loading;
  }

  /** Starts the look-up unless it has started; reads nothing back. */
  start(key: string, load: () => Promise<T>): void {
    if (!this.#entries.has(key) && !this.#places?.has(key)) {
      this.get(key, load).catch(() => {});
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#places?.clear();
  }
}

/**
 * A value or the reason it could not be read.
 *
 * @public
 */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * The outcome of a read. A failure keeps what reports and decisions read of
 * the error (see `plainAwsError`), so that an outcome can be spilled.
 */
export async function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: plainAwsError(error) };
  }
}
