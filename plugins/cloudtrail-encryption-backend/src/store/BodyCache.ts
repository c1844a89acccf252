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
  readonly #entries = new Map<string, CachedBody & { version: string }>();
  #bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, version: string): CachedBody | undefined {
    const hit = this.#entries.get(key);
    if (!hit || hit.version !== version) return undefined;
    // Most recently used last, so eviction starts from the oldest.
    this.#entries.delete(key);
    this.#entries.set(key, hit);
    return hit;
  }

  set(key: string, version: string, text: string): CachedBody {
    const entry = { version, ...bodyOf(text) };
    const body = entry.body;
    this.delete(key);
    if (body.length <= this.maxBytes) {
      this.#entries.set(key, entry);
      this.#bytes += body.length;
      for (const [oldest, value] of this.#entries) {
        if (this.#bytes <= this.maxBytes) break;
        this.#entries.delete(oldest);
        this.#bytes -= value.body.length;
      }
    }
    return entry;
  }

  delete(key: string): void {
    const known = this.#entries.get(key);
    if (known) {
      this.#entries.delete(key);
      this.#bytes -= known.body.length;
    }
  }

  /** Total size of the bodies held, in bytes. */
  get size(): number {
    return this.#bytes;
  }
}
