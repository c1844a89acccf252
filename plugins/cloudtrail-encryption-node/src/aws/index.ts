export { AccountClients, AwsAccess, type AwsAccessOptions } from './AwsAccess';
export {
  ClientPool,
  DEFAULT_AWS_CLIENT_OPTIONS,
  type AwsClientOptions,
  type AnyClient as AwsClient,
  type AwsScope,
  type ClientOf,
  type ServiceName,
} from './clientPool';
export {
  AssumeRoleCredentials,
  credentialsResolverFromConfig,
  mainCredentialsResolverFromConfig,
  memoizeCredentials,
  roleArn,
  type AssumeRoleCredentialsOptions,
  type AssumeRoleParams,
  type CredentialsResolver,
  type MainCredentialsResolver,
} from './credentialsProvider';
export { AccountRateLimiter, AccountScopedRetryStrategy } from './rateLimiter';
export { readBucketRegion } from './bucketRegion';
export { describeAwsError, formatAwsError, type AwsErrorInfo } from './errors';
export { IamReader, type AuthorizationDetailsRecord } from './IamReader';
export { BucketPolicyReader } from './BucketPolicyReader';
export {
  OrganizationPolicyReader,
  type OrganizationPolicyRecord,
} from './OrganizationPolicyReader';
