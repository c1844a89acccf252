import type { TableColumn } from '@backstage/core-components';
import { EntityRefLink, EntityRefLinks } from '@backstage/plugin-catalog-react';
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
import type { AccountSortKey } from '../../api';
import type { FleetSearch } from './useFleetSearch';

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
  nowrap: { whiteSpace: 'nowrap' },
  regions: { display: 'flex', flexDirection: 'column', whiteSpace: 'nowrap' },
  mismatch: { color: theme.palette.warning.dark, fontWeight: 500 },
  readers: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-end',
    whiteSpace: 'nowrap',
  },
  outside: { color: theme.palette.error.main, fontWeight: 500 },
}));

/** The account's readers, and how many of them someone outside the organization is or may become. */
function Readers(props: { row: AccountSummary }) {
  const classes = useStyles();
  const { readersCount, outsideReadersCount } = props.row;
  return (
    <span className={classes.readers}>
      <span data-testid="readers-count">{readersCount ?? '—'}</span>
      {outsideReadersCount !== undefined && outsideReadersCount > 0 && (
        <Typography
          variant="caption"
          component="span"
          className={classes.outside}
          data-testid="outside-readers-count"
        >
          {outsideReadersCount} outside org
        </Typography>
      )}
    </span>
  );
}

function TrailRegions(props: { row: AccountSummary }) {
  const classes = useStyles();
  const keys = props.row.keyRegions ?? [];
  const buckets = props.row.bucketRegions ?? [];
  if (!keys.length && !buckets.length) return <>—</>;
  // A key must be in its bucket's Region for CloudTrail to use it.
  const mismatch =
    keys.length > 0 && keys.some(region => !buckets.includes(region));
  return (
    <span
      className={`${classes.regions} ${mismatch ? classes.mismatch : ''}`}
      data-testid="trail-regions"
      title={
        mismatch ? 'A KMS key is not in its log bucket’s Region' : undefined
      }
    >
      <Typography variant="body2" component="span" color="inherit">
        Key: {keys.join(', ') || '—'}
      </Typography>
      <Typography variant="body2" component="span" color="inherit">
        Bucket: {buckets.join(', ') || '—'}
      </Typography>
    </span>
  );
}

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

/** What each sortable column asks the server to sort on. */
const SORT_BY_FIELD: Record<string, AccountSortKey> = {
  accountName: 'name',
  status: 'status',
  worstFinding: 'worstSeverity',
  trailCount: 'trailCount',
  readersCount: 'readersCount',
  scannedAt: 'scannedAt',
};

export function sortKeyOf(
  column: TableColumn<AccountSummary> | undefined,
): AccountSortKey | undefined {
  return typeof column?.field === 'string'
    ? SORT_BY_FIELD[column.field]
    : undefined;
}

/**
 * The rows arrive sorted by the server; a comparator that calls every pair
 * equal keeps that order where the table would otherwise sort the page.
 */
const serverSorted = () => 0;

export function useColumns(
  sort: Pick<FleetSearch, 'sort' | 'order'> = { order: 'asc' },
): TableColumn<AccountSummary>[] {
  const classes = useStyles();
  const columns: TableColumn<AccountSummary>[] = [
    {
      title: 'Account',
      field: 'accountName',
      width: '200px',
      render: row => {
        const name = row.accountName ?? row.accountId;
        return (
          <>
            <Typography variant="body2" className={classes.nowrap}>
              {row.entityRef ? (
                <EntityRefLink entityRef={row.entityRef} title={name}>
                  {name}
                </EntityRefLink>
              ) : (
                name
              )}
            </Typography>
            <Typography
              variant="caption"
              color="textSecondary"
              className={classes.nowrap}
            >
              {row.accountId}
              {membershipOf(row) ? ` · ${membershipOf(row)}` : ''}
            </Typography>
          </>
        );
      },
    },
    {
      title: 'Owner',
      field: 'ownerRefs',
      sorting: false,
      width: '160px',
      render: row =>
        row.ownerRefs?.length ? (
          <EntityRefLinks entityRefs={row.ownerRefs} defaultKind="group" />
        ) : (
          '—'
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
    {
      title: 'Worst finding',
      field: 'worstFinding',
      width: '300px',
      render: row =>
        row.worstFinding ? (
          <span
            className={classes.worst}
            data-testid="worst-finding"
            data-finding-code={row.worstFinding.code}
          >
            <SeverityChip severity={row.worstFinding.severity} />
            <FindingName code={row.worstFinding.code} />
          </span>
        ) : (
          '—'
        ),
    },
    { title: 'Trails', field: 'trailCount', type: 'numeric', width: '80px' },
    {
      title: (
        <Tooltip title="Roles and users that can read the trails' log files (for an account scanned before reader analysis: the principals its key policies let decrypt); in red, the readers outside the organization or assumable from outside it">
          <span>Readers</span>
        </Tooltip>
      ),
      field: 'readersCount',
      type: 'numeric',
      width: '90px',
      render: row => <Readers row={row} />,
    },
    {
      title: 'Key / bucket Region',
      field: 'keyRegions',
      sorting: false,
      width: '170px',
      render: row => <TrailRegions row={row} />,
    },
    {
      title: 'Last scan',
      field: 'scannedAt',
      width: '120px',
      render: row => (
        <span className={classes.nowrap}>
          <RelativeTime iso={row.scannedAt} />
        </span>
      ),
    },
    {
      title: 'Scan problem',
      field: 'error',
      sorting: false,
      width: '200px',
      render: row => <ScanProblem row={row} />,
    },
  ];
  return columns.map(column => {
    const key = sortKeyOf(column);
    if (!key) return { ...column, sorting: false };
    return {
      ...column,
      customSort: serverSorted,
      defaultSort: sort.sort === key ? sort.order : undefined,
    };
  });
}
