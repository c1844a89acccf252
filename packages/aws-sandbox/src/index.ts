/**
 * A local AWS endpoint speaking the real STS, IAM, Organizations, CloudTrail,
 * KMS and S3 wire protocols, driven by YAML scenarios, with fault injection.
 *
 * @packageDocumentation
 */

export { startSandbox, sandboxClientConfig } from './sandbox';
export type {
  Sandbox,
  SandboxCredentials,
  StartSandboxOptions,
} from './sandbox';
export { DEFAULT_CREDENTIALS } from './server/core';
export type { SandboxLogger } from './server/server';
export {
  sandboxBackendModule,
  sandboxRefusal,
  SANDBOX_DEFAULT_PORT,
  SANDBOX_ENDPOINT_VARIABLES,
} from './module';
export { MAX_GENERATED_ACCOUNTS } from './server/admin';
export { main as runSandboxCli } from './cli';
export {
  loadScenario,
  parseScenario,
  listBundledScenarios,
} from './scenario/load';
export type { ScenarioSource } from './scenario/load';
export { validateScenario, ScenarioValidationError } from './scenario/validate';
export { generateOrganization, GENERATED_MIX } from './scenario/generate';
export type { GenerateOptions } from './scenario/generate';
export {
  computeMinimalCallPlan,
  computeRegionSweepCallPlan,
  DEFAULT_ENABLED_REGIONS,
} from './scenario/callPlan';
export type { CallPlan } from './scenario/callPlan';
export {
  cloudTrailConsoleKeyPolicy,
  organizationTrailKeyPolicy,
} from './scenario/policies';
export type { TrailKeyPolicyOptions } from './scenario/policies';
export type * from './scenario/types';
export { DEFAULT_QUOTAS, FaultController } from './faults';
export type {
  Counters,
  FaultConfig,
  FaultMatcher,
  LatencySpec,
  ThrottlingConfig,
} from './faults';
export type { SandboxMutations } from './state/mutations';
export { SandboxState } from './state/state';
export { ssoRoleName, ssoSamlProviderArn } from './state/iam';
export type {
  AccountIamRecord,
  IamGroupRecord,
  IamRoleRecord,
  IamUserRecord,
  ManagedPolicyRecord,
} from './state/iam';
export {
  AWS_MANAGED_POLICIES,
  awsManagedPolicy,
} from './iam/awsManagedPolicies';
export type { AwsManagedPolicy } from './iam/awsManagedPolicies';
export {
  POLICY_CASES,
  casePolicyRequest,
  CASE_KEY_ARN,
  CASE_MEMBER,
  CASE_ORG_ID,
  CASE_OUTSIDER,
  CASE_OWNER,
  CASE_TRAIL_ARN,
} from './policyCases';
export type { PolicyCase, PolicyCaseRequest } from './policyCases';
export { policyAllows, parsePolicy, policyDocumentProblem } from './policy';
export type { PolicyDocument, PolicyRequest, PolicyStatement } from './policy';
