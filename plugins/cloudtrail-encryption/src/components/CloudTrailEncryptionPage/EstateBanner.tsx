import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import type { EstateSummary } from '@trailguard/plugin-cloudtrail-encryption-common';
import type { AsyncState } from 'react-use/esm/useAsyncFn';
import { RelativeTime } from '../shared/time';

const useStyles = makeStyles(theme => ({
  banner: { marginBottom: theme.spacing(2) },
  detail: { wordBreak: 'break-word' },
}));

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** "AWS Organization o-… (45 accounts, 2 suspended)" or "explicit account list (3 accounts)". */
export function describeEstate(estate: EstateSummary): string {
  if (estate.mode === 'accounts') {
    return `explicit account list (${plural(estate.accountCount, 'account')})`;
  }
  const counts = [plural(estate.accountCount, 'account')];
  if (estate.suspendedCount > 0) {
    counts.push(`${estate.suspendedCount} suspended`);
  }
  return `AWS Organization ${
    estate.organizationId ?? '(id unknown)'
  } (${counts.join(', ')})`;
}

function EstateLine(props: { estate: EstateSummary }) {
  const classes = useStyles();
  const { estate } = props;
  const trusted = estate.trustedAccountIds.length;
  return (
    <>
      <Typography variant="body2" data-testid="cloudtrail-encryption-estate">
        <strong>Estate:</strong> {describeEstate(estate)}
        {estate.readAt && (
          <>
            {' '}
            read <RelativeTime iso={estate.readAt} />
          </>
        )}
        {estate.mode === 'organization' && estate.managementAccountId && (
          <>, through account {estate.managementAccountId}</>
        )}
        {trusted > 0 && (
          <>
            ; {plural(trusted, 'account')} outside it trusted for decryption (
            {estate.trustedAccountIds.join(', ')})
          </>
        )}
      </Typography>
      <Typography variant="caption" color="textSecondary">
        {estate.mode === 'organization'
          ? 'TrailGuard scans the accounts of the AWS Organization plus the configured ones; catalog annotations do not add accounts.'
          : 'TrailGuard scans only the configured accounts; catalog annotations do not add accounts.'}
      </Typography>
      {estate.error && (
        <Typography
          variant="body2"
          color="error"
          className={classes.detail}
          data-testid="cloudtrail-encryption-estate-error"
        >
          The last read of the organization failed: {estate.error}. The accounts
          from the previous read are still used.
        </Typography>
      )}
    </>
  );
}

/**
 * Makes the estate choice visible, so nobody reads "45 accounts" without
 * knowing which 45. A failure to load it must not hide the fleet itself.
 */
export function EstateBanner(props: { state: AsyncState<EstateSummary> }) {
  const classes = useStyles();
  const estate = props.state;
  if (estate.error) {
    return (
      <Alert severity="warning" className={classes.banner}>
        Could not load how the scanned estate is defined: {estate.error.message}
      </Alert>
    );
  }
  if (!estate.value) return null;
  return (
    <Alert
      severity={estate.value.error ? 'warning' : 'info'}
      className={classes.banner}
    >
      <EstateLine estate={estate.value} />
    </Alert>
  );
}
