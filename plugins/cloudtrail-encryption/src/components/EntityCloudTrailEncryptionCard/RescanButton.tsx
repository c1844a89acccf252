import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import type { RescanState } from './useRescan';

const useStyles = makeStyles(theme => ({
  root: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
}));

/**
 * Stays visible but disabled without the scan permission, so people learn the
 * action exists and whom to ask, rather than wondering where it went.
 */
export function RescanButton(props: { state: RescanState }) {
  const classes = useStyles();
  const { allowed, running, rescan } = props.state;
  const button = (
    <Button
      size="small"
      variant="outlined"
      color="primary"
      disabled={!allowed || running}
      onClick={rescan}
    >
      Rescan
    </Button>
  );
  return (
    <span className={classes.root}>
      {running && <CircularProgress size={20} aria-label="Rescanning" />}
      {allowed ? (
        button
      ) : (
        <Tooltip title="You are not allowed to trigger CloudTrail encryption scans">
          <span>{button}</span>
        </Tooltip>
      )}
    </span>
  );
}
