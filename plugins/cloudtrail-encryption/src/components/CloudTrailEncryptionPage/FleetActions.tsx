import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import {
  permissionApiRef,
  type PermissionApi,
} from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  cloudTrailEncryptionScanTriggerPermission,
  type ScanRun,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { cloudtrailEncryptionApiRef, type AccountFilters } from '../../api';

const SCAN_POLL_MS = 2_000;

const useStyles = makeStyles(theme => ({
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginLeft: 'auto',
  },
  progress: { minWidth: 160 },
  nowrap: { whiteSpace: 'nowrap' },
}));

/** Saves a blob under a name, the way a link to a file would. */
function saveAs(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The browser has taken the file once the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** "Export CSV" / "Export JSON": every account of the current filter. */
export function ExportButtons(props: { filters: AccountFilters }) {
  const api = useApi(cloudtrailEncryptionApiRef);
  const classes = useStyles();
  const [busy, setBusy] = useState<'csv' | 'json'>();
  const [error, setError] = useState<string>();

  const download = async (format: 'csv' | 'json') => {
    setBusy(format);
    setError(undefined);
    try {
      const { blob, filename } = await api.exportAccounts(
        format,
        props.filters,
      );
      saveAs(blob, filename);
    } catch (e) {
      setError(`Export failed: ${(e as Error).message}`);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <>
      {(['csv', 'json'] as const).map(format => (
        <Button
          key={format}
          variant="outlined"
          size="small"
          className={classes.nowrap}
          disabled={busy !== undefined}
          onClick={() => download(format)}
        >
          Export {format.toUpperCase()}
        </Button>
      ))}
      {error && (
        <Typography variant="body2" color="error" role="alert">
          {error}
        </Typography>
      )}
    </>
  );
}

/**
 * "Scan all", for those allowed to trigger scans on every account. Progress
 * is the scan history: the scan is done once a run that was not there
 * before the click has finished.
 */
export function ScanAllButton(props: { onFinished: () => void }) {
  // Without a permission API nothing can say who may scan everything.
  const permissions = useApiHolder().get(permissionApiRef);
  return permissions ? (
    <GatedScanAllButton {...props} permissions={permissions} />
  ) : null;
}

function GatedScanAllButton(props: {
  onFinished: () => void;
  permissions: PermissionApi;
}) {
  const api = useApi(cloudtrailEncryptionApiRef);
  const classes = useStyles();
  // Asked without a resource: only an unconditional ALLOW covers every
  // account, as the backend demands (usePermission would deny outright).
  const { permissions } = props;
  const decision = useAsync(
    () =>
      permissions.authorize({
        permission: cloudTrailEncryptionScanTriggerPermission,
      }),
    [permissions],
  );
  const allowed = decision.value?.result === 'ALLOW';
  const [before, setBefore] = useState<ReadonlySet<string>>();
  const [done, setDone] = useState<ScanRun>();
  const [error, setError] = useState<string>();
  const { onFinished } = props;

  useEffect(() => {
    if (!before) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const { items } = await api.listScanRuns({ limit: 5 });
        const run = items.find(r => !before.has(r.id) && r.finishedAt);
        if (stopped) return;
        if (run) {
          setBefore(undefined);
          setDone(run);
          onFinished();
          return;
        }
      } catch (e) {
        if (stopped) return;
        setError(`Could not follow the scan: ${(e as Error).message}`);
        setBefore(undefined);
        return;
      }
      timer = setTimeout(poll, SCAN_POLL_MS);
    };
    timer = setTimeout(poll, SCAN_POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, before, onFinished]);

  if (!allowed) return null;

  const start = async () => {
    setError(undefined);
    setDone(undefined);
    try {
      const { items } = await api.listScanRuns({ limit: 5 });
      await api.triggerFullScan();
      setBefore(new Set(items.map(r => r.id)));
    } catch (e) {
      setError(`Scan not started: ${(e as Error).message}`);
    }
  };

  return (
    <>
      <Button
        variant="contained"
        color="primary"
        size="small"
        className={classes.nowrap}
        disabled={before !== undefined}
        onClick={start}
      >
        Scan all
      </Button>
      {before && (
        <span className={classes.progress} aria-label="Scanning all accounts">
          <LinearProgress />
        </span>
      )}
      {done && (
        <Typography variant="body2" className={classes.nowrap}>
          Scanned {done.accountCount} accounts
          {done.errorCount ? `, ${done.errorCount} failed` : ''}
        </Typography>
      )}
      {error && (
        <Typography variant="body2" color="error" role="alert">
          {error}
        </Typography>
      )}
    </>
  );
}
