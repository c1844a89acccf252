import { createPermission } from '@backstage/plugin-permission-common';

/**
 * The permission resource type of an AWS account's CloudTrail encryption
 * report. Resource refs are 12-digit account ids. Conditional decisions on it
 * (rules such as "is owned by the user" or "has account id") are applied when
 * listing, reading, rescanning and remediating.
 *
 * @public
 */
export const CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE =
  'cloudtrail-encryption-account';

/**
 * Read CloudTrail encryption reports (fleet list, account and entity reports, scan history).
 *
 * @public
 */
export const cloudTrailEncryptionReportReadPermission = createPermission({
  name: 'cloudtrail-encryption.report.read',
  attributes: { action: 'read' },
  resourceType: CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE,
});

/**
 * Trigger an on-demand rescan of an account (or, without a resource, a full scan).
 *
 * @public
 */
export const cloudTrailEncryptionScanTriggerPermission = createPermission({
  name: 'cloudtrail-encryption.scan.trigger',
  attributes: { action: 'update' },
  resourceType: CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE,
});

/**
 * Run remediation (key creation, key-policy changes, switching a trail to SSE-KMS) on an account.
 *
 * @public
 */
export const cloudTrailEncryptionRemediatePermission = createPermission({
  name: 'cloudtrail-encryption.remediate',
  attributes: { action: 'update' },
  resourceType: CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE,
});

/** @public */
export const cloudTrailEncryptionPermissions = [
  cloudTrailEncryptionReportReadPermission,
  cloudTrailEncryptionScanTriggerPermission,
  cloudTrailEncryptionRemediatePermission,
];
