import type { Entity } from '@backstage/catalog-model';
import Chip from '@material-ui/core/Chip';
import Link from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  consoleLinks,
  partitionOf,
  partitionOfRegion,
  type KmsKeyInfo,
  type TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { ReactNode } from 'react';
import { RelativeTime } from '../shared/time';
import { EncryptionChip } from './EncryptionChip';
import { kmsKeyId, kmsKeyLabel } from './describe';
import { TrailReaders } from './TrailReaders';
import {
  needsRemediation,
  TrailRemediation,
  type RemediationTemplate,
} from './remediation';

const useStyles = makeStyles(theme => ({
  trail: {
    padding: theme.spacing(1.5, 0),
    '&:not(:last-child)': {
      borderBottom: `1px solid ${theme.palette.divider}`,
    },
  },
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    marginBottom: theme.spacing(1),
  },
  name: {
    fontWeight: theme.typography.fontWeightBold as number,
    marginRight: theme.spacing(0.5),
    wordBreak: 'break-all',
  },
  spacer: { flex: 1 },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: 0,
    '& dt': { color: theme.palette.text.secondary },
    '& dd': { margin: 0, wordBreak: 'break-word' },
  },
  bad: { color: theme.palette.error.main },
  undescribed: {
    backgroundColor: theme.palette.grey[300],
    color: theme.palette.getContrastText(theme.palette.grey[300]),
  },
  mismatch: { margin: theme.spacing(1, 0) },
  links: {
    display: 'flex',
    flexWrap: 'wrap',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
  },
}));

/**
 * The key's console page (it opens on the key policy), in the key's own
 * partition; a key known by alias is linked through its id.
 */
function keyConsoleUrl(key: KmsKeyInfo): string | undefined {
  const direct = consoleLinks.key(key.arn);
  if (direct) return direct;
  const id = kmsKeyId(key);
  if (!id || !key.region || !key.accountId) return undefined;
  const partition = partitionOf(key.arn) ?? partitionOfRegion(key.region);
  return consoleLinks.key(
    `arn:${partition}:kms:${key.region}:${key.accountId}:key/${id}`,
  );
}

function ConsoleLink(props: { href?: string; label: string; what: string }) {
  if (!props.href) return null;
  return (
    <Link
      href={props.href}
      target="_blank"
      rel="noopener noreferrer"
      aria-label={`${props.label}: ${props.what} in the AWS console`}
      data-console-link={props.label.toLowerCase()}
    >
      {props.label}
    </Link>
  );
}

/** Deep links to the trail, its bucket and its key, in the trail's partition. */
function ConsoleLinks(props: { trail: TrailReport }) {
  const classes = useStyles();
  const { trail } = props;
  const partition =
    partitionOf(trail.trailArn) ?? partitionOfRegion(trail.homeRegion);
  return (
    <span className={classes.links} data-testid="trail-console-links">
      <ConsoleLink
        label="Trail"
        what={trail.name}
        href={consoleLinks.trail(trail.trailArn)}
      />
      <ConsoleLink
        label="Bucket"
        what={trail.s3BucketName}
        href={consoleLinks.bucket(
          trail.s3BucketName,
          trail.bucketRegion,
          partition,
        )}
      />
      {trail.kmsKey && (
        <ConsoleLink
          label="Key policy"
          what={kmsKeyLabel(trail.kmsKey)}
          href={keyConsoleUrl(trail.kmsKey)}
        />
      )}
    </span>
  );
}

/** ✓ / ✗ / ? with an accessible name, for facts the scan may not have settled. */
function YesNo(props: { value: boolean | undefined }) {
  const classes = useStyles();
  if (props.value === undefined) {
    return (
      <span role="img" aria-label="unknown">
        ?
      </span>
    );
  }
  return props.value ? (
    <span role="img" aria-label="yes">
      ✓
    </span>
  ) : (
    <span role="img" aria-label="no" className={classes.bad}>
      ✗
    </span>
  );
}

function Fact(props: { label: string; children: ReactNode }) {
  return (
    <>
      <Typography component="dt" variant="body2">
        {props.label}
      </Typography>
      <Typography component="dd" variant="body2">
        {props.children}
      </Typography>
    </>
  );
}

function KeyFacts(props: { keyInfo: KmsKeyInfo }) {
  const classes = useStyles();
  const { keyInfo } = props;
  const url = keyConsoleUrl(keyInfo);
  const label = kmsKeyLabel(keyInfo);
  let rotation = 'rotation unknown';
  if (keyInfo.rotationEnabled === true) rotation = 'rotation on';
  if (keyInfo.rotationEnabled === false) rotation = 'rotation off';
  return (
    <>
      {url ? (
        <Link href={url} target="_blank" rel="noopener noreferrer">
          {label}
        </Link>
      ) : (
        label
      )}{' '}
      <span className={keyInfo.state === 'Enabled' ? undefined : classes.bad}>
        ({keyInfo.state}
        {keyInfo.deletionDate ? `, deleted on ${keyInfo.deletionDate}` : ''})
      </span>
      , {rotation}
      {keyInfo.policyReadable ? '' : ', key policy unreadable'}
    </>
  );
}

