/**
 * Entity card and fleet page showing whether each AWS account's CloudTrail
 * logs are encrypted with a customer KMS key, whether that works, and who can
 * decrypt them.
 *
 * @packageDocumentation
 */
export {
  cloudtrailEncryptionPlugin,
  CloudTrailEncryptionPage,
  EntityCloudTrailEncryptionCard,
} from './plugin';
export { isCloudTrailEncryptionAvailable } from './conditions';
export {
  CloudTrailEncryptionStatusCell,
  createCloudTrailEncryptionStatusColumn,
} from './components/catalog';
export {
  cloudtrailEncryptionApiRef,
  CloudTrailEncryptionClient,
  isNotInEstateError,
  ACCOUNT_SORT_KEYS,
  type AccountExport,
  type AccountFilters,
  type AccountSortKey,
  type CloudTrailEncryptionApi,
  type ListAccountsRequest,
} from './api';
export { remediationTemplateRouteRef, rootRouteRef } from './routes';
export { TrailGuardRemediationPreviewFieldExtension } from './components/remediation/fieldExtension';
export {
  REMEDIATION_PREVIEW_FIELD,
  type RemediationPreviewUiOptions,
} from './components/remediation';
export type {
  EntityCloudTrailEncryptionCardProps,
  RemediationFormData,
  RemediationTemplate,
} from './components/EntityCloudTrailEncryptionCard';
export type { RemediationKeyMode } from './components/EntityCloudTrailEncryptionCard/remediation';
