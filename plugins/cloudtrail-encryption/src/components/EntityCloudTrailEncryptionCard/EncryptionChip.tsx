import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import type { TrailReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import { encryptionHealthOf } from './encryptionHealth';

const useStyles = makeStyles(theme => ({
  working: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  broken: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  unconfirmed: {
    borderColor: theme.palette.warning.main,
    color: theme.palette.warning.dark,
  },
  sseS3: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
}));

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The trail's encryption; green only when CloudTrail can actually encrypt
 * with the key, so a broken key never reads as protected.
 */
export function EncryptionChip(props: { trail: TrailReport }) {
  const classes = useStyles();
  const health = encryptionHealthOf(props.trail);
  switch (health.kind) {
    case 'sse-s3':
      return (
        <Chip
          size="small"
          label="SSE-S3"
          className={classes.sseS3}
          title="Encrypted with S3-managed keys only: anyone who can read the bucket can read the logs"
        />
      );
    case 'working':
      return (
        <Chip
          size="small"
          label="SSE-KMS"
          className={classes.working}
          title="Encrypted with a KMS key that CloudTrail can use"
        />
      );
    default: {
      const broken = health.kind === 'broken';
      const reason = `${capitalize(health.reasons.join('; '))}.`;
      return (
        <Tooltip title={reason}>
          <Chip
            size="small"
            variant={broken ? 'default' : 'outlined'}
            label={broken ? 'SSE-KMS — not working' : 'SSE-KMS — unconfirmed'}
            className={broken ? classes.broken : classes.unconfirmed}
            aria-label={`${
              broken ? 'SSE-KMS — not working' : 'SSE-KMS — unconfirmed'
            }: ${reason}`}
          />
        </Tooltip>
      );
    }
  }
}
