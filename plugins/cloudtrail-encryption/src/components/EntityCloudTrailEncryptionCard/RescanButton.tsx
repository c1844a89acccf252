import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import LinearProgress from '@material-ui/core/LinearProgress';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import type {
  FindingChange,
  ReportDiff,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { useEffect, useState } from 'react';
import { ACCOUNT_STATUS_LABELS } from '../shared/status';
import type { RescanState } from './useRescan';

const useStyles = makeStyles(theme => ({
  root: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  feedback: { marginBottom: theme.spacing(1) },
  list: { margin: theme.spacing(0.5, 0), paddingLeft: theme.spacing(2.5) },
  code: { fontFamily: 'monospace', whiteSpace: 'nowrap' },
}));

/**
 * Stays visible but disabled without the scan permission, so people learn the
 * action exists and whom to ask, rather than wondering where it went.
 */
export function RescanButton(props: { state: RescanState }) {
  const classes = useStyles();
  const { allowed, running, rescan } = props.state;
  const button = (
    <Button
      size="small"
      variant="outlined"
      color="primary"
      disabled={!allowed || running}
      onClick={rescan}
    >
      Rescan
    </Button>
  );
  return (
    <span className={classes.root}>
      {running && <CircularProgress size={20} aria-label="Rescanning" />}
      {allowed ? (
        button
      ) : (
        <Tooltip title="You are not allowed to trigger CloudTrail encryption scans">
          <span>{button}</span>
        </Tooltip>
      )}
    </span>
  );
}

/** Whole seconds since `since`, ticking while mounted. */
function useSecondsSince(since: number | undefined): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === undefined) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [since]);
  return since === undefined
    ? 0
    : Math.max(0, Math.floor((now - since) / 1000));
}

function RescanProgress(props: { accountId: string; startedAt?: number }) {
  const classes = useStyles();
  const seconds = useSecondsSince(props.startedAt);
  return (
    <div
      className={classes.feedback}
      role="status"
      data-testid="cloudtrail-encryption-rescan-progress"
    >
      <Typography variant="body2" gutterBottom>
        Rescanning account {props.accountId}… started {seconds} s ago
      </Typography>
      <LinearProgress aria-label="Rescan in progress" />
    </div>
  );
}

function Findings(props: { label: string; changes: FindingChange[] }) {
  const classes = useStyles();
  if (props.changes.length === 0) return null;
  return (
    <>
      <Typography variant="body2">
        {props.label} ({props.changes.length}):
      </Typography>
      <ul className={classes.list}>
        {props.changes.map((change, index) => (
          <li key={`${change.code}-${change.trailArn ?? ''}-${index}`}>
            <Typography variant="body2" component="span">
              {change.title} (
              <span className={classes.code}>{change.code}</span>)
              {change.trailName || change.trailArn
                ? ` on ${change.trailName ?? change.trailArn}`
                : ''}
            </Typography>
          </li>
        ))}
      </ul>
    </>
  );
}

function remains(n: number): string {
  return `${n} ${n === 1 ? 'finding remains' : 'findings remain'}`;
}

const statusLabel = (status?: ReportDiff['statusAfter']) =>
  status ? ACCOUNT_STATUS_LABELS[status] : 'Not scanned';

function severityOf(diff: ReportDiff) {
  if (diff.scanFailed) return 'error';
  if (diff.unchanged) return 'info';
  if (diff.added.length || diff.statusAfter === 'non-compliant') {
    return 'warning';
  }
  return 'success';
}

/** What the rescan changed, until dismissed. */
function RescanOutcome(props: { diff: ReportDiff; onClose: () => void }) {
  const classes = useStyles();
  const { diff, onClose } = props;
  return (
    <Alert
      severity={severityOf(diff)}
      className={classes.feedback}
      onClose={onClose}
      data-testid="cloudtrail-encryption-rescan-outcome"
    >
      <AlertTitle>
        {diff.scanFailed
          ? `Rescan of account ${diff.accountId} failed`
          : `Rescan of account ${diff.accountId} finished`}
      </AlertTitle>
      {diff.scanFailed && (
        <Typography variant="body2" gutterBottom>
          {diff.error ?? 'The scan failed for an unknown reason'}. The last good
          report is kept.
        </Typography>
      )}
      {diff.unchanged ? (
        <Typography variant="body2">
          No change: {remains(diff.remaining)}.
        </Typography>
      ) : (
        <>
          <Typography variant="body2">
            {diff.statusBefore === diff.statusAfter
              ? `Status unchanged: ${statusLabel(diff.statusAfter)}`
              : `Status: ${statusLabel(diff.statusBefore)} → ${statusLabel(
                  diff.statusAfter,
                )}`}
          </Typography>
          <Findings label="Resolved" changes={diff.resolved} />
          <Findings label="New" changes={diff.added} />
          {diff.trailsAdded.length > 0 && (
            <Typography variant="body2">
              Trails added: {diff.trailsAdded.join(', ')}
            </Typography>
          )}
          {diff.trailsRemoved.length > 0 && (
            <Typography variant="body2">
              Trails removed: {diff.trailsRemoved.join(', ')}
            </Typography>
          )}
          <Typography variant="body2">{remains(diff.remaining)}.</Typography>
        </>
      )}
    </Alert>
  );
}

/**
 * The rescan as it happens and as it ended: progress while it runs, then
 * what changed (or why it failed) in an alert that stays until dismissed.
 */
export function RescanFeedback(props: { rescan: RescanState }) {
  const classes = useStyles();
  const { rescan } = props;
  if (rescan.running) {
    return (
      <RescanProgress
        accountId={rescan.accountId}
        startedAt={rescan.startedAt}
      />
    );
  }
  return (
    <>
      {rescan.error && (
        <Alert
          severity="error"
          className={classes.feedback}
          onClose={rescan.dismissError}
        >
          Rescan failed: {rescan.error}
        </Alert>
      )}
      {rescan.outcome && (
        <RescanOutcome diff={rescan.outcome} onClose={rescan.dismissOutcome} />
      )}
    </>
  );
}
