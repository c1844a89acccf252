import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Collapse from '@material-ui/core/Collapse';
import Link from '@material-ui/core/Link';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandLess from '@material-ui/icons/ExpandLess';
import ExpandMore from '@material-ui/icons/ExpandMore';
import {
  consoleLinks,
  type EffectiveReader,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { useId, useState } from 'react';
import {
  accountLabel,
  assumableFrom,
  iamPrincipalName,
  sortReaders,
} from './describeReader';
import { ReaderPath } from './ReaderPath';

/** Beyond this many, a list shows its first entries and offers the rest. */
const SHORT_LIST = 8;

const useStyles = makeStyles(theme => ({
  list: { margin: 0, paddingLeft: 0, listStyle: 'none' },
  reader: { padding: theme.spacing(0.25, 0) },
  line: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    columnGap: theme.spacing(0.75),
    rowGap: theme.spacing(0.25),
  },
  name: {
    fontWeight: theme.typography.fontWeightMedium as number,
    wordBreak: 'break-all',
  },
  outside: {
    borderColor: theme.palette.error.main,
    color: theme.palette.error.main,
  },
  crossAccount: { borderColor: theme.palette.warning.main },
  conditional: { borderStyle: 'dashed' },
  toggle: {
    minWidth: 0,
    padding: theme.spacing(0, 0.5),
    textTransform: 'none',
  },
}));

function ReaderName(props: { reader: EffectiveReader }) {
  const classes = useStyles();
  const { reader } = props;
  const name = iamPrincipalName(reader.principal);
  const url = consoleLinks.iamPrincipal(reader.principal);
  return (
    <Tooltip title={reader.principal}>
      <Typography variant="body2" component="span" className={classes.name}>
        {url ? (
          <Link
            href={url}
            target="_blank"
            rel="noopener noreferrer"
            data-console-link={reader.kind === 'iam-user' ? 'user' : 'role'}
          >
            {name}
          </Link>
        ) : (
          name
        )}
      </Typography>
    </Tooltip>
  );
}

function ReaderItem(props: {
  reader: EffectiveReader;
  accountNames: ReadonlyMap<string, string>;
}) {
  const classes = useStyles();
  const { reader, accountNames } = props;
  const [open, setOpen] = useState(false);
  const pathId = useId();
  const name = iamPrincipalName(reader.principal);
  const conditional = reader.conditions.length > 0;
  const assumable = assumableFrom(reader);
  return (
    <li
      className={classes.reader}
      data-testid="reader"
      data-principal={reader.principal}
    >
      <span className={classes.line}>
        <ReaderName reader={reader} />
        <Typography variant="caption" color="textSecondary" component="span">
          {reader.kind === 'iam-user' ? 'user' : 'role'} in{' '}
          {accountLabel(
            reader.accountId,
            reader.accountName ?? accountNames.get(reader.accountId),
          )}
        </Typography>
        {reader.outsideOrganization && (
          <Chip
            size="small"
            variant="outlined"
            label="outside organization"
            className={classes.outside}
          />
        )}
        {assumable && (
          <Chip
            size="small"
            variant="outlined"
            label={
              assumable === 'anyone'
                ? 'assumable by anyone'
                : 'assumable from outside organization'
            }
            className={classes.outside}
          />
        )}
        {reader.crossAccount && (
          <Chip
            size="small"
            variant="outlined"
            label="cross-account"
            className={classes.crossAccount}
          />
        )}
        {reader.broad && (
          <Tooltip title="Allowed through a broad grant such as Action “*”, kms:* or s3:* on every resource">
            <Chip size="small" variant="outlined" label="broad policy" />
          </Tooltip>
        )}
        {conditional && (
          <Chip
            size="small"
            variant="outlined"
            className={classes.conditional}
            label={
              reader.conditions.length === 1
                ? 'with 1 condition'
                : `with ${reader.conditions.length} conditions`
            }
          />
        )}
        <Button
          size="small"
          className={classes.toggle}
          aria-expanded={open}
          aria-controls={pathId}
          aria-label={`Path of ${name}`}
          endIcon={open ? <ExpandLess /> : <ExpandMore />}
          onClick={() => setOpen(value => !value)}
        >
          Path
        </Button>
      </span>
      <Collapse in={open} unmountOnExit>
        <ReaderPath reader={reader} accountNames={accountNames} id={pathId} />
      </Collapse>
    </li>
  );
}

/**
 * Readers by name, those a reviewer should look at first on top; a long
 * list shows its first entries until asked for the rest.
 */
export function ReaderList(props: {
  readers: EffectiveReader[];
  accountNames: ReadonlyMap<string, string>;
  label: string;
}) {
  const classes = useStyles();
  const { readers, accountNames, label } = props;
  const [expanded, setExpanded] = useState(false);
  const sorted = sortReaders(readers);
  const shown =
    expanded || sorted.length <= SHORT_LIST + 1
      ? sorted
      : sorted.slice(0, SHORT_LIST);
  return (
    <>
      <ul className={classes.list} aria-label={label}>
        {shown.map(reader => (
          <ReaderItem
            key={reader.principal}
            reader={reader}
            accountNames={accountNames}
          />
        ))}
      </ul>
      {shown.length < sorted.length && (
        <Button
          size="small"
          className={classes.toggle}
          aria-label={`Show all ${sorted.length}: ${label}`}
          onClick={() => setExpanded(true)}
        >
          Show all {sorted.length}
        </Button>
      )}
    </>
  );
}
