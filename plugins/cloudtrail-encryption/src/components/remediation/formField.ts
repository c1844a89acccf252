import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import {
  RemediationPreview,
  validateRemediationPreview,
} from './RemediationPreview';
import { REMEDIATION_PREVIEW_FIELD } from './dryRunPreview';

/** The preview as a form field of the new frontend system's scaffolder. */
export const remediationPreviewFormField = createFormField({
  name: REMEDIATION_PREVIEW_FIELD,
  component: RemediationPreview,
  validation: validateRemediationPreview,
});
