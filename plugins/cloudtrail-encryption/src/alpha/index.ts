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
  cloudtrailEncryptionRemediationPreviewField,
} from './plugin';
export {
  CatalogTableColumnBlueprint,
  catalogTableColumnDataRef,
  cloudtrailEncryptionCatalogColumn,
  type CatalogTableColumnRow,
} from './catalogColumn';
export { entityCardConfigSchema } from './configSchema';
