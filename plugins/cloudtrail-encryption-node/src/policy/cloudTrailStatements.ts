/**
 * The CloudTrail key-policy statement builders. They are pure and
 * browser-safe, so they live in -common (the card's remediation steps and
 * the sandbox's scenarios use them too); the toolkit re-exports them.
 */
export {
  CLOUDTRAIL_KEY_POLICY,
  CLOUDTRAIL_SERVICE_PRINCIPAL,
  CONSOLE_KEY_POLICY_SIDS,
  accountDecryptStatement,
  accountRootArn,
  cloudTrailDescribeStatement,
  cloudTrailEncryptStatement,
  cloudTrailEncryptionContextPatterns,
  consoleStyleCloudTrailKeyPolicy,
  decryptStatement,
  oneOrMany,
  rootDelegationStatement,
  trailOwnerAccountId,
  type AccountDecryptStatementOptions,
  type CloudTrailStatementOptions,
  type CloudTrailTrailsOptions,
  type ConsoleStyleKeyPolicyOptions,
  type DecryptStatementOptions,
  type KeyPolicyDocument,
  type KeyPolicyStatement,
  type PolicyJson,
  type PolicyJsonMap,
} from '@trailguard/plugin-cloudtrail-encryption-common';
