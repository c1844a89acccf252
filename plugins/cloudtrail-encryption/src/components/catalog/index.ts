export {
  accountIdOfEntity,
  CloudTrailEncryptionStatusCell,
  createCloudTrailEncryptionStatusColumn,
} from './CloudTrailEncryptionStatusColumn';
export { AccountStatusLoader, MAX_LOOKUP_BATCH } from './accountStatusLoader';
