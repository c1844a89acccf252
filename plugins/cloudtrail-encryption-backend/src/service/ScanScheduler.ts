import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type LoggerService,
  type SchedulerService,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { FullScanResponse } from '@trailguard/plugin-cloudtrail-encryption-common';
import { randomUUID } from 'node:crypto';
import type { ScanService } from './ScanService';

export const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { hours: 6 },
  timeout: { hours: 1 },
  initialDelay: { seconds: 15 },
};

export const DEFAULT_NEW_ACCOUNTS_SCHEDULE: SchedulerServiceTaskScheduleDefinition =
  {
    frequency: { minutes: 1 },
    timeout: { minutes: 30 },
    initialDelay: { seconds: 30 },
  };

export const NEW_ACCOUNTS_TASK_ID = 'cloudtrail-encryption-scan-new-accounts';

/** More shards than this only adds scheduler rows and history noise. */
const MAX_SHARDS = 64;

// When to re-trigger a handed-back shard: after the scheduler released this
// replica's claim (a database update right after the task function returns).
// A conflict on the last attempt means another replica is running it: done.
const HAND_BACK_DELAYS_MS = [500, 2500];

export interface ScanScheduleSettings {
  /** The full scan's schedule, shared by all its shards. */
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** Shards the full scan is split into (by account), 1 to 64. */
  shards: number;
  /** Shards one replica runs at the same time, at least 1. */
  maxConcurrentShards: number;
  newAccountsSchedule: SchedulerServiceTaskScheduleDefinition;
}

/** The task id of shard `index` (0-based) of `count`. */
export function shardTaskId(index: number, count: number): string {
  return count === 1
    ? 'cloudtrail-encryption-scan'
    : `cloudtrail-encryption-scan-${index + 1}-of-${count}`;
}

/**
 * Reads `cloudtrailEncryption.schedule` (with `shards` and
 * `maxConcurrentShards`) and `cloudtrailEncryption.newAccountsSchedule`,
 * throwing on a value the scheduler could not honour.
 */
export function readScanScheduleSettings(root: Config): ScanScheduleSettings {
  const section = root.getOptionalConfig('cloudtrailEncryption');
  const settings: ScanScheduleSettings = {
    schedule: section?.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          section.getConfig('schedule'),
        )
      : DEFAULT_SCHEDULE,
    shards: section?.getOptionalNumber('schedule.shards') ?? 1,
    maxConcurrentShards:
      section?.getOptionalNumber('schedule.maxConcurrentShards') ?? 1,
    newAccountsSchedule: section?.has('newAccountsSchedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          section.getConfig('newAccountsSchedule'),
        )
      : DEFAULT_NEW_ACCOUNTS_SCHEDULE,
  };
  validate(settings);
  return settings;
}

function validate({ shards, maxConcurrentShards }: ScanScheduleSettings) {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) {
    throw new Error(
      `cloudtrailEncryption.schedule.shards must be an integer from 1 to ${MAX_SHARDS}, got ${shards}`,
    );
  }
  // 0 would hand every shard back forever: nothing would ever be scanned.
  if (!Number.isInteger(maxConcurrentShards) || maxConcurrentShards < 1) {
    throw new Error(
      `cloudtrailEncryption.schedule.maxConcurrentShards must be an integer of at least 1, got ${maxConcurrentShards}`,
    );
  }
}

/**
 * Drives the scans with Backstage's scheduler: the full scan, split into
 * shards that backend replicas share, and the frequent scan of accounts that
 * have no report yet.
 *
 * Each shard is its own global task, so the scheduler runs each once per
 * period on whichever replica claims it and no account is scanned twice in a
 * period. The scheduler lets whichever replica polls first claim every due
 * task, so left alone one replica would take all shards. A replica already
 * running `maxConcurrentShards` shards instead returns at once and
 * re-triggers the shard (`triggerTask` makes it due now for every replica):
 * the next replica to poll — typically an idle one — runs it. With a single
 * replica the shards simply run one after another.
 */
export class ScanScheduler {
  /** The full scan's task ids, one per shard. */
  readonly shardTaskIds: readonly string[];
  readonly #deps: ScanSchedulerDeps;
  readonly #settings: ScanScheduleSettings;
  #running = 0;
  #started = false;

