export { cloudtrailEncryptionApiRef } from './CloudTrailEncryptionApi';
export type {
  CloudTrailEncryptionApi,
  ListAccountsRequest,
} from './CloudTrailEncryptionApi';
export { CloudTrailEncryptionClient } from './CloudTrailEncryptionClient';
export { isNotInEstateError } from './errors';
