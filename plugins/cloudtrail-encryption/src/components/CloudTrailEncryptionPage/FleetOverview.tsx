import {
  EmptyState,
  InfoCard,
  ResponseErrorPanel,
  Table,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  ACCOUNT_STATUSES,
  FINDING_CODES,
  type AccountStatus,
  type AccountSummary,
  type FindingCode,
  SCAN_RUNS_SIGNAL_CHANNEL,
  type ScanRunSignal,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { useCallback, useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useSignal } from '@backstage/plugin-signals-react';
import useDebounce from 'react-use/esm/useDebounce';
import { cloudtrailEncryptionApiRef } from '../../api';
import { findingOptionLabel } from '../shared/findings';
import { ACCOUNT_STATUS_LABELS } from '../shared/status';
import { ScanTrend, StatusBars } from './ComplianceCharts';
import { EstateBanner } from './EstateBanner';
import { ExportButtons, ScanAllButton } from './FleetActions';
import { sortKeyOf, useColumns } from './FleetColumns';
import { filtersOf, PAGE_SIZES, useFleetSearch } from './useFleetSearch';

const TREND_RUNS = 50;

const useStyles = makeStyles(theme => ({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  filter: { minWidth: 200 },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginLeft: 'auto',
  },
  // Narrow windows scroll the table sideways instead of squeezing columns
  // until codes and titles break inside words.
  table: {
    '& table': { minWidth: 1100 },
    '& td, & th': { overflowWrap: 'normal', wordBreak: 'normal' },
  },
}));

