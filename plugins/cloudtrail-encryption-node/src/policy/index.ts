/**
 * The policy toolkit: ARNs with partitions, key-policy documents (parsing
 * and the checks KMS applies), IAM wildcard matching and the CloudTrail
 * statement builders. The scan's analysis and the remediation actions both
 * use it, so they read and write policies the same way.
 */
export * from './arn';
export * from './cloudTrailStatements';
export {
  CONDITION_OPERATORS,
  parseConditionOperator,
  type ConditionOperatorName,
} from './conditionOperators';
export {
  MAX_KEY_POLICY_BYTES,
  keyPolicySizeProblem,
  parsePolicy,
  policyBytes,
  serializePolicy,
  stringValues,
  type Effect,
  type ParsePolicyOptions,
  type ParsedCondition,
  type IneffectiveStatementInfo,
  type ParsedPolicy,
  type ParsedStatement,
  type PolicyParseResult,
  type PolicyTextFacts,
  type PrincipalSpec,
} from './document';
export { arnMatch, globMatch, hasWildcard } from './wildcard';
