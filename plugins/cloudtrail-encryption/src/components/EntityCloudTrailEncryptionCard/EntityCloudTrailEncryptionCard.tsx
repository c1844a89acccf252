import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  getCompoundEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  accountSignalChannel,
  AWS_ACCOUNT_ID_ANNOTATION,
  getAwsAccountIdFromAnnotations,
  isAssumeRoleFailure,
  ROADIE_AWS_ACCOUNT_ID_ANNOTATION,
  type AccountReport,
  type AccountSignal,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { useEffect, useState, type ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useSignal } from '@backstage/plugin-signals-react';

import { cloudtrailEncryptionApiRef, isNotInEstateError } from '../../api';
import { isCloudTrailEncryptionAvailable } from '../../conditions';
import { DEFAULT_REMEDIATION_TEMPLATE } from '../../routes';
import { compliantDespiteFindings } from '../shared/complianceHint';
import {
  OverallStatusChip,
  overallStateOf,
  statusDisplayOf,
} from '../shared/status';
import { RelativeTime } from '../shared/time';
import {
  MembershipText,
  NotInEstate,
  PartialScanNotice,
  SuspendedNotice,
} from './EstateNotices';
import { FindingList } from './FindingList';
import { type RemediationTemplate } from './remediation';
import { RescanButton, RescanFeedback } from './RescanButton';
import { RoleNotAssumable } from './RoleNotAssumable';
import { TrailList } from './TrailList';
import { useRescan, type RescanState } from './useRescan';

const DEFAULT_TITLE = 'CloudTrail encryption';

/** @public */
export interface EntityCloudTrailEncryptionCardProps {
  /** Card title; defaults to "CloudTrail encryption". */
  title?: string;
  /** The Scaffolder template Remediate opens; defaults to `default/cloudtrail-sse-kms`. */
  remediationTemplate?: Partial<RemediationTemplate>;
}

const useStyles = makeStyles(theme => ({
  summary: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(1),
  },
  alert: { marginBottom: theme.spacing(1) },
  section: { marginTop: theme.spacing(2) },
}));

function RescanError(props: { rescan: RescanState }) {
  return <RescanFeedback rescan={props.rescan} />;
}

function ReportView(props: {
  report: AccountReport;
  entity: Entity;
  template: RemediationTemplate;
  rescan: RescanState;
}) {
  const classes = useStyles();
  const { report, entity, template, rescan } = props;
  const state = overallStateOf(report);
  const display = statusDisplayOf(report);
  const hint = compliantDespiteFindings(
    display.verdict,
    report.findings.map(finding => finding.severity),
  );
  const suspended = state === 'suspended';
  return (
    <>
      <div className={classes.summary}>
        <OverallStatusChip state={display.verdict} title={hint} />
        {display.scan && <OverallStatusChip state={display.scan} />}
        {!suspended && (
          <Typography variant="body2" color="textSecondary">
            Last scanned <RelativeTime iso={report.scannedAt} />
          </Typography>
        )}
      </div>
      {hint && (
        <Typography
          variant="body2"
          color="textSecondary"
          className={classes.alert}
          data-testid="cloudtrail-encryption-compliant-hint"
        >
          {hint}
        </Typography>
      )}
      {report.membership && (
        <Typography
          variant="body2"
          color="textSecondary"
          className={classes.alert}
        >
          Estate: <MembershipText membership={report.membership} />
        </Typography>
      )}
      <RescanError rescan={rescan} />
      {suspended && <SuspendedNotice report={report} />}
      {!suspended && report.scanStatus === 'partial' && (
        <PartialScanNotice report={report} />
      )}
      {!suspended &&
        report.scanStatus === 'error' &&
        isAssumeRoleFailure(report.error) && (
          <RoleNotAssumable report={report} />
        )}
      {!suspended &&
        report.scanStatus === 'error' &&
        !isAssumeRoleFailure(report.error) && (
          <Alert severity="warning" className={classes.alert}>
            The last scan failed: {report.error ?? 'unknown error'}.{' '}
            {report.lastSuccessAt ? (
              <>
                The trails shown are from the last successful scan,{' '}
                <RelativeTime iso={report.lastSuccessAt} />.
              </>
            ) : (
              'The account has never been scanned successfully.'
            )}
          </Alert>
        )}
      {report.scanStatus === 'pending' && state === 'not-scanned' && (
        <Alert severity="info" className={classes.alert}>
          The first scan of this account has not finished yet.
        </Alert>
      )}
      {report.trails.length === 0 && state === 'no-trails' && (
        <div className={classes.summary}>
          <Typography variant="body2">
            No CloudTrail trail records this account's activity.
          </Typography>
          {/* The remediation actions change existing trails; creating one is a
              choice of bucket and scope they do not make. */}
          <Typography variant="body2" color="textSecondary">
            Not fixable here: Remediate changes existing trails. Create a
            multi-Region trail with SSE-KMS in account {report.accountId} (
            <code>
              aws cloudtrail create-trail --name management-events
              --is-multi-region-trail --s3-bucket-name &lt;bucket&gt;
              --kms-key-id &lt;key-arn&gt;
            </code>
            , then <code>aws cloudtrail start-logging</code>), or include the
            account in the organization trail; then rescan.
          </Typography>
        </div>
      )}
      <TrailList
        trails={report.trails}
        entity={entity}
        accountId={report.accountId}
        // Nothing can be changed in a suspended account.
        template={suspended ? undefined : template}
      />
      {(report.trails.length > 0 || report.findings.length > 0) && (
        <section className={classes.section}>
          <Typography variant="subtitle2" component="h3" gutterBottom>
            Findings
          </Typography>
          <FindingList findings={report.findings} report={report} />
        </section>
      )}
    </>
  );
}