/** Filters, charts and the paginated account table of the fleet page. */
export function FleetOverview() {
  const classes = useStyles();
  const api = useApi(cloudtrailEncryptionApiRef);
  const [search, update] = useFleetSearch();
  const { page, pageSize, status, finding, q, outsideReaders } = search;
  const columns = useColumns(search);
  const [text, setText] = useState(q);
  const [reloads, setReloads] = useState(0);
  const reload = useCallback(() => setReloads(n => n + 1), []);
  // Where the app has signals, a scan run that ends (scheduled, another
  // user's, a remediation's rescan) refreshes the worklist and the trend.
  const { lastSignal } = useSignal<ScanRunSignal>(SCAN_RUNS_SIGNAL_CHANNEL);
  const finishedRun =
    lastSignal?.type === 'run-finished' ? lastSignal.runId : undefined;
  useEffect(() => {
    if (finishedRun) reload();
  }, [finishedRun, reload]);
  useDebounce(
    () => {
      const next = text.trim();
      // The debounce also fires on mount; only a new search leaves the page.
      if (next !== q) update({ q: next, page: 0 });
    },
    300,
    [text],
  );

  const filters = filtersOf(search);
  const accounts = useAsync(
    () => api.listAccounts({ page: page + 1, pageSize, ...filters }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [
      api,
      page,
      pageSize,
      status,
      finding,
      q,
      outsideReaders,
      search.sort,
      search.order,
      reloads,
    ],
  );
  const runs = useAsync(
    () => api.listScanRuns({ limit: TREND_RUNS }),
    [api, reloads],
  );
  const estate = useAsync(() => api.getEstate(), [api]);

  const filtered = Boolean(status || finding || q || outsideReaders);
  const list = accounts.value;

  if (accounts.error && !list) {
    return (
      <>
        <EstateBanner state={estate} />
        <ResponseErrorPanel error={accounts.error} />
      </>
    );
  }
  if (list && list.totalCount === 0 && !filtered && !accounts.loading) {
    return (
      <>
        <EstateBanner state={estate} />
        <EmptyState
          missing="data"
          title="No accounts scanned yet"
          description="Once the backend has scanned the accounts of the estate, their CloudTrail encryption status is listed here."
        />
      </>
    );
  }

  return (
    <>
      <EstateBanner state={estate} />
      <Grid container spacing={3}>
        <Grid item xs={12} md={6}>
          <InfoCard title="Compliance by status">
            {list ? (
              <StatusBars counts={list.countsByStatus} />
            ) : (
              <Typography variant="body2" color="textSecondary">
                Loading…
              </Typography>
            )}
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={6}>
          <InfoCard title="Compliant share over time">
            {runs.error && (
              <Typography variant="body2" color="error">
                Could not load the scan history: {runs.error.message}
              </Typography>
            )}
            {runs.value && <ScanTrend runs={runs.value.items} />}
          </InfoCard>
        </Grid>
        <Grid item xs={12}>
          <div className={classes.filters}>
            <TextField
              select
              id="cloudtrail-encryption-status-filter"
              label="Status"
              variant="outlined"
              size="small"
              className={classes.filter}
              value={status}
              SelectProps={{ native: true }}
              InputLabelProps={{ shrink: true }}
              onChange={event =>
                update({
                  status: event.target.value as AccountStatus | '',
                  page: 0,
                })
              }
            >
              <option value="">All statuses</option>
              {ACCOUNT_STATUSES.map(s => (
                <option key={s} value={s}>
                  {ACCOUNT_STATUS_LABELS[s]}
                </option>
              ))}
            </TextField>
            <TextField
              select
              id="cloudtrail-encryption-finding-filter"
              label="Finding"
              variant="outlined"
              size="small"
              className={classes.filter}
              value={finding}
              SelectProps={{ native: true }}
              InputLabelProps={{ shrink: true }}
              onChange={event =>
                update({
                  finding: event.target.value as FindingCode | '',
                  page: 0,
                })
              }
            >
              <option value="">Any finding</option>
              {FINDING_CODES.map(code => (
                <option key={code} value={code}>
                  {findingOptionLabel(code)}
                </option>
              ))}
            </TextField>
            <TextField
              id="cloudtrail-encryption-search"
              label="Search"
              placeholder="Account id or name"
              variant="outlined"
              size="small"
              className={classes.filter}
              value={text}
              InputLabelProps={{ shrink: true }}
              onChange={event => setText(event.target.value)}
            />
            <FormControlLabel
              control={
                <Checkbox
                  id="cloudtrail-encryption-outside-readers-filter"
                  size="small"
                  checked={outsideReaders}
                  onChange={event =>
                    update({ outsideReaders: event.target.checked, page: 0 })
                  }
                />
              }
              label="Readers outside the organization"
            />
            <div className={classes.actions}>
              <ScanAllButton onFinished={reload} />
              <ExportButtons filters={filters} />
            </div>
          </div>
          {accounts.error && <ResponseErrorPanel error={accounts.error} />}
          <div className={classes.table} data-testid="fleet-table">
            <Table<AccountSummary>
              title="AWS accounts"
              columns={columns}
              data={list?.items ?? []}
              isLoading={accounts.loading}
              page={page}
              totalCount={list?.totalCount ?? 0}
              onPageChange={(nextPage, nextSize) =>
                update({
                  page: nextSize === pageSize ? nextPage : 0,
                  pageSize: nextSize,
                })
              }
              onOrderChange={(orderBy, direction) => {
                const sort =
                  orderBy >= 0 && direction
                    ? sortKeyOf(columns[orderBy])
                    : undefined;
                // A newly chosen column starts ascending, whatever order
                // the table carries over from the previous column.
                const order =
                  sort && sort !== search.sort ? 'asc' : direction || 'asc';
                update({ sort, order, page: 0 });
              }}
              options={{
                paging: true,
                pageSize,
                pageSizeOptions: PAGE_SIZES,
                emptyRowsWhenPaging: false,
                search: false,
                sorting: true,
                thirdSortClick: false,
                padding: 'dense',
              }}
              emptyContent={
                <Typography variant="body2" style={{ padding: 16 }}>
                  No accounts match these filters.
                </Typography>
              }
            />
          </div>
        </Grid>
      </Grid>
    </>
  );
}
