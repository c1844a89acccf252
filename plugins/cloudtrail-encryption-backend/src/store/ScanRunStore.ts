import type {
  AccountReport,
  AccountStatus,
  ScanRun,
  ScanTrigger,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { emptyCounts } from './FleetSnapshot';

const RUNS = 'cloudtrail_encryption_scan_runs';
const REQUESTS = 'cloudtrail_encryption_scan_requests';
/**
 * Older runs read to seed each account's latest outcome before the listed
 * window, so that the first points of the trend count the whole fleet.
 */
const HISTORY_SEED_RUNS = 100;
/** An on-demand request no run has claimed by then is forgotten. */
const REQUEST_TTL_MS = 24 * 60 * 60 * 1000;

interface RunRow {
  id: string;
  trigger: string;
  shard: string | null;
  started_at: string;
  finished_at: string | null;
  account_count: number;
  error_count: number;
  counts_by_status: string;
  outcomes: string | null;
  requested_by: string | null;
  request_id: string | null;
  planned_count: number | null;
  updated_at: string | null;
}

interface RequestRow {
  request_id: string;
  task_id: string;
  requested_by: string | null;
  requested_at: string;
  claimed_at: string | null;
  run_id: string | null;
}

/**
 * What a run did to one account: [accountId, status, scanStatus].
 *
 * @public
 */
export type RunOutcome = [string, AccountStatus, AccountReport['scanStatus']];

/**
 * An on-demand full-scan request that a shard run took on.
 *
 * @public
 */
export interface ScanRequestClaim {
  requestId: string;
  requestedBy?: string;
}

/** @public */
export interface StartRunOptions {
  trigger: ScanTrigger;
  shard?: string;
  /** Generated when not given. */
  id?: string;
  requestedBy?: string;
  requestId?: string;
  plannedCount?: number;
}

/**
 * Scan-run history and on-demand scan requests.
 *
 * @public
 */
export class ScanRunStore {
  constructor(private readonly db: Knex) {}

  async startRun(run: StartRunOptions): Promise<string> {
    const id = run.id ?? randomUUID();
    const now = new Date().toISOString();
    await this.db<RunRow>(RUNS).insert({
      id,
      trigger: run.trigger,
      shard: run.shard ?? null,
      started_at: now,
      finished_at: null,
      account_count: 0,
      error_count: 0,
      counts_by_status: JSON.stringify(emptyCounts()),
      outcomes: null,
      requested_by: run.requestedBy ?? null,
      request_id: run.requestId ?? null,
      planned_count: run.plannedCount ?? null,
      updated_at: now,
    });
    return id;
  }

  /** Records what a running run has done so far. */
  /**
   * Records a running scan's progress. `readCount` is how many accounts have
   * been read so far: reports are only stored once every account is read (a
   * trail's readers may depend on other accounts' IAM), so until then the
   * accounts covered are the accounts read.
   */
  async recordProgress(
    id: string,
    outcomes: RunOutcome[],
    readCount = 0,
  ): Promise<void> {
    const figures = this.#figures(outcomes);
    await this.db<RunRow>(RUNS)
      .where({ id })
      .whereNull('finished_at')
      .update({
        ...figures,
        account_count: Math.max(figures.account_count, readCount),
      });
  }

  /** Records what the run did to each account it covered. */
  async finishRun(id: string, outcomes: RunOutcome[]): Promise<void> {
    const figures = this.#figures(outcomes);
    await this.db<RunRow>(RUNS)
      .where({ id })
      .update({ ...figures, finished_at: figures.updated_at });
  }

  #figures(outcomes: RunOutcome[]) {
    const summary = summarizeRun(outcomes);
    return {
      account_count: summary.accountCount,
      error_count: summary.errorCount,
      counts_by_status: JSON.stringify(summary.countsByStatus),
      outcomes: JSON.stringify(outcomes),
      updated_at: new Date().toISOString(),
    };
  }

  /** Records an on-demand full scan: one open request per shard task. */
  async requestFullScan(request: {
    requestId: string;
    taskIds: readonly string[];
    requestedBy?: string;
  }): Promise<void> {
    const requestedAt = new Date().toISOString();
    await this.db<RequestRow>(REQUESTS).insert(
      request.taskIds.map(taskId => ({
        request_id: request.requestId,
        task_id: taskId,
        requested_by: request.requestedBy ?? null,
        requested_at: requestedAt,
        claimed_at: null,
        run_id: null,
      })),
    );
  }

  /** Drops the shards of a request that were not triggered (already running). */
  async withdrawRequest(
    requestId: string,
    taskIds: readonly string[],
  ): Promise<void> {
    if (taskIds.length === 0) return;
    await this.db<RequestRow>(REQUESTS)
      .where({ request_id: requestId })
      .whereIn('task_id', taskIds)
      .whereNull('claimed_at')
      .delete();
  }

  /**
   * Called by a shard's run as it starts: takes every open request for the
   * task (several requests made while the shard was due are served by one
   * run) and returns the oldest, or nothing for a scheduled run.
   */
  async claimRequest(
    taskId: string,
    runId: string,
    now = new Date(),
  ): Promise<ScanRequestClaim | undefined> {
    const cutoff = new Date(now.getTime() - REQUEST_TTL_MS).toISOString();
    const open = await this.db<RequestRow>(REQUESTS)
      .where({ task_id: taskId })
      .whereNull('claimed_at')
      .where('requested_at', '>=', cutoff)
      .orderBy('requested_at', 'asc')
      .select('request_id', 'requested_by');
    if (open.length === 0) return undefined;
    // A task runs on one replica at a time; the null check still makes a
    // claim that somehow raced a no-op rather than a double claim.
    const claimed = await this.db<RequestRow>(REQUESTS)
      .where({ task_id: taskId })
      .whereIn(
        'request_id',
        open.map(r => r.request_id),
      )
      .whereNull('claimed_at')
      .update({ claimed_at: now.toISOString(), run_id: runId });
    if (claimed === 0) return undefined;
    await this.db<RequestRow>(REQUESTS)
      .where('requested_at', '<', cutoff)
      .delete();
    return {
      requestId: open[0].request_id,
      requestedBy: open[0].requested_by ?? undefined,
    };
  }

  /**
   * Recent runs, newest first. With `visible`, each run's figures are
   * recomputed over the accounts it accepts (a run recorded before outcomes
   * were kept then counts nothing rather than everything), and the planned
   * count, which covers accounts the caller may not see, is left out.
   * With `requestId`, only the runs that took on that on-demand scan.
   */
  async listRuns(
    limit: number,
    visible?: (accountId: string) => boolean,
    options: { requestId?: string } = {},
  ): Promise<ScanRun[]> {
    let query = this.db<RunRow>(RUNS).select('*').orderBy('started_at', 'desc');
    if (options.requestId) {
      query = query.whereIn(
        'id',
        this.db<RequestRow>(REQUESTS)
          .select('run_id')
          .where({ request_id: options.requestId })
          .whereNotNull('run_id'),
      );
    }
    const rows = await query.limit(
      options.requestId ? limit : limit + HISTORY_SEED_RUNS,
    );
    const outcomesOf = new Map(
      rows.map(row => {
        const all = row.outcomes
          ? (JSON.parse(row.outcomes) as RunOutcome[])
          : [];
        return [row.id, visible ? all.filter(([id]) => visible(id)) : all];
      }),
    );
    const fleet = options.requestId ? undefined : replay(rows, outcomesOf);
    return rows.slice(0, limit).map(row => {
      const figures = visible
        ? summarizeRun(outcomesOf.get(row.id)!)
        : {
            accountCount: row.account_count,
            errorCount: row.error_count,
            countsByStatus: {
              ...emptyCounts(),
              ...JSON.parse(row.counts_by_status),
            },
          };
      const run: ScanRun = {
        id: row.id,
        trigger: row.trigger as ScanTrigger,
        scope: scopeOf(row),
        shard: row.shard ?? undefined,
        startedAt: row.started_at,
        finishedAt: row.finished_at ?? undefined,
        ...figures,
      };
      if (row.requested_by) run.requestedBy = row.requested_by;
      if (row.request_id) run.requestId = row.request_id;
      if (row.updated_at) run.updatedAt = row.updated_at;
      if (!visible && row.planned_count !== null) {
        run.plannedCount = Number(row.planned_count);
      }
      const point = fleet?.get(row.id);
      if (point) run.fleet = point;
      return run;
    });
  }
}

