/**
 * How bad a finding is; `critical` and `high` make an account non-compliant.
 *
 * @public
 */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** @public */
export const SEVERITIES: readonly Severity[] = [
  'critical',
  'high',
  'medium',
  'low',
  'info',
];

const SEVERITY_RANK: Record<Severity, number> = {
  critical: 0,
  high: 1,
  medium: 2,
  low: 3,
  info: 4,
};

/**
 * Sorts most severe first; a stable order for equal severities.
 *
 * @public
 */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITY_RANK[a] - SEVERITY_RANK[b];
}

/**
 * True for severities that make an account non-compliant.
 *
 * @public
 */
export function isBlockingSeverity(severity: Severity): boolean {
  return severity === 'critical' || severity === 'high';
}
