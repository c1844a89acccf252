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
  legendItem: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
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

/** One point of the trend: the fleet's compliant share once a run ended. */
export interface TrendPoint {
  run: ScanRun;
  time: number;
  compliant: number;
  accounts: number;
}

/**
 * The trend's points, oldest first: each finished run that covered accounts
 * the caller may see, with the fleet's compliant share after it. Without
 * the backend's fleet figures, a full scan's own counts stand in.
 */
export function trendPoints(runs: ScanRun[]): TrendPoint[] {
  const points: TrendPoint[] = [];
  for (const run of runs) {
    if (!run.finishedAt || run.accountCount === 0) continue;
    const time = Date.parse(run.finishedAt);
    if (Number.isNaN(time)) continue;
    if (run.fleet && run.fleet.accounts > 0) {
      points.push({ run, time, ...run.fleet });
    } else if (
      !run.fleet &&
      (run.scope ?? (run.trigger === 'schedule' ? 'full' : 'account')) ===
        'full' &&
      run.shard === undefined
    ) {
      const accounts = ACCOUNT_STATUSES.reduce(
        (sum, s) => sum + (run.countsByStatus[s] ?? 0),
        0,
      );
      if (accounts > 0) {
        points.push({
          run,
          time,
          compliant: run.countsByStatus.compliant ?? 0,
          accounts,
        });
      }
    }
  }
  return points.sort((a, b) => a.time - b.time);
}

export const TRIGGER_LABELS: Record<ScanRun['trigger'], string> = {
  schedule: 'Scheduled',
  manual: 'On demand (manual or API)',
  remediation: 'On demand (remediation)',
};

const SCOPE_LABELS: Record<NonNullable<ScanRun['scope']>, string> = {
  full: 'full scan',
  'new-accounts': 'new accounts',
  account: 'one account',
};

function percent(point: { compliant: number; accounts: number }): number {
  return Math.round((point.compliant / point.accounts) * 100);
}

function describePoint(point: TrendPoint): string {
  const { run } = point;
  const scope = run.scope ? `, ${SCOPE_LABELS[run.scope]}` : '';
  const shard = run.shard && run.shard !== 'new' ? ` shard ${run.shard}` : '';
  const by = run.requestedBy ? ` by ${run.requestedBy}` : '';
  const errors = run.errorCount
    ? `, ${run.errorCount} ${OVERALL_STATE_LABELS['scan-error'].toLowerCase()}${
        run.errorCount === 1 ? '' : 's'
      }`
    : '';
  return `${formatExactTime(run.finishedAt!)} — ${
    TRIGGER_LABELS[run.trigger] ?? run.trigger
  }${scope}${shard}${by}: ${percent(point)}% compliant (${point.compliant} of ${
    point.accounts
  } accounts); this run scanned ${run.accountCount}${errors}`;
}

// Chart geometry in viewBox units; the SVG scales with its card.
// Narrow enough that 12-unit text stays legible in a half-width card at
// 1440 px and a full-width one at 800 px.
const WIDTH = 480;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 16, bottom: 42, left: 46 };
const FONT = 12;
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const Y_TICKS = [0, 25, 50, 75, 100];

function dateLabel(time: number): string {
  return new Date(time).toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
}

function timeLabel(time: number): string {
  return `${new Date(time).toISOString().slice(11, 16)} UTC`;
}

const MINUTE = 60_000;
/** Tick spacings below a day: round minutes and hours. */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720].map(
  m => m * MINUTE,
);

/**
 * Ticks on round times inside the domain: UTC midnights when it spans two
 * days or more, round minutes or hours otherwise; at most about six.
 */
function xTicks(from: number, to: number): number[] {
  const span = to - from;
  const step =
    span >= 2 * DAY
      ? Math.ceil(span / DAY / 6) * DAY
      : STEPS.find(s => s >= span / 6) ?? DAY;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
    ticks.push(t);
  }
  return ticks;
}

/** Labels near the edges grow inwards so that they are not cut off. */
function anchorOf(x: number): 'start' | 'middle' | 'end' {
  if (x > WIDTH - MARGIN.right - 40) return 'end';
  if (x < MARGIN.left + 20) return 'start';
  return 'middle';
}

function Marker(props: {
  trigger: ScanRun['trigger'];
  x: number;
  y: number;
  color: string;
  background: string;
}) {
  const { trigger, x, y, color, background } = props;
  if (trigger === 'schedule') {
    return <circle cx={x} cy={y} r={4.5} fill={color} />;
  }
  if (trigger === 'remediation') {
    return (
      <polygon
        points={`${x},${y - 6} ${x + 6},${y + 4.5} ${x - 6},${y + 4.5}`}
        fill={background}
        stroke={color}
        strokeWidth={2}
      />
    );
  }
  return (
    <polygon
      points={`${x},${y - 6} ${x + 6},${y} ${x},${y + 6} ${x - 6},${y}`}
      fill={background}
      stroke={color}
      strokeWidth={2}
    />
  );
}

