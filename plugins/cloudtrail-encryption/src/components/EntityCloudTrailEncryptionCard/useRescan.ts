import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  cloudTrailEncryptionScanTriggerPermission,
  type AccountReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { useCallback, useState } from 'react';
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
  /** Whether the user may trigger scans; false while that is being checked. */
  allowed: boolean;
  running: boolean;
  /** Why the last rescan failed, until dismissed. */
  error?: string;
  rescan(): void;
  dismissError(): void;
}

/** Triggers a scan of the account and hands the fresh report to `onReport`. */
export function useRescan(
  accountId: string,
  onReport: (report: AccountReport) => void,
): RescanState {
  const api = useApi(cloudtrailEncryptionApiRef);
  // Decisions may be conditional on the account (its owner, its OU), so the
  // question is asked about this account rather than about scans in general.
  const permission = usePermission({
    permission: cloudTrailEncryptionScanTriggerPermission,
    resourceRef: accountId,
  });
  const [dismissed, setDismissed] = useState<Error>();
  const [state, run] = useAsyncFn(async () => {
    const report = await api.rescanAccount(accountId);
    onReport(report);
    return report;
  }, [api, accountId, onReport]);
  // useAsyncFn settles rather than rejects: failures land in `state.error`.
  const rescan = useCallback(() => {
    run();
  }, [run]);
  const failure =
    state.error && state.error !== dismissed ? state.error : undefined;
  return {
    allowed: !permission.loading && permission.allowed,
    running: state.loading,
    error: failure && describeFailure(failure),
    rescan,
    dismissError: () => setDismissed(state.error),
  };
}
