export { EntityCloudTrailEncryptionCard } from './EntityCloudTrailEncryptionCard';
export type { EntityCloudTrailEncryptionCardProps } from './EntityCloudTrailEncryptionCard';
export type { RemediationFormData, RemediationTemplate } from './remediation';
