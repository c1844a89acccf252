import { CodeSnippet } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { RemediationStep } from '@trailguard/plugin-cloudtrail-encryption-common';

const useStyles = makeStyles(theme => ({
  list: {
    margin: theme.spacing(0.5, 0, 0),
    paddingLeft: theme.spacing(2.5),
  },
  step: {
    marginBottom: theme.spacing(1),
    minWidth: 0,
  },
  text: {
    // Steps carry ARNs, which have no spaces to wrap on.
    overflowWrap: 'anywhere',
  },
  code: {
    marginTop: theme.spacing(0.5),
    maxWidth: '100%',
    overflowX: 'auto',
    fontSize: '0.8rem',
  },
}));

/** A code block with a copy button: a command to run or a JSON document to save. */
export function CopyableCode(props: {
  text: string;
  language: 'bash' | 'json';
  label: string;
}) {
  const classes = useStyles();
  return (
    <div
      className={classes.code}
      data-testid="copyable-code"
      data-language={props.language}
      aria-label={props.label}
      role="group"
    >
      <CodeSnippet
        text={props.text}
        language={props.language}
        showCopyCodeButton
        wrapLongLines
        // Room for the copy button, which sits over the top right corner.
        customStyle={{ paddingRight: 48 }}
      />
    </div>
  );
}

/** A finding's fix as numbered steps, each with its command or document. */
export function RemediationStepList(props: { steps: RemediationStep[] }) {
  const classes = useStyles();
  return (
    <ol className={classes.list} aria-label="Steps to fix">
      {props.steps.map((step, index) => (
        <li key={index} className={classes.step}>
          <Typography
            variant="body2"
            color="textSecondary"
            className={classes.text}
          >
            {step.text}
          </Typography>
          {step.json && (
            <CopyableCode
              language="json"
              label={
                step.json.fileName
                  ? `${step.json.fileName}`
                  : 'Policy statement'
              }
              text={JSON.stringify(step.json.value, null, 2)}
            />
          )}
          {step.command && (
            <CopyableCode
              language="bash"
              label={
                step.accountId
                  ? `Command to run in account ${step.accountId}`
                  : 'Command'
              }
              text={step.command}
            />
          )}
        </li>
      ))}
    </ol>
  );
}
