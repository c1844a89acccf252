import {
  countDecryptReaders,
  type AccountReport,
  type AccountSummary,
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

/**
 * Trail Regions per account and scan time, for the fleet list. They live in
 * the report document, not in the summary columns, so a reload parses only
 * the reports scanned since the last one.
 */
export class TrailRegionCache {
  readonly #byAccount = new Map<
    string,
    TrailRegions & { scannedAt: string; readersCount?: number }
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
      // The fleet list's readers column, from the same parse.
      readersCount: countDecryptReaders(report.trails),
    });
  }

  /** Adds the known Regions to a summary in place. */
  apply(summary: AccountSummary): void {
    const known = this.#byAccount.get(summary.accountId);
    if (known) {
      summary.keyRegions = known.keyRegions;
      summary.bucketRegions = known.bucketRegions;
      summary.readersCount = known.readersCount;
    }
  }
}
