export {
  ACCOUNT_SORT_KEYS,
  cloudtrailEncryptionApiRef,
} from './CloudTrailEncryptionApi';
export type {
  AccountExport,
  AccountFilters,
  AccountSortKey,
  CloudTrailEncryptionApi,
  ListAccountsRequest,
} from './CloudTrailEncryptionApi';
export { CloudTrailEncryptionClient } from './CloudTrailEncryptionClient';
export { isNotInEstateError } from './errors';
