import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import type {
  AccountReport,
  Severity,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/** The one verdict shown for an account, scan failures included. */
export type OverallState =
  | 'compliant'
  | 'non-compliant'
  | 'no-trails'
  | 'not-scanned'
  | 'scan-error';

export const OVERALL_STATE_LABELS: Record<OverallState, string> = {
  compliant: 'Compliant',
  'non-compliant': 'Non-compliant',
  'no-trails': 'No trails',
  'not-scanned': 'Not scanned',
  'scan-error': 'Scan error',
};

/**
 * A failed scan only becomes the verdict when there is no earlier good scan to
 * fall back on; otherwise the last good verdict stands and the failure is
 * reported next to it.
 */
export function overallStateOf(
  report: Pick<AccountReport, 'status' | 'scanStatus' | 'lastSuccessAt'>,
): OverallState {
  if (report.scanStatus === 'error' && !report.lastSuccessAt) {
    return 'scan-error';
  }
  if (report.status === 'unknown') {
    return report.scanStatus === 'error' ? 'scan-error' : 'not-scanned';
  }
  return report.status;
}

export function OverallStatus(props: { state: OverallState }) {
  const label = OVERALL_STATE_LABELS[props.state];
  switch (props.state) {
    case 'compliant':
      return <StatusOK>{label}</StatusOK>;
    case 'non-compliant':
    case 'scan-error':
      return <StatusError>{label}</StatusError>;
    case 'no-trails':
      return <StatusWarning>{label}</StatusWarning>;
    default:
      return <StatusPending>{label}</StatusPending>;
  }
}

/** The verdict as an outlined chip, for card headers. */
export function OverallStatusChip(props: { state: OverallState }) {
  return (
    <Chip
      size="small"
      variant="outlined"
      data-testid="cloudtrail-encryption-status"
      label={<OverallStatus state={props.state} />}
    />
  );
}

const useSeverityStyles = makeStyles(theme => ({
  critical: {
    backgroundColor: theme.palette.error.dark,
    color: theme.palette.error.contrastText,
  },
  high: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  medium: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  low: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  info: {},
}));

export function SeverityChip(props: { severity: Severity }) {
  const classes = useSeverityStyles();
  return (
    <Chip
      size="small"
      label={props.severity}
      className={classes[props.severity]}
    />
  );
}
