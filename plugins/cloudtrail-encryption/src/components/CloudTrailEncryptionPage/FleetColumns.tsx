import type { TableColumn } from '@backstage/core-components';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import InfoOutlined from '@material-ui/icons/InfoOutlined';
import type { AccountSummary } from '@trailguard/plugin-cloudtrail-encryption-common';
import { compliantDespiteFindings } from '../shared/complianceHint';
import { FindingName } from '../shared/findings';
import {
  OverallStatus,
  overallStateOf,
  SeverityChip,
  statusDisplayOf,
} from '../shared/status';
import { RelativeTime } from '../shared/time';

const useStyles = makeStyles(theme => ({
  worst: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  error: {
    color: theme.palette.error.main,
    display: '-webkit-box',
    WebkitLineClamp: 2,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
  },
  partial: {
    color: theme.palette.warning.dark,
    display: '-webkit-box',
    WebkitLineClamp: 2,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
  },
  status: { display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5) },
  hinted: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  },
}));

/** Where the account comes from, so a row outside the organization stands out. */
function membershipOf(row: AccountSummary): string | undefined {
  const membership = row.membership;
  if (!membership) return undefined;
  if (membership.source === 'configured') return 'configured';
  return membership.ouPath ?? membership.organizationId;
}

function ScanProblem(props: { row: AccountSummary }) {
  const classes = useStyles();
  const { row } = props;
  const state = overallStateOf(row);
  if (state === 'suspended') return null;
  if (row.scanStatus === 'error') {
    return (
      <Typography variant="body2" className={classes.error} title={row.error}>
        {row.error ?? 'Scan failed'}
      </Typography>
    );
  }
  if (row.scanStatus === 'partial') {
    const regions = row.failedRegions ?? [];
    const text = regions.length
      ? `Not read: ${regions
          .map(failure => `${failure.region} (${failure.reason})`)
          .join('; ')}`
      : row.error ?? 'Part of the account could not be read';
    return (
      <Typography variant="body2" className={classes.partial} title={text}>
        {text}
      </Typography>
    );
  }
  return null;
}

export function useColumns(): TableColumn<AccountSummary>[] {
  const classes = useStyles();
  return [
    {
      title: 'Account',
      field: 'accountId',
      render: row => (
        <>
          <Typography variant="body2">{row.accountName ?? '—'}</Typography>
          <Typography variant="caption" color="textSecondary">
            {row.accountId}
            {membershipOf(row) ? ` · ${membershipOf(row)}` : ''}
          </Typography>
        </>
      ),
    },
    {
      title: 'Status',
      field: 'status',
      render: row => {
        const display = statusDisplayOf(row);
        const hint = compliantDespiteFindings(
          display.verdict,
          row.worstFinding ? [row.worstFinding.severity] : [],
        );
        const verdict = <OverallStatus state={display.verdict} />;
        return (
          <span className={classes.status}>
            {hint ? (
              <Tooltip title={hint}>
                <span className={classes.hinted} aria-label={hint}>
                  {verdict}
                  <InfoOutlined fontSize="inherit" />
                </span>
              </Tooltip>
            ) : (
              verdict
            )}
            {display.scan && <OverallStatus state={display.scan} />}
          </span>
        );
      },
    },
    { title: 'Trails', field: 'trailCount', type: 'numeric' },
    {
      title: 'Worst finding',
      field: 'worstFinding',
      render: row =>
        row.worstFinding ? (
          <span className={classes.worst}>
            <SeverityChip severity={row.worstFinding.severity} />
            <FindingName code={row.worstFinding.code} />
          </span>
        ) : (
          '—'
        ),
    },
    {
      title: 'Last scan',
      field: 'scannedAt',
      render: row => <RelativeTime iso={row.scannedAt} />,
    },
    {
      title: 'Scan problem',
      field: 'error',
      render: row => <ScanProblem row={row} />,
    },
  ];
}
