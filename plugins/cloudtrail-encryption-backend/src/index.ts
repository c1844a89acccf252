/**
 * Backend plugin for TrailGuard: scans AWS accounts' CloudTrail SSE-KMS
 * encryption, stores the reports and serves them.
 *
 * @packageDocumentation
 */
export { cloudTrailEncryptionPlugin as default } from './plugin';
export { ReportStore, type ListQuery } from './store/ReportStore';
export { EstateStore, type StoredEstate } from './store/EstateStore';
export {
  FLEET_SORT_KEYS,
  type FleetQuery,
  type FleetSortKey,
  type SortOrder,
} from './store/FleetSnapshot';
export {
  ScanRunStore,
  type RunOutcome,
  type ScanRequestClaim,
  type StartRunOptions,
} from './store/ScanRunStore';
export type { CachedBody } from './store/BodyCache';
export { shardOf } from './service/ScanService';
export {
  cloudTrailAccountConditions,
  cloudTrailAccountResourceRef,
  cloudTrailAccountRules,
  createCloudTrailAccountConditionalDecision,
  type AccountRule,
  type CloudTrailAccountFilter,
  type CloudTrailAccountResource,
} from './permissions/rules';
