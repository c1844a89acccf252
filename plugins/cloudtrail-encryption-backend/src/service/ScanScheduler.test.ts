import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  coreServices,
  createBackendPlugin,
  type SchedulerService,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createDeferred, type DeferredPromise } from '@backstage/types';
import {
  DEFAULT_NEW_ACCOUNTS_SCHEDULE,
  DEFAULT_SCHEDULE,
  NEW_ACCOUNTS_TASK_ID,
  readScanScheduleSettings,
  ScanScheduler,
  type ScanScheduleSettings,
} from './ScanScheduler';
import type { Shard } from './ScanService';

jest.setTimeout(60_000);

const logger = mockServices.logger.mock();

/**
 * Records what the scheduler asked for; a shard listed in `hold` blocks until
 * released, the way a long scan keeps its shard running.
 */
class RecordingScans {
  readonly started: Array<Shard | undefined> = [];
  readonly finished: Array<Shard | undefined> = [];
  newAccountScans = 0;
  readonly #held = new Map<number, DeferredPromise<void>>();

  hold(index: number) {
    this.#held.set(index, createDeferred<void>());
  }

  release(index: number) {
    this.#held.get(index)?.resolve();
  }

  async scanAll(_trigger: string, shard?: Shard) {
    this.started.push(shard);
    await this.#held.get(shard?.index ?? 0);
    this.finished.push(shard);
    return { runId: 'run', accountCount: 0, errorCount: 0 };
  }

  async scanNewAccounts() {
    this.newAccountScans += 1;
    return { accountCount: 0 };
  }
}

function settings(
  overrides: Partial<ScanScheduleSettings> = {},
): ScanScheduleSettings {
  return {
    schedule: { frequency: { hours: 1 }, timeout: { minutes: 5 } },
    shards: 1,
    maxConcurrentShards: 1,
    newAccountsSchedule: DEFAULT_NEW_ACCOUNTS_SCHEDULE,
    ...overrides,
  };
}

async function eventually(probe: () => boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting');
    await new Promise(r => setTimeout(r, 50));
  }
}

describe('readScanScheduleSettings', () => {
  const read = (cloudtrailEncryption: object) =>
    readScanScheduleSettings(new ConfigReader({ cloudtrailEncryption }));

  it('defaults to one shard every 6 hours and a new-accounts pass every minute', () => {
    expect(readScanScheduleSettings(new ConfigReader({}))).toEqual({
      schedule: DEFAULT_SCHEDULE,
      shards: 1,
      maxConcurrentShards: 1,
      newAccountsSchedule: DEFAULT_NEW_ACCOUNTS_SCHEDULE,
    });
  });

  it('reads both schedules, the shards and the shards per replica', () => {
    expect(
      read({
        schedule: {
          frequency: { minutes: 30 },
          timeout: { minutes: 10 },
          shards: 8,
          maxConcurrentShards: 2,
        },
        newAccountsSchedule: {
          frequency: { trigger: 'manual' },
          timeout: { seconds: 60 },
        },
      }),
    ).toEqual({
      schedule: { frequency: { minutes: 30 }, timeout: { minutes: 10 } },
      shards: 8,
      maxConcurrentShards: 2,
      newAccountsSchedule: {
        frequency: { trigger: 'manual' },
        timeout: { seconds: 60 },
      },
    });
  });

  it.each([0, 65, 2.5, -1])('rejects %p shards', shards => {
    expect(() =>
      read({
        schedule: { frequency: { hours: 1 }, timeout: { seconds: 60 }, shards },
      }),
    ).toThrow(
      `cloudtrailEncryption.schedule.shards must be an integer from 1 to 64, got ${shards}`,
    );
  });

  it.each([0, 1.5])('rejects maxConcurrentShards %p', max => {
    expect(() =>
      read({
        schedule: {
          frequency: { hours: 1 },
          timeout: { seconds: 60 },
          maxConcurrentShards: max,
        },
      }),
    ).toThrow(/maxConcurrentShards must be an integer of at least 1/);
  });

  it('rejects a schedule the scheduler cannot read', () => {
    expect(() => read({ schedule: { shards: 2 } })).toThrow(/frequency/);
    expect(() =>
      read({
        newAccountsSchedule: { frequency: 'often', timeout: { seconds: 60 } },
      }),
    ).toThrow();
  });

  it('rejects bad settings passed to the constructor too', () => {
    expect(
      () =>
        new ScanScheduler(
          {
            scheduler: mockServices.scheduler(),
            logger,
            scans: new RecordingScans(),
          },
          settings({ shards: 100 }),
        ),
    ).toThrow(/shards must be an integer from 1 to 64, got 100/);
  });
});

