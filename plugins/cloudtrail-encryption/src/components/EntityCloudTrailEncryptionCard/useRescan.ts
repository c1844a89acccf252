import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  cloudTrailEncryptionScanTriggerPermission,
  diffReports,
  type AccountReport,
  type ReportDiff,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { useCallback, useRef, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { cloudtrailEncryptionApiRef } from '../../api';

/** The server's own explanation beats "Request failed with 403". */
function describeFailure(error: Error): string {
  if (ResponseError.is(error)) {
    if (error.statusCode === 403) {
      return `You are not allowed to trigger scans (${
        error.cause.message || error.statusText
      })`;
    }
    return error.cause.message || error.message;
  }
  return error.message;
}

export interface RescanState {
  /** The account rescanned. */
  accountId: string;
  /** Whether the user may trigger scans; false while that is being checked. */
  allowed: boolean;
  running: boolean;
  /** When the running rescan started (ms since the epoch). */
  startedAt?: number;
  /** Why the last rescan failed, until dismissed. */
  error?: string;
  /** What the last rescan changed, until dismissed. */
  outcome?: ReportDiff;
  rescan(): void;
  dismissError(): void;
  dismissOutcome(): void;
}

/**
 * Triggers a scan of the account and hands the fresh report to `onReport`;
 * `previous` (the report shown before) is what the outcome is compared with.
 */
export function useRescan(
  accountId: string,
  onReport: (report: AccountReport) => void,
  previous?: AccountReport,
): RescanState {
  const api = useApi(cloudtrailEncryptionApiRef);
  // Decisions may be conditional on the account (its owner, its OU), so the
  // question is asked about this account rather than about scans in general.
  const permission = usePermission({
    permission: cloudTrailEncryptionScanTriggerPermission,
    resourceRef: accountId,
  });
  const [dismissed, setDismissed] = useState<Error>();
  const [outcome, setOutcome] = useState<ReportDiff>();
  const [startedAt, setStartedAt] = useState<number>();
  // The report on screen when the rescan starts is what it is compared with.
  const previousRef = useRef(previous);
  previousRef.current = previous;
  const [state, run] = useAsyncFn(async () => {
    const before = previousRef.current;
    const report = await api.rescanAccount(accountId);
    setOutcome(diffReports(before, report));
    onReport(report);
    return report;
  }, [api, accountId, onReport]);
  // useAsyncFn settles rather than rejects: failures land in `state.error`.
  const rescan = useCallback(() => {
    setOutcome(undefined);
    setStartedAt(Date.now());
    run();
  }, [run]);
  const failure =
    state.error && state.error !== dismissed ? state.error : undefined;
  return {
    accountId,
    allowed: !permission.loading && permission.allowed,
    running: state.loading,
    startedAt: state.loading ? startedAt : undefined,
    error: failure && describeFailure(failure),
    outcome: state.loading ? undefined : outcome,
    rescan,
    dismissError: () => setDismissed(state.error),
    dismissOutcome: () => setOutcome(undefined),
  };
}
