/**
 * The signals TrailGuard publishes (through `@backstage/plugin-signals-node`)
 * and its pages listen to. They say that something happened, not what the
 * report says: signals are broadcast to every subscriber, so a page fetches
 * the report through the API, which authorizes the reader.
 */

/**
 * The channel of one account's scan progress.
 *
 * @public
 */
export function accountSignalChannel(accountId: string): string {
  return `cloudtrail-encryption:account:${accountId}`;
}

/**
 * The channel told when any scan run ends.
 *
 * @public
 */
export const SCAN_RUNS_SIGNAL_CHANNEL = 'cloudtrail-encryption:scan-runs';

/**
 * Messages on {@link accountSignalChannel}.
 *
 * @public
 */
export type AccountSignal =
  | { type: 'rescan-started'; accountId: string; runId: string }
  | { type: 'report-stored'; accountId: string; scannedAt: string }
  | {
      type: 'rescan-finished';
      accountId: string;
      runId: string;
      /** False when the rescan stored nothing (it failed before AWS answered). */
      stored: boolean;
    };

/**
 * Messages on {@link SCAN_RUNS_SIGNAL_CHANNEL}.
 *
 * @public
 */
export type ScanRunSignal = {
  type: 'run-finished';
  runId: string;
  accountCount: number;
};