function LegendMarker(props: {
  trigger: ScanRun['trigger'];
  color: string;
  background: string;
}) {
  return (
    <svg width={14} height={14} viewBox="-7 -7 14 14" aria-hidden>
      <Marker {...props} x={0} y={0} />
    </svg>
  );
}

/**
 * The fleet's compliant share over time, from the scan history: a dated
 * x-axis, a percent y-axis, and each run's trigger told by its marker.
 */
export function ScanTrend(props: { runs: ScanRun[] }) {
  const classes = useStyles();
  const theme = useTheme();
  const points = trendPoints(props.runs);
  if (points.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No scan history yet: the trend appears once a scan has finished.
      </Typography>
    );
  }
  const first = points[0].time;
  const last = points[points.length - 1].time;
  // A single run (or runs within a minute) still gets a readable axis.
  const pad = last - first < 60_000 ? 12 * HOUR : (last - first) * 0.04;
  const from = first - pad;
  const to = last + pad;
  const x = (time: number) =>
    MARGIN.left + ((time - from) / (to - from)) * PLOT_W;
  const y = (share: number) => MARGIN.top + (1 - share / 100) * PLOT_H;
  const withTimes = to - from < 2 * DAY;
  const ticks = xTicks(from, to);
  const line = theme.palette.primary.main;
  const onDemand = theme.palette.secondary.main;
  const background = theme.palette.background.paper;
  const axis = theme.palette.text.secondary;
  const grid = theme.palette.divider;
  const triggers = [...new Set(points.map(p => p.run.trigger))];
  const latest = points[points.length - 1];
  return (
    <>
      <svg
        role="img"
        aria-label={`Compliant share of accounts over the last ${
          points.length
        } ${points.length === 1 ? 'scan' : 'scans'}`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        style={{ display: 'block', maxHeight: 360 }}
        data-testid="scan-trend"
      >
        <g data-testid="trend-y-axis" fontSize={FONT} fill={axis}>
          {Y_TICKS.map(tick => (
            <g key={tick}>
              <line
                x1={MARGIN.left}
                x2={WIDTH - MARGIN.right}
                y1={y(tick)}
                y2={y(tick)}
                stroke={grid}
                strokeDasharray={tick === 0 ? undefined : '3 3'}
              />
              <text
                x={MARGIN.left - 6}
                y={y(tick)}
                textAnchor="end"
                dominantBaseline="middle"
              >
                {tick}%
              </text>
            </g>
          ))}
        </g>
        <g data-testid="trend-x-axis" fontSize={FONT} fill={axis}>
          {ticks.map(tick => (
            <g key={tick} data-testid="trend-x-tick">
              <line
                x1={x(tick)}
                x2={x(tick)}
                y1={MARGIN.top + PLOT_H}
                y2={MARGIN.top + PLOT_H + 4}
                stroke={axis}
              />
              <text
                x={x(tick)}
                y={MARGIN.top + PLOT_H + 17}
                textAnchor={anchorOf(x(tick))}
              >
                {dateLabel(tick)}
              </text>
              {withTimes && (
                <text
                  x={x(tick)}
                  y={MARGIN.top + PLOT_H + 32}
                  textAnchor={anchorOf(x(tick))}
                >
                  {timeLabel(tick)}
                </text>
              )}
            </g>
          ))}
        </g>
        {points.length > 1 && (
          <polyline
            fill="none"
            stroke={line}
            strokeWidth={2}
            points={points
              .map(p => `${x(p.time)},${y((p.compliant / p.accounts) * 100)}`)
              .join(' ')}
          />
        )}
        {points.map(point => (
          <g
            key={point.run.id}
            data-testid={`scan-run-${point.run.id}`}
            data-trigger={point.run.trigger}
          >
            <title>{describePoint(point)}</title>
            <Marker
              trigger={point.run.trigger}
              x={x(point.time)}
              y={y((point.compliant / point.accounts) * 100)}
              color={point.run.trigger === 'schedule' ? line : onDemand}
              background={background}
            />
          </g>
        ))}
      </svg>
      <div className={classes.legend} data-testid="trend-legend">
        {(['schedule', 'manual', 'remediation'] as const)
          .filter(
            t => t === 'schedule' || t === 'manual' || triggers.includes(t),
          )
          .map(trigger => (
            <Typography
              key={trigger}
              variant="caption"
              color="textSecondary"
              className={classes.legendItem}
            >
              <LegendMarker
                trigger={trigger}
                color={trigger === 'schedule' ? line : onDemand}
                background={background}
              />
              {TRIGGER_LABELS[trigger]}
            </Typography>
          ))}
      </div>
      <Typography variant="caption" color="textSecondary" component="p">
        Latest: {percent(latest)}% compliant ({latest.compliant} of{' '}
        {latest.accounts} accounts you can see),{' '}
        {formatExactTime(latest.run.finishedAt!)}.
        {points.length === 1 ? ' The line appears after the next scan.' : ''}{' '}
        Hover a point for the run.
      </Typography>
    </>
  );
}
