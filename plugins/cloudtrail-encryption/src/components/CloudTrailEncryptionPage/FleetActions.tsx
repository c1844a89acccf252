import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  ACCOUNT_STATUSES,
  type AccountStatus,
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
  progress: { minWidth: 220, display: 'inline-block' },
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
 * "Scan all", for those allowed to trigger scans on every account. Follows
 * the runs of this request (one per shard) until all have finished, then
 * says what changed and reloads the page's data.
 */
export function ScanAllButton(props: { onFinished: () => void }) {
  const api = useApi(cloudtrailEncryptionApiRef);
  // The backend decides: only an unconditional ALLOW covers every account,
  // and the frontend's permission API cannot ask about a resource
  // permission without naming one resource.
  const decision = useAsync(async () => api.canTriggerFullScan(), [api]);
  return decision.value === true ? <ScanAll {...props} /> : null;
}

type Counts = Record<AccountStatus, number>;

interface Following {
  requestId: string;
  /** Shards triggered: the runs to wait for. */
  expected: number;
  before: Counts;
}

interface Progress {
  done: number;
  planned?: number;
  failed: number;
  shardsDone: number;
  shards: number;
}

interface Outcome {
  accounts: number;
  failed: number;
  before: Counts;
  after: Counts;
}

function progressOf(runs: ScanRun[], expected: number): Progress {
  const started = runs.length;
  const planned = runs.reduce((n, r) => n + (r.plannedCount ?? 0), 0);
  return {
    done: runs.reduce((n, r) => n + r.accountCount, 0),
    // Unknown until every shard has started and said how many it has.
    planned: started >= expected && planned > 0 ? planned : undefined,
    failed: runs.reduce((n, r) => n + r.errorCount, 0),
    shardsDone: runs.filter(r => r.finishedAt).length,
    shards: Math.max(expected, started),
  };
}

function total(counts: Counts): number {
  return ACCOUNT_STATUSES.reduce((n, s) => n + (counts[s] ?? 0), 0);
}

function ScanAllProgress(props: { progress?: Progress }) {
  const classes = useStyles();
  const p = props.progress;
  const share = p?.planned ? Math.min(100, (p.done / p.planned) * 100) : 0;
  return (
    <span
      className={classes.progress}
      aria-label="Scanning all accounts"
      role="status"
      data-testid="scan-all-progress"
    >
      <Typography variant="body2" className={classes.nowrap}>
        {p
          ? `Scanning: ${p.done}${p.planned ? ` / ${p.planned}` : ''} accounts${
              p.failed ? `, ${p.failed} failed` : ''
            }${
              p.shards > 1
                ? ` (${p.shardsDone} of ${p.shards} shards done)`
                : ''
            }`
          : 'Starting the scan…'}
      </Typography>
      <LinearProgress
        variant={p?.planned ? 'determinate' : 'indeterminate'}
        value={share}
        aria-label="Scan progress"
      />
    </span>
  );
}

function ScanAllOutcome(props: { outcome: Outcome }) {
  const classes = useStyles();
  const { accounts, failed, before, after } = props.outcome;
  return (
    <span role="status" data-testid="scan-all-outcome">
      <Typography variant="body2" className={classes.nowrap}>
        Scanned {accounts} accounts{failed ? `, ${failed} failed` : ''}
      </Typography>
      <Typography variant="caption" color="textSecondary" component="p">
        Compliant: {before.compliant} of {total(before)} → {after.compliant} of{' '}
        {total(after)}
      </Typography>
    </span>
  );
}

function ScanAll(props: { onFinished: () => void }) {
  const api = useApi(cloudtrailEncryptionApiRef);
  const classes = useStyles();
  const [following, setFollowing] = useState<Following>();
  const [progress, setProgress] = useState<Progress>();
  const [outcome, setOutcome] = useState<Outcome>();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  const { onFinished } = props;

  useEffect(() => {
    if (!following) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const { items } = await api.listScanRuns({
          requestId: following.requestId,
          limit: 100,
        });
        if (stopped) return;
        const now = progressOf(items, following.expected);
        setProgress(now);
        if (
          items.length >= following.expected &&
          now.shardsDone === items.length
        ) {
          const after = (await api.listAccounts({ pageSize: 1 }))
            .countsByStatus;
          if (stopped) return;
          setFollowing(undefined);
          setOutcome({
            accounts: now.done,
            failed: now.failed,
            before: following.before,
            after,
          });
          onFinished();
          return;
        }
      } catch (e) {
        if (stopped) return;
        setError(`Could not follow the scan: ${(e as Error).message}`);
        setFollowing(undefined);
        return;
      }
      timer = setTimeout(poll, SCAN_POLL_MS);
    };
    timer = setTimeout(poll, SCAN_POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, following, onFinished]);

  const start = async () => {
    setError(undefined);
    setOutcome(undefined);
    setNotice(undefined);
    setProgress(undefined);
    try {
      const before = (await api.listAccounts({ pageSize: 1 })).countsByStatus;
      const { requestId, triggered } = await api.triggerFullScan();
      if (!requestId || triggered.length === 0) {
        setNotice(
          'A full scan is already running; the page shows its results once it has finished.',
        );
        return;
      }
      setFollowing({ requestId, expected: triggered.length, before });
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
        disabled={following !== undefined}
        onClick={start}
      >
        Scan all
      </Button>
      {following && <ScanAllProgress progress={progress} />}
      {outcome && <ScanAllOutcome outcome={outcome} />}
      {notice && (
        <Typography variant="body2" role="status">
          {notice}
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
