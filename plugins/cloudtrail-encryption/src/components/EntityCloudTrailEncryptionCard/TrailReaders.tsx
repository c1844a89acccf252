import Button from '@material-ui/core/Button';
import Collapse from '@material-ui/core/Collapse';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandLess from '@material-ui/icons/ExpandLess';
import ExpandMore from '@material-ui/icons/ExpandMore';
import Alert from '@material-ui/lab/Alert';
import type {
  TrailReaders as TrailReadersReport,
  TrailReport,
  UnresolvedReaderAccount,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { useId, useState, type ReactNode } from 'react';
import { DecryptPrincipalList } from './DecryptPrincipalList';
import { accountLabel, whyNoReaders } from './describeReader';
import { ReaderList } from './ReaderList';

const useStyles = makeStyles(theme => ({
  section: {
    marginTop: theme.spacing(1.5),
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.75),
  },
  heading: { fontWeight: theme.typography.fontWeightBold as number },
  subheading: {
    color: theme.palette.text.secondary,
    fontWeight: theme.typography.fontWeightMedium as number,
  },
  group: { display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5) },
  list: { margin: 0, paddingLeft: theme.spacing(2) },
  toggle: {
    alignSelf: 'flex-start',
    padding: theme.spacing(0, 0.5),
    textTransform: 'none',
    color: theme.palette.text.secondary,
  },
}));

/** Names of the accounts the analysis knows, for trustees that carry only an id. */
function accountNamesOf(report: TrailReadersReport): Map<string, string> {
  const names = new Map<string, string>();
  for (const entry of [
    ...report.readers,
    ...report.partial,
    ...report.unresolved,
  ]) {
    if (entry.accountName) names.set(entry.accountId, entry.accountName);
  }
  return names;
}

function readerCount(count: number): string {
  if (count === 0) {
    return 'Nobody can both decrypt and read the log files.';
  }
  return count === 1
    ? '1 principal can decrypt and read the log files.'
    : `${count} principals can decrypt and read the log files.`;
}

function Group(props: { title: string; testId: string; children: ReactNode }) {
  const classes = useStyles();
  return (
    <div className={classes.group} data-testid={props.testId}>
      <Typography variant="body2" component="h5" className={classes.subheading}>
        {props.title}
      </Typography>
      {props.children}
    </div>
  );
}

function UnresolvedList(props: { accounts: UnresolvedReaderAccount[] }) {
  const classes = useStyles();
  return (
    <ul className={classes.list} aria-label="Accounts not resolved">
      {props.accounts.map(account => (
        <li key={account.accountId}>
          <Typography variant="body2" component="span">
            {accountLabel(account.accountId, account.accountName)}:{' '}
            {account.reason}
            {account.missingPermission && (
              <>
                {' '}
                (the scan role needs <code>{account.missingPermission}</code>)
              </>
            )}
          </Typography>
        </li>
      ))}
    </ul>
  );
}

function Readers(props: { report: TrailReadersReport }) {
  const classes = useStyles();
  const { report } = props;
  const accountNames = accountNamesOf(report);
  const decryptOnly = report.partial.filter(p => p.lacks === 's3:GetObject');
  const readOnly = report.partial.filter(p => p.lacks === 'kms:Decrypt');
  return (
    <>
      <Typography variant="body2" color="textSecondary">
        {readerCount(report.readers.length)}
        {report.unresolved.length > 0 &&
          ' Some accounts could not be resolved, so there may be more.'}
      </Typography>
      {report.bucketPolicyError && (
        <Alert severity="warning">
          The bucket policy could not be read ({report.bucketPolicyError}): the
          S3 half is decided from IAM alone.
        </Alert>
      )}
      {report.readers.length > 0 && (
        <ReaderList
          readers={report.readers}
          accountNames={accountNames}
          label="Readers"
        />
      )}
      {decryptOnly.length > 0 && (
        <Group
          title="Can decrypt but not read the objects"
          testId="readers-decrypt-only"
        >
          <ReaderList
            readers={decryptOnly}
            accountNames={accountNames}
            label="Can decrypt but not read the objects"
          />
        </Group>
      )}
      {readOnly.length > 0 && (
        <Group
          title="Can read the objects but not decrypt"
          testId="readers-read-only"
        >
          <ReaderList
            readers={readOnly}
            accountNames={accountNames}
            label="Can read the objects but not decrypt"
          />
        </Group>
      )}
      {report.unresolved.length > 0 && (
        <Group title="Accounts not resolved" testId="readers-unresolved">
          <UnresolvedList accounts={report.unresolved} />
        </Group>
      )}
      {report.ineffective && report.ineffective.length > 0 && (
        <Group
          title="Statements without effect (left out)"
          testId="readers-ineffective"
        >
          <ul className={classes.list}>
            {report.ineffective.map((statement, index) => (
              <li key={index}>
                <Typography variant="body2" component="span">
                  {statement.policy}, statement {statement.statement}:{' '}
                  {statement.reason}
                </Typography>
              </li>
            ))}
          </ul>
        </Group>
      )}
    </>
  );
}

/**
 * What the key policy itself lets decrypt. Once the readers are named it is
 * the detail behind them, folded; without them it is all there is to show.
 */
function KeyPolicyPrincipals(props: {
  trail: TrailReport;
  accountId: string;
  folded: boolean;
}) {
  const classes = useStyles();
  const { trail, accountId, folded } = props;
  const [open, setOpen] = useState(!folded);
  const listId = useId();
  const list = (
    <DecryptPrincipalList
      principals={trail.decryptPrincipals}
      accountId={accountId}
    />
  );
  if (!folded) {
    return (
      <Group title="Key-policy principals" testId="key-policy-principals">
        {list}
      </Group>
    );
  }
  return (
    <div className={classes.group} data-testid="key-policy-principals">
      <Button
        size="small"
        className={classes.toggle}
        aria-expanded={open}
        aria-controls={listId}
        endIcon={open ? <ExpandLess /> : <ExpandMore />}
        onClick={() => setOpen(value => !value)}
      >
        Key-policy principals ({trail.decryptPrincipals.length})
      </Button>
      <Collapse in={open} unmountOnExit>
        <div id={listId}>{list}</div>
      </Collapse>
    </div>
  );
}

/**
 * "Who can read the logs": the principals with both halves of reading a log
 * file (s3:GetObject and kms:Decrypt through S3), those with one half, and
 * the accounts that could not be resolved; the key policy's own principals
 * follow as the detail they come from.
 */
export function TrailReaders(props: { trail: TrailReport; accountId: string }) {
  const classes = useStyles();
  const { trail, accountId } = props;
  return (
    <section
      className={classes.section}
      aria-label="Who can read the logs"
      data-testid="trail-readers"
    >
      <Typography variant="body2" component="h4" className={classes.heading}>
        Who can read the logs
      </Typography>
      {trail.readers ? (
        <Readers report={trail.readers} />
      ) : (
        <Typography variant="body2" color="textSecondary">
          {whyNoReaders(trail)}
        </Typography>
      )}
      {trail.kmsKey && (
        <KeyPolicyPrincipals
          trail={trail}
          accountId={accountId}
          folded={trail.readers !== undefined}
        />
      )}
    </section>
  );
}
