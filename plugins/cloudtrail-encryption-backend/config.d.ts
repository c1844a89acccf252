import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** TrailGuard: CloudTrail SSE-KMS encryption reports. */
  cloudtrailEncryption?: {
    /**
     * When and how the scheduled scan runs. Defaults: every 6 hours, 1 hour
     * timeout, 15 seconds after start-up.
     */
    schedule?: SchedulerServiceTaskScheduleDefinitionConfig & {
      /**
       * Split the scheduled scan into this many shards (by account). Each
       * shard is a separate global task, so backend replicas sharing one
       * database divide the work. Default 1.
       */
      shards?: number;
      /**
       * Shards one replica runs at the same time; a busy replica hands
       * further shards back to the scheduler for another replica. Default 1.
       */
      maxConcurrentShards?: number;
    };
    /**
     * How often to look for estate accounts that have no report yet and scan
     * just those. Default every minute, starting 30 s
     * after start-up.
     */
    newAccountsSchedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    scan?: {
      /** Accounts scanned at the same time. Default 8. */
      concurrency?: number;
      /**
       * Directory for the temporary file a scan keeps each account's facts
       * and IAM in until its report is made (removed as soon as it is
       * opened, so nothing is left behind): about 20 kB per account. Default the system's
       * temporary directory; on a memory-backed one (tmpfs) the file counts
       * against memory. When it cannot be written, the scan keeps the data
       * in memory.
       */
      spillDirectory?: string;
    };
    aws?: {
      /**
       * Send every AWS call to this endpoint instead of AWS (the local AWS
       * sandbox in development). Never set this in production.
       */
      endpoint?: string;
      /** Region for Region-agnostic calls (ListTrails, HeadBucket). Default us-east-1. */
      defaultRegion?: string;
      /** AWS calls in progress at once across the scan (each with its retries). Default twice scan.concurrency. */
      maxInFlight?: number;
      /** Attempts per AWS call including the first (adaptive retry). Default 6. */
      maxAttempts?: number;
      /** Per-attempt timeout: milliseconds or a duration object. Default 10 s. */
      requestTimeout?: number | { [unit: string]: number };
      /**
       * Deadline of one AWS call with its retries, positive. Default 60 s.
       * Calls started within the same twentieth of it (at most a second)
       * share one deadline, so a call may get up to that much more.
       */
      callTimeout?: number | { [unit: string]: number };
    };
    catalog?: {
      /**
       * Only entities whose `backstage.io/managed-by-origin-location` starts
       * with one of these prefixes may claim an account (give it owners and a
       * title). Unset: any location.
       */
      allowedLocations?: string[];
    };
    archive?: {
      /**
       * Days the report of an account that left the estate is kept (archived:
       * not listed, served or rescannable) before it is deleted. Default 90.
       */
      retentionDays?: number;
    };
    permissions?: {
      /**
       * Ownership entity refs (groups, or single users) whose members may
       * rescan and remediate every account under TrailGuard's permission
       * policy, e.g. `group:default/platform-security`.
       */
      adminGroups?: string[];
    };
    /**
     * Notifications to the owners of an account's entity when its CloudTrail
     * encryption gets worse, and when it recovers (through the notifications
     * backend).
     */
    notifications?: {
      /**
       * Default: on when the notifications backend is installed in this
       * backend.
       */
      enabled?: boolean;
      /**
       * Findings below this severity are not notified. Default `high`.
       */
      minimumSeverity?: 'critical' | 'high' | 'medium' | 'low' | 'info';
    };
  };
}
