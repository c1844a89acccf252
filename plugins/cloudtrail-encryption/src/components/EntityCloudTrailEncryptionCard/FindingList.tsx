import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  compareSeverity,
  type Finding,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { useState } from 'react';
import { FindingName } from '../shared/findings';
import { SeverityChip } from '../shared/status';

const useStyles = makeStyles(theme => ({
  list: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
  item: {
    padding: theme.spacing(0.5, 0),
  },
  line: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: theme.spacing(1),
  },
  text: {
    flex: 1,
    minWidth: 0,
  },
  message: {
    // Messages carry ARNs, which have no spaces to wrap on.
    overflowWrap: 'anywhere',
  },
  remediation: {
    marginLeft: theme.spacing(7),
    whiteSpace: 'pre-line',
  },
}));

function FindingItem(props: { finding: Finding }) {
  const classes = useStyles();
  const { finding } = props;
  const [open, setOpen] = useState(false);
  return (
    <li className={classes.item} data-finding-code={finding.code}>
      <div className={classes.line}>
        <SeverityChip severity={finding.severity} />
        <div className={classes.text}>
          <FindingName code={finding.code} />
          <Typography
            variant="body2"
            color="textSecondary"
            className={classes.message}
          >
            {finding.message}
          </Typography>
        </div>
        <Button
          size="small"
          aria-expanded={open}
          onClick={() => setOpen(value => !value)}
        >
          {open ? 'Hide fix' : 'How to fix'}
        </Button>
      </div>
      {open && (
        <Typography
          variant="body2"
          color="textSecondary"
          className={classes.remediation}
        >
          {finding.remediation}
        </Typography>
      )}
    </li>
  );
}

/** Findings, most severe first. */
export function FindingList(props: { findings: Finding[] }) {
  const classes = useStyles();
  if (props.findings.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No findings.
      </Typography>
    );
  }
  // Array.prototype.sort is stable, so equal severities keep the report's order.
  const sorted = [...props.findings].sort((a, b) =>
    compareSeverity(a.severity, b.severity),
  );
  return (
    <ul className={classes.list} aria-label="Findings">
      {sorted.map((finding, index) => (
        <FindingItem
          key={`${finding.code}-${finding.trailArn ?? ''}-${index}`}
          finding={finding}
        />
      ))}
    </ul>
  );
}