describe('ScanScheduler with the in-memory scheduler', () => {
  function create(overrides: Partial<ScanScheduleSettings> = {}) {
    const scheduler = mockServices.scheduler();
    const scans = new RecordingScans();
    const scanScheduler = new ScanScheduler(
      { scheduler, logger, scans },
      settings(overrides),
    );
    return { scheduler, scans, scanScheduler };
  }

  it('registers one global task for a single shard, plus the new-accounts task', async () => {
    const { scheduler, scans, scanScheduler } = create();
    await scanScheduler.start();

    const tasks = await scheduler.getScheduledTasks();
    expect(tasks.map(t => [t.id, t.scope])).toEqual([
      ['cloudtrail-encryption-scan', 'global'],
      [NEW_ACCOUNTS_TASK_ID, 'global'],
    ]);

    await scheduler.triggerTask('cloudtrail-encryption-scan');
    expect(scans.finished).toEqual([undefined]);
    await scheduler.triggerTask(NEW_ACCOUNTS_TASK_ID);
    expect(scans.newAccountScans).toBe(1);
    await expect(scanScheduler.start()).rejects.toThrow(/already started/);
  });

  it('gives each shard its own task that scans that shard', async () => {
    const { scheduler, scans, scanScheduler } = create({ shards: 3 });
    await scanScheduler.start();
    expect(scanScheduler.shardTaskIds).toEqual([
      'cloudtrail-encryption-scan-1-of-3',
      'cloudtrail-encryption-scan-2-of-3',
      'cloudtrail-encryption-scan-3-of-3',
    ]);

    await scheduler.triggerTask('cloudtrail-encryption-scan-2-of-3');
    expect(scans.finished).toEqual([{ index: 1, count: 3 }]);
  });

  it('triggers every shard for a full scan', async () => {
    const { scans, scanScheduler } = create({ shards: 3 });
    await scanScheduler.start();

    await expect(scanScheduler.triggerFullScan()).resolves.toEqual(
      scanScheduler.shardTaskIds,
    );
    expect(scans.finished.map(s => s?.index)).toEqual([0, 1, 2]);
    expect(scans.newAccountScans).toBe(0);
  });

  it('hands a shard back while the replica runs its share, and runs it once free', async () => {
    const { scheduler, scans, scanScheduler } = create({ shards: 2 });
    await scanScheduler.start();
    const [first, second] = scanScheduler.shardTaskIds;
    scans.hold(0);

    const firstRun = scheduler.triggerTask(first);
    await eventually(() => scans.started.length === 1);
    await scheduler.triggerTask(second);
    // Handed back, not run beside the first.
    expect(scans.started).toEqual([{ index: 0, count: 2 }]);

    scans.release(0);
    await firstRun;
    await eventually(() => scans.finished.length === 2);
    expect(scans.finished).toEqual([
      { index: 0, count: 2 },
      { index: 1, count: 2 },
    ]);
  });

  it('runs shards side by side up to maxConcurrentShards', async () => {
    const { scheduler, scans, scanScheduler } = create({
      shards: 2,
      maxConcurrentShards: 2,
    });
    await scanScheduler.start();
    scans.hold(0);
    scans.hold(1);

    const runs = scanScheduler.shardTaskIds.map(id =>
      scheduler.triggerTask(id),
    );
    await eventually(() => scans.started.length === 2);
    expect(scans.finished).toEqual([]);
    scans.release(0);
    scans.release(1);
    await Promise.all(runs);
    expect(scans.finished).toHaveLength(2);
  });
});

describe('ScanScheduler with the database-backed scheduler', () => {
  it('skips a running shard on a full scan and runs a handed-back one after', async () => {
    const scans = new RecordingScans();
    scans.hold(0);
    const schedulerLogger = mockServices.logger.mock();
    const handedBack = () =>
      schedulerLogger.debug.mock.calls.some(([message]) =>
        /cloudtrail-encryption-scan-2-of-2: .* handing it back/.test(message),
      );
    let scanScheduler: ScanScheduler | undefined;
    let scheduler: SchedulerService | undefined;

    const backend = await startTestBackend({
      features: [
        schedulerServiceFactory,
        createBackendPlugin({
          pluginId: 'scan-scheduler-test',
          register(env) {
            env.registerInit({
              deps: { scheduler: coreServices.scheduler },
              async init(deps) {
                scheduler = deps.scheduler;
                scanScheduler = new ScanScheduler(
                  { scheduler: deps.scheduler, logger: schedulerLogger, scans },
                  settings({
                    schedule: {
                      frequency: { trigger: 'manual' },
                      timeout: { minutes: 1 },
                    },
                    shards: 2,
                  }),
                );
                await scanScheduler.start();
              },
            });
          },
        }),
      ],
    });
    try {
      const [first, second] = scanScheduler!.shardTaskIds;
      await scheduler!.triggerTask(first);
      await eventually(() => scans.started.length === 1);

      // The running shard is not re-triggered; the idle one is.
      expect(await scanScheduler!.triggerFullScan()).toEqual([second]);
      // This replica is busy: it claims the second shard but hands it back.
      await eventually(handedBack, 30_000);
      expect(scans.started).toEqual([{ index: 0, count: 2 }]);

      scans.release(0);
      await eventually(() => scans.finished.length === 2, 30_000);
      expect(scans.finished).toEqual([
        { index: 0, count: 2 },
        { index: 1, count: 2 },
      ]);
    } finally {
      scans.release(0);
      await backend.stop();
    }
  });
});
