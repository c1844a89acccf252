/**
 * Stable finding codes. Documented in docs/findings.md.
 *
 * @public
 */
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
  'READER_OUTSIDE_ORGANIZATION',
  'READER_ROLE_ASSUMABLE_BY_ANY',
  'READERS_UNRESOLVED',
  'READERS_VIA_BROAD_POLICY',
] as const;

/** @public */
export type FindingCode = (typeof FINDING_CODES)[number];

/** @public */
export function isFindingCode(value: unknown): value is FindingCode {
  return (
    typeof value === 'string' &&
    (FINDING_CODES as readonly string[]).includes(value)
  );
}