function scopeOf(row: RunRow): ScanRun['scope'] {
  if (row.shard === 'new') return 'new-accounts';
  return row.trigger === 'schedule' || row.request_id ? 'full' : 'account';
}

function timeOf(row: RunRow): string {
  return row.finished_at ?? row.updated_at ?? row.started_at;
}

/**
 * Each account's latest outcome, replayed in the order the runs ended; the
 * compliant share after each run is what the fleet looked like then.
 */
function replay(
  rows: RunRow[],
  outcomesOf: Map<string, RunOutcome[]>,
): Map<string, { compliant: number; accounts: number }> {
  const latest = new Map<string, AccountStatus>();
  const points = new Map<string, { compliant: number; accounts: number }>();
  let compliant = 0;
  const ordered = [...rows].sort((a, b) => timeOf(a).localeCompare(timeOf(b)));
  for (const row of ordered) {
    for (const [accountId, status] of outcomesOf.get(row.id)!) {
      if (latest.get(accountId) === 'compliant') compliant -= 1;
      if (status === 'compliant') compliant += 1;
      latest.set(accountId, status);
    }
    points.set(row.id, { compliant, accounts: latest.size });
  }
  return points;
}

export function summarizeRun(outcomes: RunOutcome[]) {
  const countsByStatus = emptyCounts();
  let errorCount = 0;
  for (const [, status, scanStatus] of outcomes) {
    if (status in countsByStatus) countsByStatus[status] += 1;
    if (scanStatus === 'error') errorCount += 1;
  }
  return { accountCount: outcomes.length, errorCount, countsByStatus };
}
