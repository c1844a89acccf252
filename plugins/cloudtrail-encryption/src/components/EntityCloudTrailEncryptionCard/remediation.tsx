import { LinkButton } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  isBlockingSeverity,
  type TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { remediationTemplateRouteRef } from '../../routes';

/** Which Scaffolder template the Remediate button opens. */
export interface RemediationTemplate {
  namespace: string;
  name: string;
}

/** The remediation template's parameters, prefilled from the report. */
export interface RemediationFormData {
  accountEntity: string;
  accountId: string;
  trailArn?: string;
  trailName?: string;
  trailRegion?: string;
  bucketName?: string;
  bucketRegion?: string;
  existingKeyArn?: string;
  keyMode: 'existing' | 'create';
}

/** A trail needs fixing when it is not on a KMS key or has a blocking finding. */
export function needsRemediation(trail: TrailReport): boolean {
  return (
    trail.encryption !== 'SSE-KMS' ||
    trail.findings.some(finding => isBlockingSeverity(finding.severity))
  );
}

/**
 * A key in another Region than the bucket, or on its way out, can never
 * encrypt the trail's logs, so the template is asked for a new key instead of
 * being pointed at one it would fail to repair.
 */
/**
 * Only an enabled customer-managed key in the bucket's Region can be kept:
 * a disabled or deleting key stops delivery whatever its policy says, so the
 * template is prefilled to create a new key instead.
 */
function canReuseKey(trail: TrailReport): boolean {
  const key = trail.kmsKey;
  return (
    key !== undefined &&
    trail.keyRegionMatchesBucket !== false &&
    key.state === 'Enabled' &&
    key.keyManager !== 'AWS'
  );
}

export function remediationFormData(
  entity: Entity,
  accountId: string,
  trail?: TrailReport,
): RemediationFormData {
  const base = { accountEntity: stringifyEntityRef(entity), accountId };
  if (!trail) return { ...base, keyMode: 'create' };
  const reuse = canReuseKey(trail);
  return {
    ...base,
    trailArn: trail.trailArn,
    trailName: trail.name,
    trailRegion: trail.homeRegion,
    bucketName: trail.s3BucketName,
    bucketRegion: trail.bucketRegion,
    existingKeyArn: reuse ? trail.kmsKey?.arn : undefined,
    keyMode: reuse ? 'existing' : 'create',
  };
}

/** Links to the template; renders nothing when the app has not bound the route. */
export function RemediateButton(props: {
  template: RemediationTemplate;
  formData: RemediationFormData;
}) {
  const { template, formData } = props;
  const templateRoute = useRouteRef(remediationTemplateRouteRef);
  if (!templateRoute) return null;
  const path = templateRoute({
    namespace: template.namespace,
    templateName: template.name,
  });
  const query = encodeURIComponent(JSON.stringify(formData));
  return (
    <LinkButton
      to={`${path}?formData=${query}`}
      size="small"
      variant="outlined"
      color="primary"
    >
      Remediate
    </LinkButton>
  );
}
