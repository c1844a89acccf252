import { createPermission } from '@backstage/plugin-permission-common';

/** Read CloudTrail encryption reports (fleet list, account and entity reports, scan history). */
export const cloudTrailEncryptionReportReadPermission = createPermission({
  name: 'cloudtrail-encryption.report.read',
  attributes: { action: 'read' },
});

/** Trigger an on-demand rescan of an account. */
export const cloudTrailEncryptionScanTriggerPermission = createPermission({
  name: 'cloudtrail-encryption.scan.trigger',
  attributes: { action: 'update' },
});

export const cloudTrailEncryptionPermissions = [
  cloudTrailEncryptionReportReadPermission,
  cloudTrailEncryptionScanTriggerPermission,
];
