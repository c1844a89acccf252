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

export interface FleetQuery {
  page: number;
  pageSize: number;
  status?: AccountStatus;
  finding?: FindingCode;
  q?: string;
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
  #allCounts: Record<AccountStatus, number> | undefined;

  constructor(entries: Iterable<FleetEntry>) {
    for (const entry of entries) {
      this.#entries.set(entry.summary.accountId, entry);
    }
  }

  upsert(entry: FleetEntry): void {
    this.#entries.set(entry.summary.accountId, entry);
    this.#sorted = undefined;
    this.#allCounts = undefined;
  }

  get size(): number {
    return this.#entries.size;
  }

  page(query: FleetQuery): { items: AccountSummary[]; totalCount: number } {
    const visible = query.visible;
    const needle = query.q?.toLocaleLowerCase('en-US');
    const unfiltered = !visible && !query.status && !query.finding && !needle;
    const matching = unfiltered
      ? this.#inOrder()
      : this.#inOrder().filter(
          e =>
            (!visible || visible(e.summary)) &&
            (!query.status || e.summary.status === query.status) &&
            (!query.finding ||
              e.summary.findingCodes.includes(query.finding)) &&
            (!needle || e.haystack.includes(needle)),
        );
    const start = (query.page - 1) * query.pageSize;
    return {
      items: matching.slice(start, start + query.pageSize).map(e => e.summary),
      totalCount: matching.length,
    };
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
