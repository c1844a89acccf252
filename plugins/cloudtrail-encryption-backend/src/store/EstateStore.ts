import type { Knex } from 'knex';
import type { Estate } from '@trailguard/plugin-cloudtrail-encryption-node';

const ESTATE = 'cloudtrail_encryption_estate';
const ROW_ID = 1;

interface EstateRow {
  id: number;
  estate: string | null;
  read_at: string | null;
  error: string | null;
  error_at: string | null;
}

/**
 * The estate as stored: the last good read, and the last read error if the latest read failed.
 *
 * @public
 */
export interface StoredEstate {
  estate?: Estate;
  error?: string;
  errorAt?: string;
}

/** What changes whenever the stored estate changes: a new read or a new error. */
export function estateVersion(stored: StoredEstate): string {
  return [stored.estate?.readAt, stored.error, stored.errorAt]
    .map(v => v ?? '')
    .join('|');
}

/**
 * The last good estate in the database, so that replicas and restarts agree
 * on which accounts are scanned, trusted and served even while the
 * organization cannot be read.
 *
 * @public
 */
export class EstateStore {
  constructor(private readonly db: Knex) {}

  async load(): Promise<StoredEstate> {
    const row = await this.db<EstateRow>(ESTATE).where({ id: ROW_ID }).first();
    if (!row) return {};
    return {
      estate: row.estate ? JSON.parse(row.estate) : undefined,
      error: row.error ?? undefined,
      errorAt: row.error_at ?? undefined,
    };
  }

  /** The stored estate's version (see `estateVersion`), without reading the estate itself. */
  async version(): Promise<string> {
    const row = await this.db<EstateRow>(ESTATE)
      .where({ id: ROW_ID })
      .first('read_at', 'error', 'error_at');
    if (!row) return estateVersion({});
    return [row.read_at, row.error, row.error_at].map(v => v ?? '').join('|');
  }

  /** A successful read replaces the estate and clears the error. */
  async saveEstate(estate: Estate): Promise<void> {
    await this.#upsert({
      estate: JSON.stringify(estate),
      read_at: estate.readAt,
      error: null,
      error_at: null,
    });
  }

  /** A failed read keeps the last good estate and records why. */
  async saveError(error: string, at: Date): Promise<void> {
    await this.#upsert({ error, error_at: at.toISOString() });
  }

  async #upsert(values: Partial<EstateRow>): Promise<void> {
    await this.db<EstateRow>(ESTATE)
      .insert({
        id: ROW_ID,
        estate: null,
        read_at: null,
        error: null,
        error_at: null,
        ...values,
      })
      .onConflict('id')
      .merge(Object.keys(values) as (keyof EstateRow)[]);
  }
}