function ReportCard(props: {
  entity: Entity;
  accountId: string;
  template: RemediationTemplate;
  title: string;
}) {
  const { entity, accountId, template, title } = props;
  const api = useApi(cloudtrailEncryptionApiRef);
  const entityRef = stringifyEntityRef(entity);
  const [rescanned, setRescanned] = useState<AccountReport>();
  // A report stored by anyone (a remediation's rescan, the schedule, another
  // user) is fetched again at once where the app has signals; the message
  // carries no report data, so the read goes through the API's checks.
  const { lastSignal } = useSignal<AccountSignal>(
    accountSignalChannel(accountId),
  );
  const storedAt =
    lastSignal?.type === 'report-stored' ? lastSignal.scannedAt : undefined;
  useEffect(() => {
    if (storedAt) setRescanned(undefined);
  }, [storedAt]);
  const { value, loading, error } = useAsync(
    () => api.getEntityReport(getCompoundEntityRef(entity)),
    // The ref string, not the entity object, so catalog refreshes of the same
    // entity do not refetch.
    [api, entityRef, storedAt],
  );
  const report = rescanned ?? value;
  const rescan = useRescan(
    report?.accountId ?? accountId,
    setRescanned,
    report,
  );

  const notInEstate = !report && isNotInEstateError(error);

  let content: ReactNode;
  if (report) {
    content = (
      <ReportView
        report={report}
        entity={entity}
        template={template}
        rescan={rescan}
      />
    );
  } else if (loading || rescan.running) {
    content = <Progress />;
  } else if (isNotInEstateError(error)) {
    content = <NotInEstate accountId={accountId} error={error} />;
  } else if (ResponseError.is(error) && error.statusCode === 404) {
    // The entity carries the annotation (checked by the caller), so a 404
    // means the backend has no report for the account yet.
    content = (
      <>
        <RescanError rescan={rescan} />
        <EmptyState
          missing="data"
          title="Not scanned yet"
          description={`AWS account ${accountId} has not been scanned yet. Its CloudTrail encryption report appears after the next scheduled scan${
            rescan.allowed ? ', or scan it now with Rescan' : ''
          }.`}
        />
      </>
    );
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
  }

  const accountName = report?.accountName;
  return (
    <InfoCard
      title={title}
      subheader={`AWS account ${accountId}${
        accountName ? ` (${accountName})` : ''
      }`}
      action={
        (loading && !report) || notInEstate ? undefined : (
          <RescanButton state={rescan} />
        )
      }
    >
      {content}
    </InfoCard>
  );
}

function InvalidAnnotation(props: { entity: Entity }) {
  const annotations = props.entity.metadata.annotations ?? {};
  const key = annotations[AWS_ACCOUNT_ID_ANNOTATION]
    ? AWS_ACCOUNT_ID_ANNOTATION
    : ROADIE_AWS_ACCOUNT_ID_ANNOTATION;
  return (
    <WarningPanel
      title="Invalid AWS account id"
      message={`The annotation ${key} is "${annotations[key]}", which is not a 12-digit AWS account id.`}
    />
  );
}

/**
 * CloudTrail encryption of the AWS account annotated on the current entity.
 *
 * @public
 */
export function EntityCloudTrailEncryptionCard(
  props: EntityCloudTrailEncryptionCardProps,
) {
  const { entity } = useEntity();
  const title = props.title ?? DEFAULT_TITLE;
  const template: RemediationTemplate = {
    namespace:
      props.remediationTemplate?.namespace ??
      DEFAULT_REMEDIATION_TEMPLATE.namespace,
    name: props.remediationTemplate?.name ?? DEFAULT_REMEDIATION_TEMPLATE.name,
  };
  const accountId = getAwsAccountIdFromAnnotations(entity.metadata.annotations);

  let body: ReactNode;
  if (!isCloudTrailEncryptionAvailable(entity)) {
    body = (
      <InfoCard title={title}>
        <MissingAnnotationEmptyState annotation={AWS_ACCOUNT_ID_ANNOTATION} />
      </InfoCard>
    );
  } else if (!accountId) {
    body = (
      <InfoCard title={title}>
        <InvalidAnnotation entity={entity} />
      </InfoCard>
    );
  } else {
    body = (
      <ReportCard
        // A rescanned report belongs to one entity; start afresh on another.
        key={stringifyEntityRef(entity)}
        entity={entity}
        accountId={accountId}
        template={template}
        title={title}
      />
    );
  }
  return <div data-testid="cloudtrail-encryption-card">{body}</div>;
}
