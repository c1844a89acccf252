import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { cloudtrailEncryptionPlugin } from '../../plugin';
import {
  RemediationPreview,
  validateRemediationPreview,
  type RemediationPreviewUiOptions,
} from './RemediationPreview';
import { REMEDIATION_PREVIEW_FIELD } from './dryRunPreview';

/**
 * The remediation template's review page for the legacy frontend system:
 * add it inside `<ScaffolderFieldExtensions>` of the app's scaffolder route.
 *
 * @public
 */
export const TrailGuardRemediationPreviewFieldExtension =
  cloudtrailEncryptionPlugin.provide(
    createScaffolderFieldExtension<string, RemediationPreviewUiOptions>({
      name: REMEDIATION_PREVIEW_FIELD,
      component: RemediationPreview,
      validation: validateRemediationPreview,
    }),
  );
