/**
 * The TrailGuard scan engine: AWS readers, key-policy evaluation, findings
 * and the CLI's building blocks.
 *
 * @packageDocumentation
 */
export * from './analysis';
export {
  AwsClientFactory,
  DEFAULT_AWS_CLIENT_OPTIONS,
  type AwsClientOptions,
  type CredentialsResolver,
  type MainCredentialsResolver,
} from './aws/AwsClientFactory';
export {
  credentialsResolverFromConfig,
  mainCredentialsResolverFromConfig,
  roleArn,
} from './aws/credentials';
export {
  EstateReader,
  type Estate,
  type EstateAccount,
  type EstateReaderOptions,
} from './estate/EstateReader';
export { readEstateSettings, type EstateSettings } from './estate/settings';
export {
  describeAwsError,
  formatAwsError,
  type AwsErrorInfo,
} from './aws/errors';
export { accountIdFromArn, parseArn, regionFromArn } from './arn';
export {
  ScanEngine,
  type ScanAccount,
  type ScanEngineOptions,
  type ScanOptions,
  type ScanProgress,
  type KeyFacts,
  type TrailFacts,
} from './scan/ScanEngine';
export {
  createScanEngineFromConfig,
  readScanSettings,
  type ScanSettings,
} from './scan/config';
