import {
  countDecryptReaders,
  type AccountReport,
  type AccountSummary,
  type TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/** Where an account's trails keep their keys and logs, for the fleet list. */
export interface TrailRegions {
  keyRegions: string[];
  bucketRegions: string[];
}

export function trailRegionsOf(
  report: Pick<AccountReport, 'trails'>,
): TrailRegions {
  const keys = new Set<string>();
  const buckets = new Set<string>();
  for (const trail of report.trails ?? []) {
    if (trail.kmsKey?.region) keys.add(trail.kmsKey.region);
    if (trail.bucketRegion) buckets.add(trail.bucketRegion);
  }
  return { keyRegions: [...keys].sort(), bucketRegions: [...buckets].sort() };
}

/** The fleet list's readers columns of one report. */
export interface ReaderCounts {
  readersCount?: number;
  outsideReadersCount?: number;
}

/**
 * Effective readers (roles and users that can both decrypt and read the log
 * objects), each principal once across the account's trails, and those of
 * them that someone outside the organization is: a reader in an account
 * outside it, or a reader role an outside account may assume (the two cases
 * of READER_OUTSIDE_ORGANIZATION). A report from before reader analysis, or
 * one whose trails were not analysed, counts its decrypt principals instead
 * (key-policy principals, as the column did before).
 */
export function readerCountsOf(
  trails: ReadonlyArray<TrailReport> | undefined,
): ReaderCounts {
  const analysed = (trails ?? []).filter(t => t.readers);
  if (analysed.length === 0) {
    return { readersCount: countDecryptReaders(trails) };
  }
  const readers = new Set<string>();
  const outside = new Set<string>();
  for (const trail of analysed) {
    for (const reader of trail.readers!.readers) {
      readers.add(reader.principal);
      if (
        reader.outsideOrganization ||
        reader.trustedBy?.some(t => t.outsideOrganization)
      ) {
        outside.add(reader.principal);
      }
    }
  }
  return { readersCount: readers.size, outsideReadersCount: outside.size };
}

/**
 * Trail Regions per account and scan time, for the fleet list. They live in
 * the report document, not in the summary columns, so a reload parses only
 * the reports scanned since the last one.
 */
export class TrailRegionCache {
  readonly #byAccount = new Map<
    string,
    TrailRegions & ReaderCounts & { scannedAt: string }
  >();

  /** Accounts whose Regions are unknown or older than their row's scan. */
  stale(rows: { accountId: string; scannedAt: string }[]): string[] {
    const live = new Set(rows.map(r => r.accountId));
    for (const id of this.#byAccount.keys()) {
      if (!live.has(id)) this.#byAccount.delete(id);
    }
    return rows
      .filter(r => this.#byAccount.get(r.accountId)?.scannedAt !== r.scannedAt)
      .map(r => r.accountId);
  }

  remember(accountId: string, scannedAt: string, reportJson: string): void {
    const report = JSON.parse(reportJson) as AccountReport;
    this.#byAccount.set(accountId, {
      scannedAt,
      ...trailRegionsOf(report),
      // The fleet list's readers columns, from the same parse.
      ...readerCountsOf(report.trails),
    });
  }

  /** Adds the known Regions to a summary in place. */
  apply(summary: AccountSummary): void {
    const known = this.#byAccount.get(summary.accountId);
    if (known) {
      summary.keyRegions = known.keyRegions;
      summary.bucketRegions = known.bucketRegions;
      summary.readersCount = known.readersCount;
      if (known.outsideReadersCount !== undefined) {
        summary.outsideReadersCount = known.outsideReadersCount;
      } else {
        delete summary.outsideReadersCount;
      }
    }
  }
}
