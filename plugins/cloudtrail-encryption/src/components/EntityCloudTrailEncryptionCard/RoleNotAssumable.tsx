import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Link from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import {
  consoleLinks,
  EXTERNAL_ID_PLACEHOLDER,
  scanRoleOf,
  scanRoleTrustPolicy,
  type AccountReport,
  type ScanAccess,
  type ScanRole,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import useAsync from 'react-use/esm/useAsync';
import { cloudtrailEncryptionApiRef } from '../../api';
import { DocsPageLink } from '../shared/findings';
import { RelativeTime } from '../shared/time';
import { CopyableCode } from './RemediationStepList';

const useStyles = makeStyles(theme => ({
  alert: {
    marginBottom: theme.spacing(1),
    '& .MuiAlert-message': { minWidth: 0, flex: 1 },
  },
  arn: {
    fontFamily: 'monospace',
    overflowWrap: 'anywhere',
  },
  paragraph: { marginTop: theme.spacing(1), overflowWrap: 'anywhere' },
  details: {
    marginTop: theme.spacing(1),
    '& summary': { cursor: 'pointer' },
  },
  raw: {
    marginTop: theme.spacing(0.5),
    overflowWrap: 'anywhere',
    fontFamily: 'monospace',
    fontSize: '0.8rem',
  },
}));

/** The role ARN the failed AssumeRole names, when the scan role is not known. */
function roleArnFromError(error: string | undefined): string | undefined {
  return error?.match(/on resource: (arn:[\w-]+:iam::\d{12}:role\/\S+)/)?.[1];
}

function RoleArn(props: { arn: string }) {
  const classes = useStyles();
  const url = consoleLinks.role(props.arn);
  return (
    <span className={classes.arn} data-testid="scan-role-arn">
      {url ? (
        <Link href={url} target="_blank" rel="noopener noreferrer">
          {props.arn}
        </Link>
      ) : (
        props.arn
      )}
    </span>
  );
}

function TrustPolicy(props: {
  access: ScanAccess;
  role: ScanRole;
  organizationId?: string;
}) {
  const classes = useStyles();
  const { access, role, organizationId } = props;
  if (!access.trustPrincipalArn) {
    return (
      <Typography variant="body2" className={classes.paragraph}>
        TrailGuard could not learn its own AWS identity
        {access.identityError ? ` (${access.identityError})` : ''}, so the trust
        policy cannot be written out here: it must allow the Backstage backend's
        identity (aws.mainAccount) sts:AssumeRole.
      </Typography>
    );
  }
  return (
    <>
      <Typography variant="body2" className={classes.paragraph}>
        Deploy role <RoleArn arn={role.roleArn} /> with this trust policy, which
        lets only TrailGuard's scanning identity{' '}
        <span className={classes.arn}>{access.trustPrincipalArn}</span> assume
        it:
      </Typography>
      <CopyableCode
        language="json"
        label="Trust policy of the scan role"
        text={JSON.stringify(
          scanRoleTrustPolicy({
            trustPrincipalArn: access.trustPrincipalArn,
            externalIdRequired: role.externalIdRequired,
          }),
          null,
          2,
        )}
      />
      {role.externalIdRequired && (
        <Typography variant="body2" className={classes.paragraph}>
          Replace {EXTERNAL_ID_PLACEHOLDER} with the external id TrailGuard is
          configured with (aws.accountDefaults.externalId, or this account's
          entry in aws.accounts); it is not shown here.
        </Typography>
      )}
      {organizationId && (
        <Typography
          variant="body2"
          className={classes.paragraph}
          data-testid="scan-role-org-note"
        >
          The account is in organization {organizationId}. When the scanning
          identity belongs to it too, you can add{' '}
          <code>"aws:PrincipalOrgID": "{organizationId}"</code> to the trust
          policy's StringEquals condition, so that no identity outside the
          organization can assume the role; an SCP on the scanning account can
          likewise limit sts:AssumeRole to roles whose aws:ResourceOrgID is{' '}
          {organizationId}.
        </Typography>
      )}
    </>
  );
}

/**
 * The scan could not assume its role in the account: what to deploy (the
 * role, its trust policy for the backend's own identity, its permissions),
 * with the raw STS error tucked away under "Details".
 */
export function RoleNotAssumable(props: { report: AccountReport }) {
  const classes = useStyles();
  const { report } = props;
  const api = useApi(cloudtrailEncryptionApiRef);
  const estate = useAsync(() => api.getEstate(), [api]);
  const access = estate.value?.scanAccess;
  const role: ScanRole | undefined = access
    ? scanRoleOf(access, report.accountId)
    : undefined;
  const fallbackArn = roleArnFromError(report.error);
  const organizationId =
    report.membership?.organizationId ?? estate.value?.organizationId;

  let body;
  if (estate.loading) {
    body = <Progress />;
  } else if (access && role) {
    body = (
      <TrustPolicy
        access={access}
        role={role}
        organizationId={organizationId}
      />
    );
  } else if (access && !role) {
    body = (
      <Typography variant="body2" className={classes.paragraph}>
        TrailGuard reaches this account with credentials configured for it (its
        aws.accounts entry), not through a role, and they were refused: check
        them.
      </Typography>
    );
  } else {
    body = (
      <Typography variant="body2" className={classes.paragraph}>
        Deploy the scan role
        {fallbackArn ? (
          <>
            {' '}
            <RoleArn arn={fallbackArn} />
          </>
        ) : (
          ''
        )}{' '}
        with a trust policy that lets the Backstage backend's identity assume
        it.
      </Typography>
    );
  }

  return (
    <Alert
      severity="warning"
      className={classes.alert}
      data-testid="cloudtrail-encryption-role-not-assumable"
    >
      <AlertTitle>TrailGuard cannot assume its scan role here</AlertTitle>
      <Typography variant="body2">
        The last scan could not get into account {report.accountId}.{' '}
        {report.lastSuccessAt ? (
          <>
            The trails shown are from the last successful scan,{' '}
            <RelativeTime iso={report.lastSuccessAt} />.
          </>
        ) : (
          'The account has never been scanned successfully.'
        )}
      </Typography>
      {body}
      <Typography variant="body2" className={classes.paragraph}>
        Give the role the read-only scan permissions in{' '}
        <DocsPageLink
          page="iam-policies.md"
          anchor="scan-role-trailguardreadonly"
        >
          IAM policies
        </DocsPageLink>
        , then rescan.
      </Typography>
      {report.error && (
        <details className={classes.details}>
          <summary>
            <Typography variant="body2" component="span">
              Details
            </Typography>
          </summary>
          <Typography
            variant="body2"
            className={classes.raw}
            data-testid="scan-error-details"
          >
            {report.error}
          </Typography>
        </details>
      )}
    </Alert>
  );
}
