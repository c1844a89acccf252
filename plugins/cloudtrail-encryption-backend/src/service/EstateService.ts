import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  AccountMembership,
  EstateSummary,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type {
  Estate,
  EstateAccount,
  EstateReader,
} from '@trailguard/plugin-cloudtrail-encryption-node';
import {
  estateVersion as versionOf,
  type EstateStore,
  type StoredEstate,
} from '../store/EstateStore';
import type { ScanAccessReader } from './ScanAccessReader';

/** How stale the estate may be with respect to other replicas' reads. */
const ESTATE_MAX_AGE_MS = 2_000;
/** How long a request waits for the backend's own identity the first time. */
const ACCESS_WAIT_MS = 3_000;

/** The stored estate as last loaded. */
interface CachedEstate {
  loadedAt: number;
  value: Promise<StoredEstate>;
  /** The value once it has arrived. */
  resolved?: StoredEstate;
}

const NO_MEMBERS: ReadonlyMap<string, EstateAccount> = new Map();
// An estate is read once and then shared by every request until the next
// read, so its member index is built once per estate, not once per request.
const membersOf = new WeakMap<Estate, ReadonlyMap<string, EstateAccount>>();

/**
 * Accounts that count as members: everything the estate lists except closed
 * accounts. The map is shared: read it, never change it.
 */
export function estateMembers(
  estate?: Estate,
): ReadonlyMap<string, EstateAccount> {
  if (!estate) return NO_MEMBERS;
  let members = membersOf.get(estate);
  if (!members) {
    members = new Map(
      estate.accounts
        .filter(a => a.membership.state !== 'CLOSED')
        .map(a => [a.accountId, a]),
    );
    membersOf.set(estate, members);
  }
  return members;
}

/** Scanned accounts; suspended and closing accounts are listed but not scanned. */
export function isScannable(membership: AccountMembership): boolean {
  return membership.state === 'ACTIVE';
}

/**
 * Which accounts make up the estate, read from AWS (the organization, or the
 * configured list) and kept in the database: a failed read keeps the last
 * good estate and records the error; replicas read the stored estate.
 */
export class EstateService {
  #cache: CachedEstate | undefined;

  constructor(
    private readonly deps: {
      reader: EstateReader;
      store: EstateStore;
      logger: LoggerService;
      /** The configured source, for the summary before any estate was read. */
      mode: Estate['mode'];
      /** The scan role and the backend's identity, for accounts that cannot be scanned. */
      access?: ScanAccessReader;
    },
  ) {
    // Learn the identity at start-up, so no request has to wait for it.
    void deps.access?.refresh();
  }

  /** Reads the estate from AWS; on failure keeps and returns the last good one with the error. */
  async refresh(): Promise<StoredEstate> {
    let value: StoredEstate;
    try {
      const estate = await this.deps.reader.read();
      await this.deps.store.saveEstate(estate);
      value = { estate };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.logger.error(
        `Could not read the estate; keeping the last good one: ${message}`,
      );
      await this.deps.store.saveError(message, new Date());
      value = await this.deps.store.load();
    }
    this.#cache = {
      loadedAt: Date.now(),
      value: Promise.resolve(value),
      resolved: value,
    };
    return value;
  }

  /** The stored estate (another replica's read included), cached for a moment. */
  current(): Promise<StoredEstate> {
    // Once the identity is known, a fresh estate is served without an async step.
    const cache = this.#cache;
    if (cache && this.#fresh(cache)) return cache.value;
    return this.#current();
  }

  /**
   * What `current()` would answer, when it can be answered without waiting
   * (fresh and arrived); undefined otherwise.
   */
  currentNow(): StoredEstate | undefined {
    const cache = this.#cache;
    return cache?.resolved && this.#fresh(cache) ? cache.resolved : undefined;
  }

  #fresh(cache: { loadedAt: number }): boolean {
    return (
      Date.now() - cache.loadedAt < ESTATE_MAX_AGE_MS &&
      (this.deps.access?.settled() ?? true)
    );
  }

  async #current(): Promise<StoredEstate> {
    // Only the first requests wait (briefly) for the backend's identity.
    await this.deps.access?.ready(ACCESS_WAIT_MS);
    if (this.#cache && Date.now() - this.#cache.loadedAt < ESTATE_MAX_AGE_MS) {
      return this.#cache.value;
    }
    const previous = this.#cache;
    const value = this.#reload(previous);
    const cache: CachedEstate = {
      loadedAt: Date.now(),
      value,
    };
    value.then(
      stored => {
        cache.resolved = stored;
      },
      () => {
        if (this.#cache === cache) this.#cache = undefined;
      },
    );
    this.#cache = cache;
    return value;
  }

  /**
   * The stored estate, re-read in full only when its version changed: most
   * checks find the same estate, which then keeps its parsed form and member
   * index.
   */
  async #reload(
    previous: { value: Promise<StoredEstate> } | undefined,
  ): Promise<StoredEstate> {
    if (previous) {
      const [known, version] = await Promise.all([
        previous.value.catch(() => undefined),
        this.deps.store.version(),
      ]);
      if (known && version === versionOf(known)) return known;
    }
    return this.deps.store.load();
  }

  /** The estate summary over the accounts `visible` accepts. */
  summarize(
    stored: StoredEstate,
    visible: (account: EstateAccount) => boolean,
  ): EstateSummary {
    const estate = stored.estate;
    const all = estateMembers(estate);
    const members = [...all.values()].filter(visible);
    return {
      mode: estate?.mode ?? this.deps.mode,
      organizationId: estate?.organizationId,
      managementAccountId: estate?.managementAccountId,
      accountCount: members.length,
      activeCount: members.filter(a => isScannable(a.membership)).length,
      suspendedCount: members.filter(a => !isScannable(a.membership)).length,
      trustedAccountIds: estate?.trustedAccountIds ?? [],
      readAt: estate?.readAt,
      error: stored.error,
      scanAccess: this.deps.access?.snapshot(accountId => {
        const member = all.get(accountId);
        return !!member && visible(member);
      }),
    };
  }
}
