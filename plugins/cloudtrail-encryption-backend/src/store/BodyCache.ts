import { createHash } from 'node:crypto';

/**
 * A response body ready to send, with an entity tag naming its content.
 *
 * @public
 */
export interface CachedBody {
  body: Buffer;
  etag: string;
}

/** A strong entity tag for a serialized body. */
export function etagOf(body: Buffer): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** A body to send once, not kept. */
export function bodyOf(text: string): CachedBody {
  const body = Buffer.from(text);
  return { body, etag: etagOf(body) };
}

/**
 * Serialized response bodies, each stored under the version of the data it
 * was made from, so that a read costs neither a query, nor a serialization,
 * nor a hash once the body is known. A body whose version is no longer
 * current is simply not returned (and replaced on the next `set`). The least
 * recently used bodies go first once the total size exceeds `maxBytes`.
 */
export class BodyCache {
  readonly #entries = new Map<string, Entry>();
  /** Counts uses: an entry's `used` tells how recently it was read or set. */
  #clock = 0;
  /**
   * Keys by `used` as of when eviction last needed them, least recent first;
   * an entry used or replaced since is skipped, as it is more recent than
   * any that was not.
   */
  #evictable: { key: string; used: number }[] = [];
  #nextEvictable = 0;
  #bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, version: string): CachedBody | undefined {
    const hit = this.#entries.get(key);
    if (!hit || hit.version !== version) return undefined;
    hit.used = ++this.#clock;
    return hit.value;
  }

  set(key: string, version: string, text: string): CachedBody {
    const value = bodyOf(text);
    const body = value.body;
    this.delete(key);
    if (body.length <= this.maxBytes) {
      this.#entries.set(key, { key, version, value, used: ++this.#clock });
      this.#bytes += body.length;
      while (this.#bytes > this.maxBytes) this.#evictOldest();
    }
    return value;
  }

  delete(key: string): void {
    const known = this.#entries.get(key);
    if (known) {
      this.#entries.delete(key);
      this.#bytes -= known.value.body.length;
    }
  }

  /** Total size of the bodies held, in bytes. */
  get size(): number {
    return this.#bytes;
  }

  /** Drops the least recently used entry. */
  #evictOldest(): void {
    for (;;) {
      if (this.#nextEvictable >= this.#evictable.length) {
        this.#evictable = [...this.#entries.values()]
          .map(({ key, used }) => ({ key, used }))
          .sort((a, b) => a.used - b.used);
        this.#nextEvictable = 0;
      }
      const { key, used } = this.#evictable[this.#nextEvictable++];
      if (this.#entries.get(key)?.used === used) {
        this.delete(key);
        return;
      }
    }
  }
}

/** A kept body. */
interface Entry {
  key: string;
  version: string;
  value: CachedBody;
  used: number;
}
