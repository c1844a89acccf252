/**
 * A Tech Insights backend module publishing each AWS account's CloudTrail
 * SSE-KMS posture, as TrailGuard reports it, as scorecard facts.
 *
 * @packageDocumentation
 */
export { techInsightsModuleCloudTrailEncryption as default } from './module';
export {
  AWS_ACCOUNT_ENTITY_FILTER,
  CLOUDTRAIL_ENCRYPTION_FACT_RETRIEVER_ID,
  createCloudTrailEncryptionFactRetriever,
} from './factRetriever';
export {
  cloudTrailEncryptionFactSchema,
  countReadersOutsideOrganization,
  factsOfReport,
  type CloudTrailEncryptionFacts,
} from './facts';
export {
  cloudTrailEncryptionCheck,
  type JsonRuleCheck,
  type JsonRuleCondition,
} from './check';
