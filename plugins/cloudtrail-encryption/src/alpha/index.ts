/**
 * The CloudTrail encryption plugin for the new frontend system.
 *
 * @packageDocumentation
 */
export {
  default,
  cloudtrailEncryptionApi,
  cloudtrailEncryptionEntityCard,
  cloudtrailEncryptionPage,
} from './plugin';
