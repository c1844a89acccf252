/**
 * The pure analysis core: key-policy evaluation, grants, findings and
 * verdicts. Works on plain JSON; no AWS SDK and no I/O.
 */
export { evaluateKeyPolicy } from './evaluateKeyPolicy';
export type {
  KeyPolicyContext,
  KeyPolicyEvaluation,
  PolicyDecision,
  ReadableKeyPolicy,
  UnreadableKeyPolicy,
} from './evaluateKeyPolicy';
export { principalsFromGrants, grantAllowsLogContext } from './grants';
export type { KmsGrant } from './grants';
export { PRINCIPAL_CONDITION_KEY, dedupePrincipals } from './candidates';
export { isOpenToAnyPrincipal } from './openAccess';
export { FINDING_CATALOGUE } from './catalogue';
export type { FindingCatalogueEntry } from './catalogue';
export { assessTrail, sortFindings } from './assessTrail';
export {
  assessAccount,
  trailDataGaps,
  UNCONFIRMED_FINDING_CODES,
} from './assessAccount';
export type {
  AccountAssessment,
  AccountAssessmentInput,
} from './assessAccount';
export type {
  DescribedKeyInput,
  KeyInfoInput,
  MissingKeyInput,
  TrailAssessmentInput,
  TrailInfoInput,
  TrailKeyInput,
  TrailStatusInput,
  UndescribedKeyInput,
} from './types';
export { isDescribedKey, isMissingKey } from './types';
export { CLOUDTRAIL_CONTEXT_KEY, CLOUDTRAIL_SERVICE } from './requestContext';
