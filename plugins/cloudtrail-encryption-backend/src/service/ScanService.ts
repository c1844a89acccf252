import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type {
  AccountReport,
  ScanTrigger,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type {
  Estate,
  EstateAccount,
  ScanAccount,
  ScanEngine,
} from '@trailguard/plugin-cloudtrail-encryption-node';
import { createHash, randomUUID } from 'node:crypto';
import {
  NOT_SCANNED_SUSPENDED,
  type ReportStore,
  type RunOutcome,
} from '../store/ReportStore';
import type { AccountDirectory } from './AccountDirectory';
import {
  estateMembers,
  isScannable,
  type EstateService,
} from './EstateService';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

/**
 * Stable assignment of an account to one of `count` shards.
 *
 * @public
 */
export function shardOf(accountId: string, count: number): number {
  const digest = createHash('sha256').update(accountId).digest();
  return digest.readUInt32BE(0) % count;
}

const STORE_ATTEMPTS = 4;
/** How often a running scan records its progress. */
const PROGRESS_INTERVAL_MS = 1_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Who started a run and on whose behalf. */
export interface RunOrigin {
  trigger: ScanTrigger;
  requestedBy?: string;
  requestId?: string;
  /** Set beforehand when a request was claimed for this run. */
  runId?: string;
}

/**
 * Told what scans do, for notifications and live progress. Called without
 * waiting; implementations handle their own errors.
 */
export interface ScanEvents {
  /** An on-demand rescan of one account began. */
  rescanStarted?(accountId: string, runId: string): void;
  /** A report was stored; `before` is the report it replaced. */
  reportStored?(before: AccountReport | undefined, after: AccountReport): void;
  /** A run ended, with each scanned account's outcome. */
  runFinished?(runId: string, outcomes: readonly RunOutcome[]): void;
}

interface Plan {
  estate: Estate;
  scan: ScanAccount[];
  notScanned: EstateAccount[];
}

/**
 * Runs scans and stores their results. The estate decides which accounts
 * are scanned and trusted; the catalog only lends display titles. The engine
 * does the AWS work; this class records the run and makes sure a report
 * reaches the store even through a brief database outage.
 */
export class ScanService {
  constructor(
    private readonly deps: {
      engine: ScanEngine;
      store: ReportStore;
      estate: EstateService;
      directory: AccountDirectory;
      logger: LoggerService;
      /** Days an archived report is kept before it is deleted. */
      retentionDays: number;
      events?: ScanEvents;
    },
  ) {}

  /**
   * A scheduled (or full manual) scan of the estate, or of one shard of it.
   * Reads the estate first; when that fails the last good estate is used,
   * and with none ever read nothing is scanned. With `taskId`, an open
   * on-demand request for that scheduler task makes the run on demand.
   */
  async scanAll(
    trigger: ScanTrigger,
    shard?: Shard,
    options: { taskId?: string } = {},
  ): Promise<{ runId: string; accountCount: number; errorCount: number }> {
    let origin: RunOrigin = { trigger };
    if (options.taskId) {
      const runId = randomUUID();
      const claim = await this.deps.store.runs.claimRequest(
        options.taskId,
        runId,
      );
      if (claim) origin = { trigger: 'manual', runId, ...claim };
    }
    const stored = await this.deps.estate.refresh();
    const label = shard ? `${shard.index + 1}/${shard.count}` : undefined;
    if (!stored.estate) {
      this.deps.logger.error(
        `CloudTrail encryption scan skipped: no estate has been read (${stored.error})`,
      );
      const runId = await this.deps.store.startRun({
        ...origin,
        id: origin.runId,
        shard: label,
        plannedCount: 0,
      });
      await this.deps.store.finishRun(runId, []);
      return { runId, accountCount: 0, errorCount: 0 };
    }
    const plan = await this.#plan(stored.estate);
    const inShard = (id: string) =>
      !shard || shardOf(id, shard.count) === shard.index;
    for (const account of plan.notScanned.filter(a => inShard(a.accountId))) {
      await this.deps.store.saveNotScanned(account);
    }
    const result = await this.#run(
      origin,
      plan.scan.filter(a => inShard(a.accountId)),
      plan.estate,
      label,
    );
    await this.#housekeeping();
    return result;
  }

  /**
   * Scans only estate accounts that have no report yet, so an account that
   * joined the estate is not left unscanned until the next full scan. Uses
   * the stored estate; nothing to do costs two small queries.
   */
  async scanNewAccounts(): Promise<{ accountCount: number }> {
    let stored = await this.deps.estate.current();
    if (!stored.estate && !stored.error)
      stored = await this.deps.estate.refresh();
    if (!stored.estate) return { accountCount: 0 };
    const plan = await this.#plan(stored.estate);
    const known = new Set(await this.deps.store.listAccountIds());
    for (const account of plan.notScanned) {
      if (!known.has(account.accountId)) {
        await this.deps.store.saveNotScanned(account);
      }
    }
    const fresh = plan.scan.filter(a => !known.has(a.accountId));
    if (fresh.length === 0) return { accountCount: 0 };
    await this.#run({ trigger: 'schedule' }, fresh, plan.estate, 'new');
    return { accountCount: fresh.length };
  }

  /**
   * Records an on-demand full scan before its shards are triggered, so that
   * whichever replica runs a shard records it as on demand.
   */
  async requestFullScan(request: {
    requestId: string;
    taskIds: readonly string[];
    requestedBy?: string;
  }): Promise<void> {
    await this.deps.store.runs.requestFullScan(request);
  }

  /** Forgets the shards of a request that could not be triggered. */
  async withdrawRequest(
    requestId: string,
    taskIds: readonly string[],
  ): Promise<void> {
    await this.deps.store.runs.withdrawRequest(requestId, taskIds);
  }

  /** An on-demand rescan of one estate account; returns what is stored afterwards. */
  async rescan(
    accountId: string,
    origin: RunOrigin = { trigger: 'manual' },
  ): Promise<AccountReport> {
    let stored = await this.deps.estate.current();
    // Before the first full scan (just after start-up) read it now.
    if (!stored.estate) stored = await this.deps.estate.refresh();
    const { estate } = stored;
    const member = estateMembers(estate).get(accountId);
    if (!estate || !member) {
      throw new NotFoundError(
        `Account ${accountId} is not in the scanned estate: ${
          estate
            ? `the ${
                estate.mode === 'organization'
                  ? 'organization'
                  : 'configured accounts'
              } read at ${estate.readAt} do not include it`
            : 'no estate has been read yet'
        }`,
      );
    }
    if (!isScannable(member.membership)) {
      throw new ConflictError(
        `Account ${accountId} is ${member.membership.state} in AWS Organizations; not scanned`,
      );
    }
    const plan = await this.#plan(estate);
    const account = plan.scan.find(a => a.accountId === accountId)!;
    const runId = await this.deps.store.startRun({
      trigger: origin.trigger,
      requestedBy: origin.requestedBy,
      plannedCount: 1,
    });
    this.deps.events?.rescanStarted?.(accountId, runId);
    const outcomes: RunOutcome[] = [];
    try {
      const [report] = await this.deps.engine.scan(
        [account],
        this.#engineOptions(estate),
      );
      const saved = await this.#store(report);
      outcomes.push([accountId, saved.status, saved.scanStatus]);
      return saved;
    } finally {
      await this.deps.store.finishRun(runId, outcomes);
      this.deps.events?.runFinished?.(runId, outcomes);
    }
  }

  /**
   * Who is scanned, with names from the organization, overridden by the
   * title of the account's own catalog entity. Archives reports of accounts
   * that left the estate and restores those that came back.
   */
  async #plan(estate: Estate): Promise<Plan> {
    const members = estateMembers(estate);
    const { archived, restored } = await this.deps.store.syncArchive(
      new Set(members.keys()),
    );
    if (archived.length || restored.length) {
      this.deps.logger.info(
        `Estate changed: archived ${archived.length} report(s) of accounts that left it, restored ${restored.length}`,
      );
    }
    let titles = new Map<string, string>();
    try {
      const catalog = await this.deps.directory.accounts();
      titles = new Map(
        [...catalog].flatMap(([id, c]) =>
          c.entity ? [[id, c.entity.title] as [string, string]] : [],
        ),
      );
    } catch (error) {
      // Names are cosmetic: a catalog outage must not stop the scan.
      this.deps.logger.warn(
        `Scanning without catalog titles: ${(error as Error).message}`,
      );
    }
    const scan: ScanAccount[] = [];
    const notScanned: EstateAccount[] = [];
    for (const account of members.values()) {
      const named = {
        ...account,
        name: titles.get(account.accountId) ?? account.name,
      };
      if (isScannable(account.membership)) scan.push(named);
      else notScanned.push(named);
    }
    scan.sort((a, b) => a.accountId.localeCompare(b.accountId));
    return { estate, scan, notScanned };
  }

  #engineOptions(estate: Estate) {
    const members = [...estateMembers(estate).values()];
    const memberIds = members.map(a => a.accountId);
    return {
      knownAccountIds: memberIds,
      // A reader in another account is named by a rescan of one account too.
      accountNames: new Map(
        members.flatMap(a =>
          a.name ? [[a.accountId, a.name] as [string, string]] : [],
        ),
      ),
      trustedAccountIds: [...memberIds, ...estate.trustedAccountIds],
      organizationId: estate.organizationId,
      // Guardrails (SCPs, RCPs) are read from the management account, and a
      // one-account rescan still applies them to readers of other members.
      managementAccountId: estate.managementAccountId,
      organizationAccountIds: members
        .filter(a => a.membership.source === 'organization')
        .map(a => a.accountId),
    };
  }

  async #run(
    origin: RunOrigin,
    accounts: ScanAccount[],
    estate: Estate,
    label?: string,
  ): Promise<{ runId: string; accountCount: number; errorCount: number }> {
    const runId = await this.deps.store.startRun({
      trigger: origin.trigger,
      id: origin.runId,
      requestedBy: origin.requestedBy,
      requestId: origin.requestId,
      shard: label,
      plannedCount: accounts.length,
    });
    this.deps.logger.info(
      `CloudTrail encryption scan ${runId} started: ${
        accounts.length
      } accounts${label ? ` (shard ${label})` : ''}`,
    );
    const outcomes: RunOutcome[] = [];
    let errorCount = 0;
    let recordedAt = Date.now();
    let recording: Promise<void> | undefined;
    let read = 0;
    // Progress is for people watching: at most one write a second, never
    // more than one at a time, and never failing the scan.
    const record = () => {
      if (recording || Date.now() - recordedAt < PROGRESS_INTERVAL_MS) return;
      recordedAt = Date.now();
      recording = this.deps.store.runs
        .recordProgress(runId, [...outcomes], read)
        .catch(error =>
          this.deps.logger.warn(
            `Could not record the progress of scan ${runId}: ${error}`,
          ),
        )
        .finally(() => {
          recording = undefined;
        });
    };
    try {
      await this.deps.engine.scan(accounts, {
        collect: false,
        ...this.#engineOptions(estate),
        onAccountRead: ({ done }) => {
          read = done;
          record();
        },
        onProgress: async ({ report }) => {
          const stored = await this.#store(report);
          if (stored.scanStatus === 'error') errorCount += 1;
          outcomes.push([stored.accountId, stored.status, stored.scanStatus]);
          record();
        },
      });
    } finally {
      await recording;
      await this.deps.store.finishRun(runId, outcomes);
      this.deps.events?.runFinished?.(runId, outcomes);
    }
    this.deps.logger.info(
      `CloudTrail encryption scan ${runId} finished: ${accounts.length} accounts, ${errorCount} failed`,
    );
    return { runId, accountCount: accounts.length, errorCount };
  }

  /** Deletes archived reports past their retention. */
  async #housekeeping(): Promise<void> {
    const cutoff = new Date(Date.now() - this.deps.retentionDays * DAY_MS);
    const deleted = await this.deps.store.deleteArchivedBefore(cutoff);
    if (deleted) {
      this.deps.logger.info(
        `Deleted ${deleted} archived report(s) older than ${this.deps.retentionDays} days`,
      );
    }
  }

  /** Retries a failed write so a brief database outage loses no report. */
  async #store(report: AccountReport): Promise<AccountReport> {
    const reportStored = this.deps.events?.reportStored;
    const before = reportStored
      ? await this.deps.store.getReport(report.accountId).catch(() => undefined)
      : undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const saved = await this.deps.store.saveReport(report);
        reportStored?.call(this.deps.events, before, saved);
        return saved;
      } catch (error) {
        if (attempt >= STORE_ATTEMPTS) {
          this.deps.logger.error(
            `Could not store the report of account ${report.accountId}`,
            error as Error,
          );
          throw error;
        }
        await new Promise(r => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }
}

export { NOT_SCANNED_SUSPENDED };
