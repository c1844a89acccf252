import {
  ACCOUNT_STATUSES,
  type AccountStatus,
  type AccountSummary,
  type FindingCode,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/** A summary with what the fleet list sorts and searches on. */
export interface FleetEntry {
  summary: AccountSummary;
  worstRank: number;
  /** Lower-case account id and name, for the text filter. */
  haystack: string;
}

/**
 * The columns the fleet list sorts on.
 *
 * @public
 */
export const FLEET_SORT_KEYS = [
  'accountId',
  'name',
  'status',
  'worstSeverity',
  'trailCount',
  'readersCount',
  'outsideReadersCount',
  'scannedAt',
] as const;
/** @public */
export type FleetSortKey = (typeof FLEET_SORT_KEYS)[number];
/** @public */
export type SortOrder = 'asc' | 'desc';

const statusRank = (e: FleetEntry) =>
  ACCOUNT_STATUSES.indexOf(e.summary.status);

/**
 * The value each column sorts on, in ascending order. Rank 0 is the most
 * severe, so "ascending severity" is descending rank.
 */
const SORT_VALUE: Record<FleetSortKey, (e: FleetEntry) => string | number> = {
  accountId: e => e.summary.accountId,
  name: e =>
    (e.summary.accountName ?? e.summary.accountId).toLocaleLowerCase('en-US'),
  status: statusRank,
  worstSeverity: e => -e.worstRank,
  trailCount: e => e.summary.trailCount,
  // An account without trails has no readers to count: before every count.
  readersCount: e => e.summary.readersCount ?? -1,
  outsideReadersCount: e => e.summary.outsideReadersCount ?? -1,
  scannedAt: e => e.summary.scannedAt,
};

/**
 * Sorts ascending on one column, the account id breaking ties so that pages
 * are stable. Values are computed once per entry, not once per comparison.
 * Descending is this array read backwards, which is just as stable.
 */
function sortedBy(entries: Iterable<FleetEntry>, key: FleetSortKey) {
  const valueOf = SORT_VALUE[key];
  const decorated = [...entries].map(entry => ({
    entry,
    value: valueOf(entry),
  }));
  decorated.sort((a, b) => {
    if (a.value !== b.value) return a.value < b.value ? -1 : 1;
    return a.entry.summary.accountId < b.entry.summary.accountId ? -1 : 1;
  });
  return decorated.map(d => d.entry);
}

/** @public */
export interface FleetQuery {
  page: number;
  pageSize: number;
  status?: AccountStatus;
  finding?: FindingCode;
  q?: string;
  /** Only accounts with effective readers outside the organization. */
  outsideReaders?: boolean;
  /** Without it: most severe first (the worklist order). */
  sort?: FleetSortKey;
  order?: SortOrder;
  /** Only accounts this accepts are listed and counted (the caller's view). */
  visible?: (summary: AccountSummary) => boolean;
}

export function emptyCounts(): Record<AccountStatus, number> {
  return Object.fromEntries(ACCOUNT_STATUSES.map(s => [s, 0])) as Record<
    AccountStatus,
    number
  >;
}

/**
 * The fleet list in memory: every account's summary (not its report), kept
 * in list order. Filtering and paging thousands of summaries in memory costs
 * well under a millisecond, where the same in SQL costs several queries per
 * request; the store keeps this in step with its own writes and reloads it
 * from the database regularly to see other replicas' writes.
 */
export class FleetSnapshot {
  readonly #entries = new Map<string, FleetEntry>();
  #sorted: FleetEntry[] | undefined;
  /** One ascending array per sort key, built on first use after a change. */
  #byKey = new Map<FleetSortKey, FleetEntry[]>();
  #allCounts: Record<AccountStatus, number> | undefined;

  constructor(entries: Iterable<FleetEntry>) {
    for (const entry of entries) {
      this.#entries.set(entry.summary.accountId, entry);
    }
  }

  upsert(entry: FleetEntry): void {
    this.#entries.set(entry.summary.accountId, entry);
    this.#sorted = undefined;
    this.#byKey.clear();
    this.#allCounts = undefined;
  }

  get size(): number {
    return this.#entries.size;
  }

  page(query: FleetQuery): { items: AccountSummary[]; totalCount: number } {
    const matching = this.#matching(query);
    const start = (query.page - 1) * query.pageSize;
    return {
      items: matching.slice(start, start + query.pageSize).map(e => e.summary),
      totalCount: matching.length,
    };
  }

  /** Every matching summary in list order, for exports (paging ignored). */
  all(query: Omit<FleetQuery, 'page' | 'pageSize'>): AccountSummary[] {
    return this.#matching(query).map(e => e.summary);
  }

  #matching(query: Omit<FleetQuery, 'page' | 'pageSize'>): FleetEntry[] {
    const visible = query.visible;
    const needle = query.q?.toLocaleLowerCase('en-US');
    const outside = query.outsideReaders;
    const unfiltered =
      !visible && !query.status && !query.finding && !needle && !outside;
    const ordered = this.#ordered(query.sort, query.order);
    return unfiltered
      ? ordered
      : ordered.filter(
          e =>
            (!visible || visible(e.summary)) &&
            (!query.status || e.summary.status === query.status) &&
            (!query.finding ||
              e.summary.findingCodes.includes(query.finding)) &&
            (!needle || e.haystack.includes(needle)) &&
            (!outside || (e.summary.outsideReadersCount ?? 0) > 0),
        );
  }

  #ordered(sort: FleetSortKey | undefined, order: SortOrder = 'asc') {
    if (!sort) {
      const base = this.#inOrder();
      return order === 'desc' ? [...base].reverse() : base;
    }
    let ascending = this.#byKey.get(sort);
    if (!ascending) {
      ascending = sortedBy(this.#entries.values(), sort);
      this.#byKey.set(sort, ascending);
    }
    return order === 'desc' ? [...ascending].reverse() : ascending;
  }

  counts(
    visible?: (summary: AccountSummary) => boolean,
  ): Record<AccountStatus, number> {
    if (!visible && this.#allCounts) return { ...this.#allCounts };
    const counts = emptyCounts();
    for (const e of this.#entries.values()) {
      if ((!visible || visible(e.summary)) && e.summary.status in counts) {
        counts[e.summary.status] += 1;
      }
    }
    if (!visible) this.#allCounts = { ...counts };
    return counts;
  }

  #inOrder(): FleetEntry[] {
    this.#sorted ??= [...this.#entries.values()].sort(
      (a, b) =>
        a.worstRank - b.worstRank ||
        (a.summary.accountId < b.summary.accountId ? -1 : 1),
    );
    return this.#sorted;
  }
}
