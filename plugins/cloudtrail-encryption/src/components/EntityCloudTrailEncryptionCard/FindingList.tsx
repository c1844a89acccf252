import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  compareSeverity,
  filledRemediationText,
  remediationSteps,
  type AccountReport,
  type Finding,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { useMemo, useState } from 'react';
import { FindingName } from '../shared/findings';
import { SeverityChip } from '../shared/status';
import { RemediationStepList } from './RemediationStepList';
import { NotFixableHere } from './remediation';

/** What the steps are built from: the report's trails and account. */
type StepSource = Pick<AccountReport, 'accountId' | 'membership' | 'trails'>;

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
    [theme.breakpoints.down('xs')]: { marginLeft: 0 },
  },
}));

function FindingSteps(props: { finding: Finding; source: StepSource }) {
  const classes = useStyles();
  const { finding, source } = props;
  const steps = useMemo(
    () => remediationSteps(finding, source),
    [finding, source],
  );
  const summary = filledRemediationText(finding, source);
  // A step list that only repeats the catalogue text adds nothing to it.
  const repeats = steps.length === 1 && steps[0].text === finding.remediation;
  return (
    <div className={classes.remediation} data-testid="finding-steps">
      <Typography variant="body2" color="textSecondary">
        {summary}
      </Typography>
      {!repeats && <RemediationStepList steps={steps} />}
    </div>
  );
}

function FindingItem(props: { finding: Finding; source?: StepSource }) {
  const classes = useStyles();
  const { finding, source } = props;
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
        <NotFixableHere finding={finding} report={source} />
        <Button
          size="small"
          aria-expanded={open}
          onClick={() => setOpen(value => !value)}
        >
          {open ? 'Hide fix' : 'How to fix'}
        </Button>
      </div>
      {open && source && <FindingSteps finding={finding} source={source} />}
      {open && !source && (
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

/**
 * Findings, most severe first. With the report, "How to fix" shows the
 * concrete steps for its trails; without it, the catalogue text.
 */
export function FindingList(props: {
  findings: Finding[];
  report?: StepSource;
}) {
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
          source={props.report}
        />
      ))}
    </ul>
  );
}
