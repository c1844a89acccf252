import type { AccountSummary } from '@trailguard/plugin-cloudtrail-encryption-common';
import type { CloudTrailEncryptionApi } from '../../api';

/** The backend answers at most this many account ids per lookup. */
export const MAX_LOOKUP_BATCH = 100;
const DEFAULT_TTL_MS = 60_000;

interface Entry {
  promise: Promise<AccountSummary | undefined>;
  loadedAt: number;
}

interface Waiter {
  resolve(summary: AccountSummary | undefined): void;
  reject(error: unknown): void;
}

/**
 * Loads account summaries for table cells: the ids asked for within one tick
 * (every visible row of a table page) go out as one request, and answers are
 * kept for a minute so that sorting or paging back does not ask again.
 */
export class AccountStatusLoader {
  readonly #api: Pick<CloudTrailEncryptionApi, 'lookupAccounts'>;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, Entry>();
  #pending = new Map<string, Waiter[]>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    api: Pick<CloudTrailEncryptionApi, 'lookupAccounts'>,
    options: { ttlMs?: number } = {},
  ) {
    this.#api = api;
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  }

  /** Undefined when the account is unknown to the backend or hidden from the user. */
  load(accountId: string): Promise<AccountSummary | undefined> {
    const cached = this.#cache.get(accountId);
    if (cached && Date.now() - cached.loadedAt < this.#ttlMs) {
      return cached.promise;
    }
    const promise = new Promise<AccountSummary | undefined>(
      (resolve, reject) => {
        const waiters = this.#pending.get(accountId) ?? [];
        waiters.push({ resolve, reject });
        this.#pending.set(accountId, waiters);
      },
    );
    this.#cache.set(accountId, { promise, loadedAt: Date.now() });
    this.#timer ??= setTimeout(() => this.#flush(), 0);
    return promise;
  }

  #flush() {
    this.#timer = undefined;
    const pending = this.#pending;
    this.#pending = new Map();
    const ids = [...pending.keys()];
    for (let i = 0; i < ids.length; i += MAX_LOOKUP_BATCH) {
      const chunk = ids.slice(i, i + MAX_LOOKUP_BATCH);
      this.#api.lookupAccounts(chunk).then(
        items => {
          const byId = new Map(items.map(item => [item.accountId, item]));
          for (const id of chunk) {
            for (const waiter of pending.get(id)!) waiter.resolve(byId.get(id));
          }
        },
        error => {
          for (const id of chunk) {
            // A failed lookup is not remembered: the next render asks again.
            this.#cache.delete(id);
            for (const waiter of pending.get(id)!) waiter.reject(error);
          }
        },
      );
    }
  }
}

const loaders = new WeakMap<object, AccountStatusLoader>();

/** One loader per API instance, shared by every cell of every table. */
export function accountStatusLoaderFor(
  api: Pick<CloudTrailEncryptionApi, 'lookupAccounts'>,
): AccountStatusLoader {
  let loader = loaders.get(api);
  if (!loader) {
    loader = new AccountStatusLoader(api);
    loaders.set(api, loader);
  }
  return loader;
}
