import Chip from '@material-ui/core/Chip';
import Link from '@material-ui/core/Link';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  consoleLinks,
  type DecryptPrincipal,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { describePrincipal, formatCondition } from './describe';

const useStyles = makeStyles(theme => ({
  list: {
    margin: 0,
    paddingLeft: theme.spacing(2),
  },
  item: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  },
  public: {
    color: theme.palette.error.main,
    fontWeight: theme.typography.fontWeightBold as number,
  },
  crossAccount: {
    borderColor: theme.palette.warning.main,
  },
  conditions: {
    textDecoration: 'underline dotted',
    cursor: 'help',
  },
  conditionList: {
    margin: 0,
    paddingLeft: theme.spacing(2),
  },
}));

function ConditionsHint(props: { principal: DecryptPrincipal }) {
  const classes = useStyles();
  const { conditions } = props.principal;
  if (conditions.length === 0) return null;
  return (
    <Tooltip
      title={
        <ul className={classes.conditionList}>
          {conditions.map((condition, index) => (
            <li key={index}>{formatCondition(condition)}</li>
          ))}
        </ul>
      }
    >
      <Typography
        component="span"
        variant="caption"
        className={classes.conditions}
        tabIndex={0}
      >
        {conditions.length === 1
          ? 'with 1 condition'
          : `with ${conditions.length} conditions`}
      </Typography>
    </Tooltip>
  );
}

export function DecryptPrincipalList(props: {
  principals: DecryptPrincipal[];
  accountId: string;
}) {
  const classes = useStyles();
  const { principals, accountId } = props;
  if (principals.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        Nobody can decrypt the logs.
      </Typography>
    );
  }
  return (
    <ul className={classes.list} aria-label="Decrypt principals">
      {principals.map((principal, index) => {
        const description = describePrincipal(principal, accountId);
        // An IAM role or user links to its page in its own partition's console.
        const iamUrl =
          principal.kind === 'iam-role' || principal.kind === 'iam-user'
            ? consoleLinks.iamPrincipal(principal.principal)
            : undefined;
        return (
          <li key={`${principal.principal}-${principal.source ?? index}`}>
            <span className={classes.item}>
              <Tooltip title={principal.principal}>
                <Typography
                  component="span"
                  variant="body2"
                  className={description.isPublic ? classes.public : undefined}
                  data-public={description.isPublic || undefined}
                >
                  {iamUrl ? (
                    <Link
                      href={iamUrl}
                      target="_blank"
                      rel="noopener noreferrer"
                      data-console-link={
                        principal.kind === 'iam-user' ? 'user' : 'role'
                      }
                    >
                      {description.label}
                    </Link>
                  ) : (
                    description.label
                  )}
                </Typography>
              </Tooltip>
              {principal.via === 'grant' && (
                <Chip size="small" variant="outlined" label="via grant" />
              )}
              {description.isCrossAccount && (
                <Chip
                  size="small"
                  variant="outlined"
                  label="cross-account"
                  className={classes.crossAccount}
                />
              )}
              <ConditionsHint principal={principal} />
            </span>
          </li>
        );
      })}
    </ul>
  );
}
