import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';

// When to re-trigger: after the scheduler released this replica's claim
// (a database update right after the task function returns). A conflict on
// the second attempt means another replica is running the shard: done.
const HAND_BACK_DELAYS_MS = [500, 2500];

/**
 * Spreads the shards of the scheduled scan over backend replicas using only
 * Backstage's scheduler.
 *
 * The scheduler lets whichever replica polls first claim every due task, so
 * left alone one replica would take all shards. A replica that is already
 * running its share of shards instead returns at once and re-triggers the
 * shard (`triggerTask` makes it due now for every replica): the next replica
 * to poll — typically an idle one — runs it. With a single replica the
 * shards simply run one after another.
 */
export class ShardRunner {
  #running = 0;

  constructor(
    private readonly deps: {
      scheduler: SchedulerService;
      logger: LoggerService;
      maxConcurrentShards: number;
    },
  ) {}

  wrap(taskId: string, run: () => Promise<void>): () => Promise<void> {
    return async () => {
      if (this.#running >= this.deps.maxConcurrentShards) {
        this.deps.logger.debug(
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
          await this.deps.scheduler.triggerTask(taskId);
          return;
        } catch {
          // Our claim not released yet, or another replica runs it.
        }
      }
      this.deps.logger.debug(
        `${taskId}: not re-triggered; another replica is running it`,
      );
    })();
  }
}
