import { EmptyState } from '@backstage/core-components';
import type { ResponseError } from '@backstage/errors';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import type {
  AccountMembership,
  AccountReport,
  EstateAccountState,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { OVERALL_STATE_LABELS } from '../shared/status';
import { RelativeTime } from '../shared/time';

const useStyles = makeStyles(theme => ({
  alert: { marginBottom: theme.spacing(1) },
  regions: { margin: theme.spacing(0.5, 0, 0), paddingLeft: theme.spacing(2) },
  region: { wordBreak: 'break-word' },
  detail: { marginTop: theme.spacing(1), wordBreak: 'break-word' },
}));

const STATE_WORDS: Record<EstateAccountState, string> = {
  ACTIVE: 'active',
  SUSPENDED: 'suspended',
  PENDING_CLOSURE: 'pending closure',
  CLOSED: 'closed',
};

/**
 * The account is deliberately not scanned: the estate, not the catalog,
 * decides what TrailGuard reads. Said calmly, with no Rescan or Remediate,
 * since neither could do anything for it.
 */
export function NotInEstate(props: {
  accountId: string;
  error: ResponseError;
}) {
  const classes = useStyles();
  const { accountId, error } = props;
  return (
    <div data-testid="cloudtrail-encryption-not-in-estate">
      <EmptyState
        missing="info"
        title="Not in the scanned estate"
        description={`AWS account ${accountId} is not one of the accounts TrailGuard scans. TrailGuard scans the accounts of the AWS Organization plus the accounts configured for it; a catalog annotation does not add an account to the estate. To have it scanned, ask your Backstage administrators to add it to the configured accounts.`}
      />
      {error.cause.message && (
        <Typography
          variant="caption"
          color="textSecondary"
          component="p"
          className={classes.detail}
        >
          {error.cause.message}
        </Typography>
      )}
    </div>
  );
}

/** Where the account sits in the estate: its organization and OU, or "configured". */
export function MembershipText(props: { membership: AccountMembership }) {
  const { membership } = props;
  if (membership.source === 'configured') {
    return (
      <span data-testid="cloudtrail-encryption-membership">
        Configured account (not read from AWS Organizations)
      </span>
    );
  }
  const parts = [
    `Organization ${membership.organizationId ?? '(id unknown)'}`,
    membership.ouPath,
  ].filter(Boolean);
  return (
    <span data-testid="cloudtrail-encryption-membership">
      {parts.join(' · ')}
    </span>
  );
}

/** Suspended or closing accounts are listed by AWS Organizations, never scanned. */
export function SuspendedNotice(props: { report: AccountReport }) {
  const classes = useStyles();
  const { report } = props;
  const state = report.membership?.state ?? 'SUSPENDED';
  return (
    <Alert severity="info" className={classes.alert}>
      <AlertTitle>{OVERALL_STATE_LABELS.suspended}</AlertTitle>
      AWS Organizations lists this account as {STATE_WORDS[state]}, and
      TrailGuard does not scan accounts that are not active.
      {report.trails.length > 0 && report.lastSuccessAt && (
        <>
          {' '}
          The trails shown are from its last scan,{' '}
          <RelativeTime iso={report.lastSuccessAt} />, and may be out of date.
        </>
      )}
      {report.error && (
        <Typography variant="body2" className={classes.detail}>
          {report.error}
        </Typography>
      )}
    </Alert>
  );
}

/** Some Regions (or trails) could not be read; what was read is still shown. */
export function PartialScanNotice(props: { report: AccountReport }) {
  const classes = useStyles();
  const { report } = props;
  const regions = report.failedRegions ?? [];
  const failedTrails = report.trails.filter(trail => trail.error).length;
  return (
    <Alert
      severity="warning"
      className={classes.alert}
      data-testid="cloudtrail-encryption-partial-scan"
    >
      <AlertTitle>{OVERALL_STATE_LABELS['scan-partial']}</AlertTitle>
      {regions.length > 0 && (
        <>
          {regions.length === 1
            ? 'One Region could not be read'
            : `${regions.length} Regions could not be read`}
          ; trails and keys there are missing from this report:
          <ul className={classes.regions} aria-label="Failed Regions">
            {regions.map(failure => (
              <li key={failure.region} className={classes.region}>
                <strong>{failure.region}</strong>: {failure.reason}
              </li>
            ))}
          </ul>
        </>
      )}
      {regions.length === 0 && report.error && <>{report.error}. </>}
      {failedTrails > 0 && (
        <Typography variant="body2" className={classes.detail}>
          {failedTrails === 1
            ? 'One trail could not be described.'
            : `${failedTrails} trails could not be described.`}{' '}
          The other trails below were read in full.
        </Typography>
      )}
    </Alert>
  );
}
