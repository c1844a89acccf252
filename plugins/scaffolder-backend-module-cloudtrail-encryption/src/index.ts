/**
 * Scaffolder actions that remediate CloudTrail SSE-KMS encryption: create or
 * fix the KMS key, switch the trail to it, rescan the account.
 *
 * @packageDocumentation
 */
export { scaffolderModuleCloudTrailEncryption as default } from './module';
export * from './actions';
export {
  RemediationAws,
  NOT_CONFIGURED_MESSAGE,
  readRemediationSettings,
  type RemediationSettings,
} from './aws/RemediationAws';
export { RemediationError } from './aws/errors';
export * from './schemas';
export {
  RemediationScope,
  readScopeSettings,
  DEFAULT_EDITABLE_KEY_TAG,
  type ScopeSettings,
  type ScopeRequest,
} from './scope';
export {
  TrailGuardBackendClient,
  type EstateDirectory,
  type EstateScope,
} from './estate';
export {
  mergeCloudTrailStatements,
  type MergeOptions,
  type MergeResult,
  type PolicyStatement as KeyPolicyStatementChange,
} from './policy/mergeKeyPolicy';
export {
  buildNewKeyPolicy,
  type NewKeyPolicyOptions,
} from './policy/newKeyPolicy';
export type { KeyRef } from './policy/cloudTrailAccess';
export type { RemediationSession, SessionClient } from './aws/RemediationAws';
export { TRAILGUARD_SIDS } from './policy/mergeKeyPolicy';
