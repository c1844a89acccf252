import {
  resolvePackagePath,
  type DatabaseService,
} from '@backstage/backend-plugin-api';
import type {
  AccountMembership,
  AccountReport,
  AccountStatus,
  AccountSummary,
  ScanRun,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { Knex } from 'knex';
import { BodyCache, bodyOf, type CachedBody } from './BodyCache';
import {
  FleetSnapshot,
  type FleetEntry,
  type FleetQuery,
} from './FleetSnapshot';
import {
  rowVersion,
  SUMMARY_COLUMNS,
  VERSION_COLUMNS,
  toFleetEntry,
  toRow,
  type ReportRow,
} from './reportRows';
import { TrailRegionCache } from './TrailRegionCache';
import { EstateStore } from './EstateStore';
import {
  ScanRunStore,
  type RunOutcome,
  type StartRunOptions,
} from './ScanRunStore';

export type { RunOutcome } from './ScanRunStore';

const REPORTS = 'cloudtrail_encryption_reports';
/** How stale the fleet list may be with respect to other replicas' writes. */
const FLEET_MAX_AGE_MS = 2_000;
/** Rows per statement when updating many accounts at once. */
const CHUNK = 500;
/**
 * Serialized reports kept ready to serve. A fleet's reports usually fit
 * (a few kilobytes each); past this, the least recently read are read from
 * the database again.
 */
const REPORT_CACHE_BYTES = 48 * 1024 * 1024;

/** @public */
export type ListQuery = FleetQuery;

/** The error of a never-scanned account the estate lists as suspended or closing. */
export const NOT_SCANNED_SUSPENDED =
  'Account is suspended in AWS Organizations; not scanned';

/**
 * Latest report per account and scan-run history, through Backstage's database service.
 *
 * @public
 */
export class ReportStore {
  static async create(database: DatabaseService): Promise<ReportStore> {
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({
        directory: resolvePackagePath(
          '@trailguard/plugin-cloudtrail-encryption-backend',
          'migrations',
        ),
        tableName: 'cloudtrail_encryption_knex_migrations',
      });
    }
    return new ReportStore(client);
  }

  #snapshot: { fleet: FleetSnapshot; loadedAt: number } | undefined;
  #loading: Promise<FleetSnapshot> | undefined;
  /** Each listed account's row version (see `rowVersion`), as of the snapshot and this store's writes. */
  #versions = new Map<string, string>();
  /** Changes whenever the fleet list may have changed. */
  #generation = 0;
  readonly #reportBodies = new BodyCache(REPORT_CACHE_BYTES);
  readonly #regions = new TrailRegionCache();

  /** The estate as last read, in the same database. */
  readonly estate: EstateStore;

  readonly #runs: ScanRunStore;

  private constructor(private readonly db: Knex) {
    this.estate = new EstateStore(db);
    this.#runs = new ScanRunStore(db);
  }

  /**
   * Stores a scan result. A failed scan never replaces the last good one: the
   * stored trails and status stay, and only the error and time are recorded.
   * Returns what is stored now.
   */
  async saveReport(report: AccountReport): Promise<AccountReport> {
    const { stored: saved, row: savedRow } = await this.db.transaction(
      async tx => {
        // Only a failed scan needs the stored report (to keep its trails).
        const existing = await tx<ReportRow>(REPORTS)
          .where({ account_id: report.accountId })
          .first(report.scanStatus === 'error' ? 'report' : 'account_id');
        let stored = report;
        if (report.scanStatus === 'error' && existing) {
          const previous: AccountReport = JSON.parse(existing.report);
          stored = {
            ...previous,
            accountName: report.accountName ?? previous.accountName,
            membership: report.membership ?? previous.membership,
            scannedAt: report.scannedAt,
            scanStatus: 'error',
            error: report.error,
          };
        } else if (report.scanStatus === 'ok') {
          stored = {
            ...report,
            lastSuccessAt: report.lastSuccessAt ?? report.scannedAt,
          };
          delete stored.error;
        }
        const row = toRow(stored);
        if (existing) {
          await tx(REPORTS).where({ account_id: report.accountId }).update(row);
        } else {
          await tx(REPORTS).insert(row);
        }
        return { stored, row };
      },
    );
    this.#noteWrite(savedRow);
    return saved;
  }

  /**
   * Records an account the estate lists but that is not scanned (suspended or
   * closing): a stored report keeps its trails and gets the new membership;
   * an account never scanned gets a `pending` report saying why.
   */
  async saveNotScanned(account: {
    accountId: string;
    name?: string;
    membership: AccountMembership;
  }): Promise<AccountReport> {
    const { stored, row } = await this.db.transaction(async tx => {
      const existing = await tx<ReportRow>(REPORTS)
        .where({ account_id: account.accountId })
        .first('report');
      const next: AccountReport = existing
        ? {
            ...(JSON.parse(existing.report) as AccountReport),
            membership: account.membership,
          }
        : {
            accountId: account.accountId,
            scannedAt: new Date().toISOString(),
            scanStatus: 'pending',
            error: NOT_SCANNED_SUSPENDED,
            membership: account.membership,
            status: 'unknown',
            trails: [],
            findings: [],
          };
      if (account.name) next.accountName = account.name;
      const nextRow = toRow(next);
      if (existing) {
        await tx(REPORTS)
          .where({ account_id: account.accountId })
          .update(nextRow);
      } else {
        await tx(REPORTS).insert(nextRow);
      }
      return { stored: next, row: nextRow };
    });
    this.#noteWrite(row);
    return stored;
  }

  #noteWrite(row: Omit<ReportRow, 'archived_at'>): void {
    this.#snapshot?.fleet.upsert(this.#entryOf(row));
    this.#versions.set(row.account_id, rowVersion(row));
    this.#reportBodies.delete(row.account_id);
    this.#generation += 1;
  }

  /**
   * A report ready to serve, with its entity tag: kept serialized while its
   * row version is unchanged, so repeated reads cost no query. Like the
   * fleet list, it reflects other replicas' writes within FLEET_MAX_AGE_MS;
   * an account the fleet list does not know yet is looked up directly.
   */
  servedReport(accountId: string): Promise<CachedBody | undefined> {
    const ready = this.readyReport(accountId);
    return ready ? Promise.resolve(ready) : this.#servedReport(accountId);
  }

  /**
   * What `servedReport` would answer, when it can be answered without a
   * query (the fleet list is fresh and the body kept for the account's
   * current version); undefined otherwise.
   */
  readyReport(accountId: string): CachedBody | undefined {
    if (!this.#freshFleet()) return undefined;
    const version = this.#versions.get(accountId);
    return version === undefined
      ? undefined
      : this.#reportBodies.get(accountId, version);
  }

  async #servedReport(accountId: string): Promise<CachedBody | undefined> {
    await this.#fleet();
    const version = this.#versions.get(accountId);
    if (version !== undefined) {
      const hit = this.#reportBodies.get(accountId, version);
      if (hit) return hit;
    }
    const json = await this.getReportJson(accountId);
    if (json === undefined) return undefined;
    if (version === undefined) return bodyOf(json);
    return this.#reportBodies.set(accountId, version, json);
  }

  /**
   * Names the current state of the fleet list: equal numbers, equal lists
   * (for responses kept serialized). Reloads the list when it is stale.
   */
  fleetGeneration(): Promise<number> {
    if (this.#freshFleet()) return Promise.resolve(this.#generation);
    return this.#fleet().then(() => this.#generation);
  }

  /**
   * What `fleetGeneration` would answer, when the list needs no reload;
   * undefined otherwise.
   */
  fleetGenerationNow(): number | undefined {
    return this.#freshFleet() ? this.#generation : undefined;
  }

  /** A report that is not archived. */
  async getReport(accountId: string): Promise<AccountReport | undefined> {
    const json = await this.getReportJson(accountId);
    return json === undefined ? undefined : JSON.parse(json);
  }

  /** The stored report as JSON text, to serve without re-serializing it; archived reports are not served. */
  async getReportJson(accountId: string): Promise<string | undefined> {
    const row = await this.db<ReportRow>(REPORTS)
      .where({ account_id: accountId })
      .whereNull('archived_at')
      .first('report');
    return row?.report;
  }

  /**
   * Archives the reports of accounts that are no longer in the estate and
   * restores those whose account came back.
   */
  async syncArchive(
    estateAccountIds: ReadonlySet<string>,
    now = new Date(),
  ): Promise<{ archived: string[]; restored: string[] }> {
    const rows = await this.db<ReportRow>(REPORTS).select(
      'account_id',
      'archived_at',
    );
    const archived = rows
      .filter(r => !r.archived_at && !estateAccountIds.has(r.account_id))
      .map(r => r.account_id);
    const restored = rows
      .filter(r => r.archived_at && estateAccountIds.has(r.account_id))
      .map(r => r.account_id);
    for (let i = 0; i < archived.length; i += CHUNK) {
      await this.db<ReportRow>(REPORTS)
        .whereIn('account_id', archived.slice(i, i + CHUNK))
        .whereNull('archived_at')
        .update({ archived_at: now.toISOString() });
    }
    for (let i = 0; i < restored.length; i += CHUNK) {
      await this.db<ReportRow>(REPORTS)
        .whereIn('account_id', restored.slice(i, i + CHUNK))
        .update({ archived_at: null });
    }
    if (archived.length || restored.length) this.#snapshot = undefined;
    return { archived, restored };
  }

  /** Deletes reports archived before `cutoff`; returns how many. */
  async deleteArchivedBefore(cutoff: Date): Promise<number> {
    return this.db<ReportRow>(REPORTS)
      .whereNotNull('archived_at')
      .where('archived_at', '<', cutoff.toISOString())
      .delete();
  }

  async listSummaries(
    query: ListQuery,
  ): Promise<{ items: AccountSummary[]; totalCount: number }> {
    return (await this.#fleet()).page(query);
  }

  /** Every summary matching the filters, in list order (no paging). */
  async allSummaries(
    query: Omit<ListQuery, 'page' | 'pageSize'>,
  ): Promise<AccountSummary[]> {
    return (await this.#fleet()).all(query);
  }

  async countsByStatus(
    visible?: (summary: AccountSummary) => boolean,
  ): Promise<Record<AccountStatus, number>> {
    return (await this.#fleet()).counts(visible);
  }

  /**
   * The in-memory fleet list: loaded on first use, updated by this store's
   * writes, and reloaded once it is older than FLEET_MAX_AGE_MS so that
   * other replicas' writes show up.
   */
  #freshFleet(): FleetSnapshot | undefined {
    const snapshot = this.#snapshot;
    return snapshot && Date.now() - snapshot.loadedAt < FLEET_MAX_AGE_MS
      ? snapshot.fleet
      : undefined;
  }

  async #fleet(): Promise<FleetSnapshot> {
    const fresh = this.#freshFleet();
    if (fresh) return fresh;
    this.#loading ??= this.#loadFleet().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #loadFleet(): Promise<FleetSnapshot> {
    const loadedAt = Date.now();
    const current = this.#snapshot;
    if (current) {
      // Most reloads find nothing changed: the versions alone tell.
      const known = await this.db<ReportRow>(REPORTS)
        .select(...VERSION_COLUMNS)
        .whereNull('archived_at');
      if (sameRowVersions(known, this.#versions)) {
        // Keep the list with its sorted orders and counts.
        this.#snapshot = { fleet: current.fleet, loadedAt };
        return current.fleet;
      }
    }
    const rows = await this.db<ReportRow>(REPORTS)
      .select(...SUMMARY_COLUMNS)
      .whereNull('archived_at');
    const versions = new Map(rows.map(r => [r.account_id, rowVersion(r)]));
    const stale = this.#regions.stale(
      rows.map(r => ({ accountId: r.account_id, scannedAt: r.scanned_at })),
    );
    for (let i = 0; i < stale.length; i += CHUNK) {
      const reports = await this.db<ReportRow>(REPORTS)
        .select('account_id', 'scanned_at', 'report')
        .whereIn('account_id', stale.slice(i, i + CHUNK));
      for (const r of reports) {
        this.#regions.remember(r.account_id, r.scanned_at, r.report);
      }
    }
    const fleet = new FleetSnapshot(rows.map(row => this.#entryOf(row)));
    this.#snapshot = { fleet, loadedAt };
    this.#versions = versions;
    this.#generation += 1;
    return fleet;
  }

  #entryOf(row: Partial<ReportRow>): FleetEntry {
    if (row.report && row.account_id && row.scanned_at) {
      this.#regions.remember(row.account_id, row.scanned_at, row.report);
    }
    const entry = toFleetEntry(row);
    this.#regions.apply(entry.summary);
    return entry;
  }

  /** Accounts with a report that is not archived. */
  async listAccountIds(): Promise<string[]> {
    const rows = await this.db<ReportRow>(REPORTS)
      .select('account_id')
      .whereNull('archived_at');
    return rows.map(r => r.account_id);
  }

  /** Scan-run history and on-demand scan requests, in the same database. */
  get runs(): ScanRunStore {
    return this.#runs;
  }

  async startRun(run: StartRunOptions): Promise<string> {
    return this.#runs.startRun(run);
  }

  /** Records what the run did to each account it covered. */
  async finishRun(id: string, outcomes: RunOutcome[]): Promise<void> {
    return this.#runs.finishRun(id, outcomes);
  }

  /** Recent runs, newest first (see `ScanRunStore.listRuns`). */
  async listRuns(
    limit: number,
    visible?: (accountId: string) => boolean,
    options?: { requestId?: string },
  ): Promise<ScanRun[]> {
    return this.#runs.listRuns(limit, visible, options);
  }
}

function sameRowVersions(
  rows: Partial<ReportRow>[],
  versions: ReadonlyMap<string, string>,
): boolean {
  if (rows.length !== versions.size) return false;
  for (const row of rows) {
    if (versions.get(row.account_id!) !== rowVersion(row)) return false;
  }
  return true;
}
