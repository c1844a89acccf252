import type { FindingCode } from './findings';
import type { Severity } from './severity';

/**
 * A finding code's readable name and default severity, safe for the browser.
 *
 * @public
 */
export interface FindingTitle {
  title: string;
  /** The usual severity; a finding may be reported lower when unconfirmed. */
  severity: Severity;
}

/**
 * The one source of finding titles: the backend catalogue builds on it and the
 * UI shows it next to the code, so the card, the fleet table and the filter
 * name a finding the same way.
 *
 * @public
 */
export const FINDING_TITLES: Record<FindingCode, FindingTitle> = {
  TRAIL_NOT_KMS_ENCRYPTED: {
    title: 'Trail not encrypted with a KMS key',
    severity: 'high',
  },
  KMS_KEY_REGION_MISMATCH: {
    title: 'KMS key and bucket in different Regions',
    severity: 'critical',
  },
  KMS_KEY_NOT_ENABLED: {
    title: 'KMS key not enabled or not found',
    severity: 'critical',
  },
  KMS_KEY_PENDING_DELETION: {
    title: 'KMS key pending deletion',
    severity: 'critical',
  },
  KMS_KEY_NOT_SYMMETRIC: {
    title: 'KMS key is not a symmetric encryption key',
    severity: 'critical',
  },
  CLOUDTRAIL_CANNOT_ENCRYPT: {
    title: 'Key policy does not let CloudTrail encrypt',
    severity: 'critical',
  },
  CLOUDTRAIL_CANNOT_DESCRIBE_KEY: {
    title: 'Key policy does not let CloudTrail describe the key',
    severity: 'high',
  },
  DECRYPT_OPEN_TO_ANY_PRINCIPAL: {
    title: 'Any AWS principal can decrypt the logs',
    severity: 'critical',
  },
  DECRYPT_CROSS_ACCOUNT: {
    title: 'An outside account or organization can decrypt the logs',
    severity: 'high',
  },
  NO_DECRYPT_PRINCIPALS: {
    title: 'No one can decrypt the logs',
    severity: 'low',
  },
  KEY_POLICY_UNREADABLE: {
    title: 'Key policy could not be read',
    severity: 'high',
  },
  KEY_ROTATION_DISABLED: {
    title: 'Key rotation disabled',
    severity: 'low',
  },
  TRAIL_NOT_LOGGING: {
    title: 'Trail not logging',
    severity: 'high',
  },
  TRAIL_DELIVERY_FAILING: {
    title: 'Log delivery failing',
    severity: 'high',
  },
  READER_OUTSIDE_ORGANIZATION: {
    title: 'Logs readable from outside the organization',
    severity: 'high',
  },
  READER_ROLE_ASSUMABLE_BY_ANY: {
    title: 'Reader role assumable by anyone or any account',
    severity: 'high',
  },
  READERS_UNRESOLVED: {
    title: 'Readers could not be resolved',
    severity: 'medium',
  },
  READERS_VIA_BROAD_POLICY: {
    title: 'Readers through broad policies',
    severity: 'info',
  },
};

/**
 * The anchor of a finding's entry in docs/findings.md (its heading is the
 * code, which Markdown renderers slug to the lower-cased code).
 *
 * @public
 */
export function findingDocsAnchor(code: FindingCode): string {
  return code.toLowerCase();
}
