/**
 * Memoizes asynchronous look-ups for the duration of one scan, so a key,
 * bucket or organization trail shared by many accounts is read once. Failures
 * are memoized too: retrying is the SDK's job, and a second identical call in
 * the same scan would only spend quota.
 */
export class ScanCache<T> {
  readonly #entries = new Map<string, Promise<T>>();

  get(key: string, load: () => Promise<T>): Promise<T> {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = load();
      this.#entries.set(key, entry);
    }
    return entry;
  }

  clear(): void {
    this.#entries.clear();
  }

  keys(): string[] {
    return [...this.#entries.keys()];
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * A value or the reason it could not be read.
 *
 * @public
 */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export async function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}
