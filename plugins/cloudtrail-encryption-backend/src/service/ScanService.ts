import type { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type {
  AccountReport,
  ScanRun,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type {
  ScanAccount,
  ScanEngine,
} from '@trailguard/plugin-cloudtrail-encryption-node';
import { createHash } from 'node:crypto';
import type { ReportStore } from '../store/ReportStore';
import type { AccountSource } from './AccountSource';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

/** Stable assignment of an account to one of `count` shards. */
export function shardOf(accountId: string, count: number): number {
  const digest = createHash('sha256').update(accountId).digest();
  return digest.readUInt32BE(0) % count;
}

const STORE_ATTEMPTS = 4;

/**
 * Runs scans and stores their results. The engine does the AWS work; this
 * class decides which accounts, records the run, and makes sure a report
 * reaches the store even through a brief database outage.
 */
export class ScanService {
  constructor(
    private readonly deps: {
      engine: ScanEngine;
      store: ReportStore;
      accounts: AccountSource;
      logger: LoggerService;
      trustedAccountIds: string[];
    },
  ) {}

  /** A scheduled (or full manual) scan of every account, or of one shard of them. */
  async scanAll(
    trigger: ScanRun['trigger'],
    shard?: Shard,
  ): Promise<{ runId: string; accountCount: number; errorCount: number }> {
    const all = await this.deps.accounts.listAccounts();
    const accounts = shard
      ? all.filter(a => shardOf(a.accountId, shard.count) === shard.index)
      : all;
    const label = shard ? `${shard.index + 1}/${shard.count}` : undefined;
    return this.#run(trigger, accounts, all, label);
  }

  /**
   * Scans only accounts that have no report yet, so an account added to the
   * catalog (or still being ingested at start-up) is not left unscanned until
   * the next full scan. Nothing to do costs one catalog query.
   */
  async scanNewAccounts(): Promise<{ accountCount: number }> {
    const all = await this.deps.accounts.listAccounts();
    const known = new Set(await this.deps.store.listAccountIds());
    const fresh = all.filter(a => !known.has(a.accountId));
    if (fresh.length === 0) return { accountCount: 0 };
    await this.#run('schedule', fresh, all, 'new');
    return { accountCount: fresh.length };
  }

  async #run(
    trigger: ScanRun['trigger'],
    accounts: ScanAccount[],
    all: ScanAccount[],
    label?: string,
  ): Promise<{ runId: string; accountCount: number; errorCount: number }> {
    const runId = await this.deps.store.startRun({ trigger, shard: label });
    this.deps.logger.info(
      `CloudTrail encryption scan ${runId} started: ${
        accounts.length
      } accounts${label ? ` (shard ${label})` : ''}`,
    );
    let errorCount = 0;
    try {
      await this.deps.engine.scan(accounts, {
        collect: false,
        knownAccountIds: all.map(a => a.accountId),
        trustedAccountIds: [
          ...this.deps.trustedAccountIds,
          ...all.map(a => a.accountId),
        ],
        onProgress: async ({ report }) => {
          if (report.scanStatus === 'error') errorCount += 1;
          await this.#store(report);
        },
      });
    } finally {
      await this.deps.store.finishRun(runId, {
        accountCount: accounts.length,
        errorCount,
      });
    }
    this.deps.logger.info(
      `CloudTrail encryption scan ${runId} finished: ${accounts.length} accounts, ${errorCount} failed`,
    );
    return { runId, accountCount: accounts.length, errorCount };
  }

  /** An on-demand rescan of one account; returns what is stored afterwards. */
  async rescan(accountId: string): Promise<AccountReport> {
    const all = await this.deps.accounts.listAccounts();
    const known: ScanAccount | undefined =
      all.find(a => a.accountId === accountId) ??
      ((await this.deps.store.getReport(accountId))
        ? { accountId }
        : undefined);
    if (!known) {
      throw new NotFoundError(
        `Account ${accountId} is not a configured or catalogued AWS account`,
      );
    }
    const runId = await this.deps.store.startRun({ trigger: 'manual' });
    let stored: AccountReport | undefined;
    try {
      const [report] = await this.deps.engine.scan([known], {
        knownAccountIds: all.map(a => a.accountId),
        trustedAccountIds: [
          ...this.deps.trustedAccountIds,
          ...all.map(a => a.accountId),
        ],
      });
      stored = await this.#store(report);
      return stored;
    } finally {
      await this.deps.store.finishRun(runId, {
        accountCount: 1,
        errorCount: stored?.scanStatus === 'error' ? 1 : 0,
      });
    }
  }

  /** Retries a failed write so a brief database outage loses no report. */
  async #store(report: AccountReport): Promise<AccountReport> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.store.saveReport(report);
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
