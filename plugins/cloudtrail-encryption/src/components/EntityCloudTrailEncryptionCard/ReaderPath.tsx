import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type {
  EffectiveReader,
  PolicyCondition,
  ReaderTrustee,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { formatCondition } from './describe';
import { describePathStep, describeTrustee } from './describeReader';

const useStyles = makeStyles(theme => ({
  detail: {
    margin: theme.spacing(0.5, 0, 1, 0),
    paddingLeft: theme.spacing(1.5),
    borderLeft: `2px solid ${theme.palette.divider}`,
  },
  heading: {
    color: theme.palette.text.secondary,
    marginTop: theme.spacing(0.5),
  },
  list: { margin: 0, paddingLeft: theme.spacing(2) },
  item: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    columnGap: theme.spacing(0.5),
  },
  layer: { fontWeight: theme.typography.fontWeightMedium as number },
  policy: { wordBreak: 'break-all' },
  open: {
    color: theme.palette.error.main,
    fontWeight: theme.typography.fontWeightBold as number,
  },
  outside: {
    borderColor: theme.palette.error.main,
    color: theme.palette.error.main,
  },
  code: { fontFamily: 'monospace', fontSize: '0.8rem' },
}));

function ConditionList(props: { conditions: PolicyCondition[] }) {
  const classes = useStyles();
  return (
    <ul className={classes.list}>
      {props.conditions.map((condition, index) => (
        <li key={index}>
          <Typography variant="body2" component="span" className={classes.code}>
            {formatCondition(condition)}
          </Typography>
        </li>
      ))}
    </ul>
  );
}

function PathSteps(props: { reader: EffectiveReader }) {
  const classes = useStyles();
  const { via } = props.reader;
  if (via.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        The scan did not record which statements let it in.
      </Typography>
    );
  }
  return (
    <ol className={classes.list} aria-label="Path">
      {via.map((step, index) => {
        const description = describePathStep(step);
        return (
          <li key={`${step.layer}-${step.policy}-${step.statement}-${index}`}>
            <Typography variant="body2" component="span">
              <span className={classes.layer}>{description.layer}</span>
              {description.policy && (
                <>
                  {' '}
                  {description.policyId ? (
                    <Tooltip title={description.policyId}>
                      <span className={classes.policy}>
                        {description.policy}
                      </span>
                    </Tooltip>
                  ) : (
                    <span className={classes.policy}>{description.policy}</span>
                  )}
                </>
              )}
              {description.attachedTo && ` ${description.attachedTo}`},{' '}
              {description.statement}
            </Typography>
          </li>
        );
      })}
    </ol>
  );
}

function Trustees(props: {
  trustees: ReaderTrustee[];
  accountNames: ReadonlyMap<string, string>;
}) {
  const classes = useStyles();
  const { trustees, accountNames } = props;
  if (trustees.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        Nobody: its trust policy admits no principal.
      </Typography>
    );
  }
  return (
    <ul className={classes.list} aria-label="May be assumed by">
      {trustees.map((trustee, index) => {
        const description = describeTrustee(trustee, accountNames);
        return (
          <li key={`${trustee.principal}-${index}`}>
            <span className={classes.item}>
              <Tooltip title={trustee.principal}>
                <Typography
                  variant="body2"
                  component="span"
                  className={description.isOpen ? classes.open : undefined}
                >
                  {description.label}
                </Typography>
              </Tooltip>
              {trustee.outsideOrganization && (
                <Chip
                  size="small"
                  variant="outlined"
                  label="outside organization"
                  className={classes.outside}
                />
              )}
            </span>
            {trustee.conditions.length > 0 && (
              <>
                <Typography variant="caption" color="textSecondary">
                  only when:
                </Typography>
                <ConditionList conditions={trustee.conditions} />
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * How a reader gets in: the statements of each layer, the conditions the
 * scan could not decide, and (for a role) who may become it.
 */
export function ReaderPath(props: {
  reader: EffectiveReader;
  accountNames: ReadonlyMap<string, string>;
  id: string;
}) {
  const classes = useStyles();
  const { reader, accountNames, id } = props;
  return (
    <div className={classes.detail} id={id} data-testid="reader-path">
      <Typography variant="caption" component="p" className={classes.heading}>
        Let in by
      </Typography>
      <PathSteps reader={reader} />
      {reader.conditions.length > 0 && (
        <>
          <Typography
            variant="caption"
            component="p"
            className={classes.heading}
          >
            Allowed only when
          </Typography>
          <ConditionList conditions={reader.conditions} />
        </>
      )}
      {reader.trustedBy && (
        <>
          <Typography
            variant="caption"
            component="p"
            className={classes.heading}
          >
            May be assumed by
          </Typography>
          <Trustees trustees={reader.trustedBy} accountNames={accountNames} />
        </>
      )}
    </div>
  );
}
