import type { Severity } from './report';

/** Stable finding codes. Documented in docs/findings.md. */
export const FINDING_CODES = [
  'TRAIL_NOT_KMS_ENCRYPTED',
  'KMS_KEY_REGION_MISMATCH',
  'KMS_KEY_NOT_ENABLED',
  'KMS_KEY_PENDING_DELETION',
  'KMS_KEY_NOT_SYMMETRIC',
  'CLOUDTRAIL_CANNOT_ENCRYPT',
  'CLOUDTRAIL_CANNOT_DESCRIBE_KEY',
  'DECRYPT_OPEN_TO_ANY_PRINCIPAL',
  'DECRYPT_CROSS_ACCOUNT',
  'NO_DECRYPT_PRINCIPALS',
  'KEY_POLICY_UNREADABLE',
  'KEY_ROTATION_DISABLED',
  'TRAIL_NOT_LOGGING',
  'TRAIL_DELIVERY_FAILING',
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export function isFindingCode(value: unknown): value is FindingCode {
  return (
    typeof value === 'string' &&
    (FINDING_CODES as readonly string[]).includes(value)
  );
}

const SEVERITY_RANK: Record<Severity, number> = {
  critical: 0,
  high: 1,
  medium: 2,
  low: 3,
  info: 4,
};

/** Sorts most severe first; a stable order for equal severities. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITY_RANK[a] - SEVERITY_RANK[b];
}

/** True for severities that make an account non-compliant. */
export function isBlockingSeverity(severity: Severity): boolean {
  return severity === 'critical' || severity === 'high';
}
