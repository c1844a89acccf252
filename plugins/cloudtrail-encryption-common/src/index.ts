/**
 * Types, finding codes and permissions shared by the TrailGuard CloudTrail
 * encryption plugins.
 *
 * @packageDocumentation
 */
export * from './report';
export * from './policyCondition';
export * from './findings';
export * from './findingTitles';
export * from './severity';
export * from './permissions';
export * from './accounts';
export * from './arn';
export * from './keyPolicyStatements';
export * from './reportDiff';
export * from './remediationSteps';
export * from './scanAccess';
export * from './readers';
export * from './effectiveReaders';
export * from './signals';
