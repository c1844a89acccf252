import {
  compareSeverity,
  SEVERITIES,
  type AccountReport,
  type Severity,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/** The CLI's exit codes; `--help` and the README list them. */
export const EXIT = {
  /** Nothing at or above the threshold, and every scanned account decided. */
  ok: 0,
  /** A finding at or above the threshold (by default: a non-compliant account). */
  findings: 1,
  /** Bad arguments, options or configuration. */
  usage: 2,
  /** Could not decide: the estate could not be read, a scan failed or a status is unknown. */
  undecided: 3,
} as const;

/** `blocking` is the default: what makes an account non-compliant. */
export type FailOn = Severity | 'blocking' | 'none';

export const FAIL_ON_VALUES: readonly FailOn[] = [
  'blocking',
  ...SEVERITIES,
  'none',
];

export function isFailOn(value: string): value is FailOn {
  return (FAIL_ON_VALUES as readonly string[]).includes(value);
}

/** Accounts listed but not scanned (suspended, closing) decide nothing. */
function scanned(reports: AccountReport[]): AccountReport[] {
  return reports.filter(r => r.scanStatus !== 'pending');
}

/**
 * True when a confirmed problem reaches the threshold. "The key policy could
 * not be read" is a gap in what was seen, not a problem found, so it counts
 * as undecided, as it does for the account status.
 */
export function failsThreshold(
  reports: AccountReport[],
  failOn: FailOn,
): boolean {
  if (failOn === 'none') return false;
  if (failOn === 'blocking') {
    return scanned(reports).some(r => r.status === 'non-compliant');
  }
  return scanned(reports).some(r =>
    r.findings.some(
      f =>
        f.code !== 'KEY_POLICY_UNREADABLE' &&
        compareSeverity(f.severity, failOn) <= 0,
    ),
  );
}

/** Accounts whose scan failed or whose status could not be decided. */
export function undecidedAccounts(reports: AccountReport[]): AccountReport[] {
  return scanned(reports).filter(
    r => r.scanStatus === 'error' || r.status === 'unknown',
  );
}

/**
 * A confirmed problem outranks a gap: exit 1 when something reaches the
 * threshold even if other accounts are undecided, so a pipeline that allows
 * unknowns still fails on what is known to be wrong.
 */
export function scanExitCode(
  reports: AccountReport[],
  options: { failOn: FailOn; allowUnknown: boolean },
): number {
  if (failsThreshold(reports, options.failOn)) return EXIT.findings;
  if (!options.allowUnknown && undecidedAccounts(reports).length > 0) {
    return EXIT.undecided;
  }
  return EXIT.ok;
}
