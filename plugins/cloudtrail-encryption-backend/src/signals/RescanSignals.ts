import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SignalsService } from '@backstage/plugin-signals-node';
import {
  accountSignalChannel,
  SCAN_RUNS_SIGNAL_CHANNEL,
  type AccountReport,
  type AccountSignal,
  type ScanRunSignal,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/**
 * Publishes scan progress through the signals service, so that an open
 * account card or fleet page refreshes when a scan stores something instead
 * of polling. Publishing never holds up the scan nor fails it.
 */
export class RescanSignals {
  /** Rescans under way, by run id. */
  readonly #rescans = new Map<string, string>();

  constructor(
    private readonly deps: { signals: SignalsService; logger: LoggerService },
  ) {}

  rescanStarted(accountId: string, runId: string): void {
    this.#rescans.set(runId, accountId);
    this.#publish(accountSignalChannel(accountId), {
      type: 'rescan-started',
      accountId,
      runId,
    });
  }

  reportStored(report: AccountReport): void {
    this.#publish(accountSignalChannel(report.accountId), {
      type: 'report-stored',
      accountId: report.accountId,
      scannedAt: report.scannedAt,
    });
  }

  /** A run ended: the account it rescanned, if it was a rescan, and the fleet. */
  runFinished(runId: string, accountIds: readonly string[]): void {
    const rescanned = this.#rescans.get(runId);
    if (rescanned) {
      this.#rescans.delete(runId);
      this.#publish(accountSignalChannel(rescanned), {
        type: 'rescan-finished',
        accountId: rescanned,
        runId,
        stored: accountIds.includes(rescanned),
      });
    }
    this.#publish(SCAN_RUNS_SIGNAL_CHANNEL, {
      type: 'run-finished',
      runId,
      accountCount: accountIds.length,
    });
  }

  #publish(channel: string, message: AccountSignal | ScanRunSignal): void {
    // Deferred so that even a publisher throwing synchronously cannot
    // reach the scan that called.
    Promise.resolve()
      .then(() =>
        this.deps.signals.publish({
          recipients: { type: 'broadcast' },
          channel,
          message,
        }),
      )
      .catch(error =>
        this.deps.logger.warn(`Could not publish on ${channel}: ${error}`),
      );
  }
}
