/**
 * Backend plugin for TrailGuard: scans AWS accounts' CloudTrail SSE-KMS
 * encryption, stores the reports and serves them.
 *
 * @packageDocumentation
 */
export { cloudTrailEncryptionPlugin as default } from './plugin';
export { ReportStore } from './store/ReportStore';
export { shardOf } from './service/ScanService';
export {
  cloudTrailAccountConditions,
  cloudTrailAccountResourceRef,
  cloudTrailAccountRules,
  createCloudTrailAccountConditionalDecision,
  type CloudTrailAccountFilter,
  type CloudTrailAccountResource,
} from './permissions/rules';
