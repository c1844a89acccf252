import Typography from '@material-ui/core/Typography';
import { makeStyles, useTheme, type Theme } from '@material-ui/core/styles';
import {
  ACCOUNT_STATUSES,
  type AccountStatus,
  type ScanRun,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  ACCOUNT_STATUS_LABELS,
  OVERALL_STATE_LABELS,
  UNKNOWN_STATUS_MEANING,
} from '../shared/status';
import { formatExactTime } from '../shared/time';

function statusColor(theme: Theme, status: AccountStatus): string {
  switch (status) {
    case 'compliant':
      return theme.palette.success.main;
    case 'non-compliant':
      return theme.palette.error.main;
    case 'no-trails':
      return theme.palette.warning.main;
    default:
      return theme.palette.grey[500];
  }
}

const useStyles = makeStyles(theme => ({
  bars: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr max-content',
    alignItems: 'center',
    columnGap: theme.spacing(1.5),
    rowGap: theme.spacing(1),
    margin: 0,
    padding: 0,
    listStyle: 'none',
  },
  row: { display: 'contents' },
  track: {
    height: 12,
    borderRadius: 6,
    backgroundColor: theme.palette.action.hover,
    overflow: 'hidden',
  },
  bar: { height: '100%', borderRadius: 6 },
  count: { fontVariantNumeric: 'tabular-nums', textAlign: 'right' },
  legend: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1.5),
    marginTop: theme.spacing(1),
  },
  swatch: {
    display: 'inline-block',
    width: 10,
    height: 10,
    marginRight: theme.spacing(0.5),
    borderRadius: 2,
  },
}));

/** Accounts per status across the whole fleet, as horizontal bars. */
export function StatusBars(props: { counts: Record<AccountStatus, number> }) {
  const classes = useStyles();
  const theme = useTheme();
  const { counts } = props;
  const total = ACCOUNT_STATUSES.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
  return (
    <>
      <ul className={classes.bars} aria-label="Accounts by status">
        {ACCOUNT_STATUSES.map(status => {
          const count = counts[status] ?? 0;
          const share = total ? (count / total) * 100 : 0;
          return (
            <li
              key={status}
              className={classes.row}
              data-testid={`status-count-${status}`}
            >
              <Typography variant="body2">
                {ACCOUNT_STATUS_LABELS[status]}
              </Typography>
              <div className={classes.track}>
                <div
                  className={classes.bar}
                  style={{
                    width: `${share}%`,
                    backgroundColor: statusColor(theme, status),
                  }}
                />
              </div>
              <Typography variant="body2" className={classes.count}>
                {count}
              </Typography>
            </li>
          );
        })}
      </ul>
      <Typography variant="caption" color="textSecondary" component="p">
        {total} {total === 1 ? 'account' : 'accounts'} in total
      </Typography>
      <Typography
        variant="caption"
        color="textSecondary"
        component="p"
        data-testid="status-legend-unknown"
      >
        {UNKNOWN_STATUS_MEANING}
      </Typography>
    </>
  );
}

const BAR_WIDTH = 12;
const BAR_GAP = 4;
const CHART_HEIGHT = 64;

function describeRun(run: ScanRun): string {
  const counts = ACCOUNT_STATUSES.map(
    status =>
      `${run.countsByStatus[status] ?? 0} ${ACCOUNT_STATUS_LABELS[
        status
      ].toLowerCase()}`,
  ).join(', ');
  const errors = run.errorCount
    ? `, ${run.errorCount} ${OVERALL_STATE_LABELS['scan-error'].toLowerCase()}s`
    : '';
  return `${formatExactTime(run.startedAt)} (${
    run.trigger
  }): ${counts}${errors}`;
}

/** Stacked bars of the status counts of recent scan runs, oldest on the left. */
export function ScanTrend(props: { runs: ScanRun[] }) {
  const classes = useStyles();
  const theme = useTheme();
  // Manual runs rescan a single account; their counts are not fleet-wide.
  const runs = props.runs
    .filter(run => run.trigger === 'schedule' && run.finishedAt)
    .slice()
    .reverse();
  if (runs.length < 2) {
    return (
      <Typography variant="body2" color="textSecondary">
        Not enough scan history yet: the trend appears after two scheduled
        scans.
      </Typography>
    );
  }
  const totals = runs.map(run =>
    ACCOUNT_STATUSES.reduce((sum, s) => sum + (run.countsByStatus[s] ?? 0), 0),
  );
  const max = Math.max(1, ...totals);
  const width = runs.length * (BAR_WIDTH + BAR_GAP) - BAR_GAP;
  // Stack the good news at the bottom so its growth reads as a rising floor.
  const stackOrder: AccountStatus[] = [
    'compliant',
    'no-trails',
    'unknown',
    'non-compliant',
  ];
  return (
    <>
      <svg
        role="img"
        aria-label={`Account status over the last ${runs.length} scheduled scans`}
        viewBox={`0 0 ${width} ${CHART_HEIGHT}`}
        width="100%"
        height={CHART_HEIGHT}
        preserveAspectRatio="none"
      >
        {runs.map((run, index) => {
          let y = CHART_HEIGHT;
          return (
            <g key={run.id} data-testid={`scan-run-${run.id}`}>
              <title>{describeRun(run)}</title>
              {stackOrder.map(status => {
                const count = run.countsByStatus[status] ?? 0;
                const height = (count / max) * CHART_HEIGHT;
                y -= height;
                return count ? (
                  <rect
                    key={status}
                    x={index * (BAR_WIDTH + BAR_GAP)}
                    y={y}
                    width={BAR_WIDTH}
                    height={height}
                    fill={statusColor(theme, status)}
                  />
                ) : null;
              })}
            </g>
          );
        })}
      </svg>
      <div className={classes.legend}>
        {stackOrder.map(status => (
          <Typography key={status} variant="caption" color="textSecondary">
            <span
              className={classes.swatch}
              style={{ backgroundColor: statusColor(theme, status) }}
            />
            {ACCOUNT_STATUS_LABELS[status]}
          </Typography>
        ))}
      </div>
      <Typography variant="caption" color="textSecondary" component="p">
        {UNKNOWN_STATUS_MEANING}
      </Typography>
    </>
  );
}