  static fromConfig(config: Config, deps: ScanSchedulerDeps): ScanScheduler {
    return new ScanScheduler(deps, readScanScheduleSettings(config));
  }

  constructor(deps: ScanSchedulerDeps, settings: ScanScheduleSettings) {
    validate(settings);
    this.#deps = deps;
    this.#settings = settings;
    this.shardTaskIds = Array.from({ length: settings.shards }, (_, index) =>
      shardTaskId(index, settings.shards),
    );
  }

  /** Registers the shard tasks and the new-accounts task with the scheduler. */
  async start(): Promise<void> {
    if (this.#started) throw new Error('ScanScheduler already started');
    this.#started = true;
    const { scheduler, scans } = this.#deps;
    const count = this.#settings.shards;
    for (const [index, id] of this.shardTaskIds.entries()) {
      await scheduler.scheduleTask({
        ...this.#settings.schedule,
        id,
        scope: 'global',
        fn: this.#shard(id, async () => {
          // The run itself learns whether someone asked for it (a request
          // recorded for this task) or the schedule made it due.
          await scans.scanAll(
            'schedule',
            count > 1 ? { index, count } : undefined,
            { taskId: id },
          );
        }),
      });
    }
    // Accounts that appear between full scans (or while the estate is still
    // being read at start-up) get their first report quickly.
    await scheduler.scheduleTask({
      ...this.#settings.newAccountsSchedule,
      id: NEW_ACCOUNTS_TASK_ID,
      scope: 'global',
      fn: async () => {
        await scans.scanNewAccounts();
      },
    });
  }

  /**
   * Makes every shard of the full scan due now; returns the ids of those
   * triggered. A shard already running is left to finish (its scan is under
   * way) and is not in the result.
   */
  async triggerFullScan(): Promise<string[]> {
    const triggered: string[] = [];
    for (const id of this.shardTaskIds) {
      try {
        await this.#deps.scheduler.triggerTask(id);
        triggered.push(id);
      } catch (error) {
        this.#deps.logger.debug(`Not triggering ${id}: ${error}`);
      }
    }
    return triggered;
  }

  /**
   * An on-demand full scan: records who asked for it, shard by shard, then
   * makes the shards due now. The runs that take the request on are recorded
   * as `manual` with `requestedBy`, and can be found by the request id.
   */
  async requestFullScan(requestedBy?: string): Promise<FullScanResponse> {
    const { scans } = this.#deps;
    if (!scans.requestFullScan || !scans.withdrawRequest) {
      return { triggered: await this.triggerFullScan() };
    }
    const requestId = randomUUID();
    await scans.requestFullScan({
      requestId,
      taskIds: this.shardTaskIds,
      requestedBy,
    });
    const triggered = await this.triggerFullScan();
    await scans.withdrawRequest(
      requestId,
      this.shardTaskIds.filter(id => !triggered.includes(id)),
    );
    return { triggered, requestId };
  }

  #shard(taskId: string, run: () => Promise<void>): () => Promise<void> {
    return async () => {
      if (this.#running >= this.#settings.maxConcurrentShards) {
        this.#deps.logger.debug(
          `${taskId}: this replica is busy with ${
            this.#running
          } shard(s); handing it back`,
        );
        this.#handBack(taskId);
        return;
      }
      this.#running += 1;
      try {
        await run();
      } finally {
        this.#running -= 1;
      }
    };
  }

  /** Re-triggers the task once the scheduler has released this claim. */
  #handBack(taskId: string) {
    void (async () => {
      for (const delay of HAND_BACK_DELAYS_MS) {
        await new Promise(r => setTimeout(r, delay));
        try {
          await this.#deps.scheduler.triggerTask(taskId);
          return;
        } catch {
          // Our claim not released yet, or another replica runs it.
        }
      }
      this.#deps.logger.debug(
        `${taskId}: not re-triggered; another replica is running it`,
      );
    })();
  }
}

export interface ScanSchedulerDeps {
  scheduler: SchedulerService;
  logger: LoggerService;
  scans: Pick<ScanService, 'scanAll' | 'scanNewAccounts'> &
    Partial<Pick<ScanService, 'requestFullScan' | 'withdrawRequest'>>;
}
