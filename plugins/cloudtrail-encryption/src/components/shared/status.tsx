import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import type {
  AccountMembership,
  AccountReport,
  AccountStatus,
  Severity,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/** The one verdict shown for an account, scan failures included. */
export type OverallState =
  | 'compliant'
  | 'non-compliant'
  | 'no-trails'
  | 'not-scanned'
  | 'scan-partial'
  | 'scan-error'
  | 'suspended';

/**
 * The single vocabulary of the card, the fleet table and the charts' legends,
 * so "Partial scan" never reads as "Scan error" in one place and the other
 * elsewhere.
 */
export const OVERALL_STATE_LABELS: Record<OverallState | 'unknown', string> = {
  compliant: 'Compliant',
  unknown: 'Unknown',
  'non-compliant': 'Non-compliant',
  'no-trails': 'No trails',
  'not-scanned': 'Not scanned',
  'scan-partial': 'Partial scan',
  'scan-error': 'Scan error',
  suspended: 'Suspended — not scanned',
};

/** The backend's fleet counts by status, in the same words as the table. */
export const ACCOUNT_STATUS_LABELS: Record<AccountStatus, string> = {
  compliant: OVERALL_STATE_LABELS.compliant,
  'non-compliant': OVERALL_STATE_LABELS['non-compliant'],
  'no-trails': OVERALL_STATE_LABELS['no-trails'],
  unknown: OVERALL_STATE_LABELS.unknown,
};

/**
 * What "Unknown" in the charts stands for, in the table's words: accounts
 * without a verdict. A partial scan with a verdict counts under that verdict.
 */
export const UNKNOWN_STATUS_MEANING = `${ACCOUNT_STATUS_LABELS.unknown}: ${[
  OVERALL_STATE_LABELS['not-scanned'],
  OVERALL_STATE_LABELS['scan-error'],
  `${OVERALL_STATE_LABELS['scan-partial']} without a verdict`,
  OVERALL_STATE_LABELS.suspended,
].join(', ')}. A ${OVERALL_STATE_LABELS[
  'scan-partial'
].toLowerCase()} with a verdict counts under that verdict.`;

type VerdictInput = Pick<
  AccountReport,
  'status' | 'scanStatus' | 'lastSuccessAt'
> & { membership?: AccountMembership };

/**
 * Suspended and closing accounts are listed by AWS Organizations but never
 * scanned, so their last verdict (if any) says nothing about today.
 */
export function isInactiveMember(membership?: AccountMembership): boolean {
  return membership !== undefined && membership.state !== 'ACTIVE';
}

/**
 * A failed scan only becomes the verdict when there is no earlier good scan to
 * fall back on; otherwise the last good verdict stands and the failure is
 * reported next to it (see `scanIssueOf`).
 */
export function overallStateOf(report: VerdictInput): OverallState {
  if (isInactiveMember(report.membership)) return 'suspended';
  if (report.scanStatus === 'error' && !report.lastSuccessAt) {
    return 'scan-error';
  }
  if (report.status === 'unknown') {
    if (report.scanStatus === 'error') return 'scan-error';
    if (report.scanStatus === 'partial') return 'scan-partial';
    return 'not-scanned';
  }
  return report.status;
}

/** The scan problem to show beside a verdict that did not already say it. */
export function scanIssueOf(
  report: VerdictInput,
): 'scan-partial' | 'scan-error' | undefined {
  const state = overallStateOf(report);
  if (state === 'suspended') return undefined;
  if (report.scanStatus === 'error' && state !== 'scan-error') {
    return 'scan-error';
  }
  if (report.scanStatus === 'partial' && state !== 'scan-partial') {
    return 'scan-partial';
  }
  return undefined;
}

/** What the status column and the card header show: a verdict and a scan badge. */
export interface StatusDisplay {
  /** In the charts' words: a scan that decided nothing is "Unknown" there too. */
  verdict:
    | Exclude<OverallState, 'scan-error' | 'scan-partial' | 'not-scanned'>
    | 'unknown';
  /** How the last scan went, when it was not a plain success. */
  scan?: 'scan-error' | 'scan-partial' | 'not-scanned';
}

export function statusDisplayOf(report: VerdictInput): StatusDisplay {
  const state = overallStateOf(report);
  switch (state) {
    case 'scan-error':
    case 'scan-partial':
    case 'not-scanned':
      return { verdict: 'unknown', scan: state };
    default:
      return { verdict: state, scan: scanIssueOf(report) };
  }
}

export function OverallStatus(props: { state: OverallState | 'unknown' }) {
  const label = OVERALL_STATE_LABELS[props.state];
  switch (props.state) {
    case 'compliant':
      return <StatusOK>{label}</StatusOK>;
    case 'non-compliant':
    case 'scan-error':
      return <StatusError>{label}</StatusError>;
    case 'no-trails':
    case 'scan-partial':
      return <StatusWarning>{label}</StatusWarning>;
    case 'suspended':
      return <StatusAborted>{label}</StatusAborted>;
    default:
      return <StatusPending>{label}</StatusPending>;
  }
}

/** The verdict as an outlined chip, for card headers. */
export function OverallStatusChip(props: {
  state: OverallState | 'unknown';
  title?: string;
}) {
  return (
    <Chip
      size="small"
      variant="outlined"
      data-testid="cloudtrail-encryption-status"
      title={props.title}
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
