export {
  RemediationPreview,
  validateRemediationPreview,
  type RemediationPreviewUiOptions,
} from './RemediationPreview';
export { REMEDIATION_PREVIEW_FIELD } from './dryRunPreview';
