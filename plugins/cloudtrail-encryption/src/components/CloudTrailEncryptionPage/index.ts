export {
  CloudTrailEncryptionPage,
  CloudTrailEncryptionPageContent,
} from './CloudTrailEncryptionPage';