/**
 * ListTrails named the trail but it could not be described: only what
 * ListTrails says is known, so no encryption verdict (and no green chip) is
 * shown, and nothing is offered to fix it.
 */
function UndescribedTrailItem(props: { trail: TrailReport }) {
  const classes = useStyles();
  const { trail } = props;
  return (
    <li className={classes.trail} data-testid={`trail-${trail.name}`}>
      <TrailHeader trail={trail}>
        <Chip
          size="small"
          label="could not be described"
          className={classes.undescribed}
        />
      </TrailHeader>
      <Alert severity="warning" className={classes.mismatch}>
        This trail could not be described, so its encryption is unknown:{' '}
        {trail.error}
      </Alert>
    </li>
  );
}

/** The trail's name and Region, then what the caller adds (chips, actions). */
function TrailHeader(props: { trail: TrailReport; children?: ReactNode }) {
  const classes = useStyles();
  const { trail, children } = props;
  return (
    <div className={classes.header}>
      <Typography variant="subtitle2" component="span" className={classes.name}>
        {trail.name}
      </Typography>
      <Chip size="small" variant="outlined" label={trail.homeRegion} />
      {children}
    </div>
  );
}

function TrailItem(props: {
  trail: TrailReport;
  entity: Entity;
  accountId: string;
  template?: RemediationTemplate;
}) {
  const classes = useStyles();
  const { trail, entity, accountId, template } = props;
  if (trail.error) return <UndescribedTrailItem trail={trail} />;
  const key = trail.kmsKey;
  const mismatch = trail.keyRegionMatchesBucket === false;
  return (
    <li className={classes.trail} data-testid={`trail-${trail.name}`}>
      <TrailHeader trail={trail}>
        {trail.isMultiRegionTrail && (
          <Chip size="small" variant="outlined" label="multi-Region" />
        )}
        {trail.isOrganizationTrail && (
          <Chip size="small" variant="outlined" label="organization" />
        )}
        <EncryptionChip trail={trail} />
        <span className={classes.spacer} />
        {template && needsRemediation(trail) && (
          <TrailRemediation
            template={template}
            entity={entity}
            accountId={accountId}
            trail={trail}
          />
        )}
      </TrailHeader>
      {mismatch && (
        <Alert severity="error" className={classes.mismatch}>
          <strong>Region mismatch</strong>: the key is in {key?.region} but the
          bucket is in {trail.bucketRegion}. CloudTrail can only use a key in
          the bucket's Region, so log delivery fails.
        </Alert>
      )}
      <dl className={classes.facts}>
        {key ? (
          <Fact label="Key">
            <KeyFacts keyInfo={key} />
          </Fact>
        ) : (
          <Fact label="Key">
            None: log files are only encrypted with S3-managed keys (SSE-S3)
          </Fact>
        )}
        {key && (
          <Fact label="Key Region">
            <span className={mismatch ? classes.bad : undefined}>
              {key.region}
            </span>
          </Fact>
        )}
        <Fact label="Bucket Region">
          <span className={mismatch ? classes.bad : undefined}>
            {trail.bucketRegion ?? 'unknown'}
          </span>{' '}
          (bucket {trail.s3BucketName})
        </Fact>
        {key && (
          <Fact label="CloudTrail may">
            encrypt <YesNo value={trail.cloudTrailCanEncrypt} />, describe the
            key <YesNo value={trail.cloudTrailCanDescribe} />
          </Fact>
        )}
        <Fact label="Delivery">
          logging <YesNo value={trail.delivery.isLogging} />
          {trail.delivery.latestDeliveryTime && (
            <>
              , last delivered{' '}
              <RelativeTime iso={trail.delivery.latestDeliveryTime} />
            </>
          )}
          {trail.delivery.latestDeliveryError && (
            <span className={classes.bad}>
              {' '}
              — last error: {trail.delivery.latestDeliveryError}
            </span>
          )}
        </Fact>
        <Fact label="Console">
          <ConsoleLinks trail={trail} />
        </Fact>
      </dl>
      <TrailReaders trail={trail} accountId={accountId} />
    </li>
  );
}

/** Without a template, no trail offers Remediate (e.g. a suspended account). */
export function TrailList(props: {
  trails: TrailReport[];
  entity: Entity;
  accountId: string;
  template?: RemediationTemplate;
}) {
  const { trails, ...rest } = props;
  return (
    <ul
      style={{ listStyle: 'none', margin: 0, padding: 0 }}
      aria-label="Trails"
    >
      {trails.map(trail => (
        <TrailItem key={trail.trailArn} trail={trail} {...rest} />
      ))}
    </ul>
  );
}
