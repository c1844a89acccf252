import { LinkButton } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import {
  FINDING_TITLES,
  isBlockingSeverity,
  type AccountReport,
  type Finding,
  type FindingCode,
  type TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { remediationTemplateRouteRef } from '../../routes';

/**
 * Which Scaffolder template the Remediate button opens.
 *
 * @public
 */
export interface RemediationTemplate {
  namespace: string;
  name: string;
}

/**
 * The fixes the remediation template knows (its `keyMode` parameter):
 * - `create`: a new key in the bucket's Region, and the trail switched to it;
 * - `existing`: CloudTrail's missing statements added to a key's policy;
 * - `restore`: the trail's key re-enabled (its deletion cancelled first);
 * - `replicate`: the trail's multi-Region key replicated into the bucket's Region;
 * - `narrow-decrypt`: statements that let every principal decrypt narrowed.
 *
 * @public
 */
export type RemediationKeyMode =
  | 'create'
  | 'existing'
  | 'restore'
  | 'replicate'
  | 'narrow-decrypt';

/**
 * The remediation template's parameters, prefilled from the report.
 *
 * @public
 */
export interface RemediationFormData {
  accountEntity: string;
  accountId: string;
  trailArn?: string;
  trailName?: string;
  trailRegion?: string;
  bucketName?: string;
  bucketRegion?: string;
  /**
   * The trail's current key: the key to repair (`existing`, `restore`,
   * `replicate`, `narrow-decrypt`), or, with `create` for a disabled key or
   * one pending deletion, the key `restore` would re-enable instead. Never
   * any other key: the template refuses one that is not the trail's.
   */
  existingKeyArn?: string;
  keyMode: RemediationKeyMode;
}

/** A trail needs fixing when it is not on a KMS key or has a blocking finding. */
export function needsRemediation(trail: TrailReport): boolean {
  return (
    trail.encryption !== 'SSE-KMS' ||
    trail.findings.some(finding => isBlockingSeverity(finding.severity))
  );
}

/** Findings a new key (or a fresh replica with CloudTrail's policy) leaves behind. */
const KEY_REPLACEMENT_FIXES: ReadonlySet<FindingCode> = new Set<FindingCode>([
  'TRAIL_NOT_KMS_ENCRYPTED',
  'KMS_KEY_REGION_MISMATCH',
  'KMS_KEY_NOT_ENABLED',
  'KMS_KEY_PENDING_DELETION',
  'KMS_KEY_NOT_SYMMETRIC',
  'CLOUDTRAIL_CANNOT_ENCRYPT',
  'CLOUDTRAIL_CANNOT_DESCRIBE_KEY',
  'DECRYPT_OPEN_TO_ANY_PRINCIPAL',
  'DECRYPT_CROSS_ACCOUNT',
  'KEY_POLICY_UNREADABLE',
  'TRAIL_DELIVERY_FAILING',
]);

/** The findings each fix removes. */
const FIXES: Record<RemediationKeyMode, ReadonlySet<FindingCode>> = {
  create: KEY_REPLACEMENT_FIXES,
  replicate: KEY_REPLACEMENT_FIXES,
  restore: new Set<FindingCode>([
    'KMS_KEY_NOT_ENABLED',
    'KMS_KEY_PENDING_DELETION',
    'TRAIL_DELIVERY_FAILING',
  ]),
  existing: new Set<FindingCode>([
    'CLOUDTRAIL_CANNOT_ENCRYPT',
    'CLOUDTRAIL_CANNOT_DESCRIBE_KEY',
    'TRAIL_DELIVERY_FAILING',
  ]),
  'narrow-decrypt': new Set<FindingCode>(['DECRYPT_OPEN_TO_ANY_PRINCIPAL']),
};

/** What Remediate would do for a trail, decided from its report. */
export interface TrailRemediationPlan {
  /** The fix the template is prefilled with; absent when none applies here. */
  keyMode?: RemediationKeyMode;
  /** The other fix offered next to it (re-enabling a disabled key). */
  alternative?: RemediationKeyMode;
  /** Blocking findings the fix removes. */
  fixed: Finding[];
  /** Blocking findings nothing here fixes: they need the manual steps. */
  manual: Finding[];
}

function isMultiRegionKey(trail: TrailReport): boolean {
  const key = trail.kmsKey;
  const id = key?.keyId ?? key?.arn.match(/:key\/([^/]+)$/)?.[1];
  return key?.multiRegion === true && !!id?.startsWith('mrk-');
}

/**
 * The fix for a trail, from its blocking findings:
 * - SSE-S3 only, a key that cannot work again as it is (asymmetric) or is
 *   disabled or pending deletion → a new key (re-enabling offered instead);
 * - a key in another Region than the bucket → a replica of a multi-Region
 *   key in the bucket's Region, else a new key;
 * - Decrypt open to every principal → the statements narrowed;
 * - CloudTrail's statements missing → added to the key's policy.
 * Decrypt granted to an outside account, an unreadable key policy, a trail
 * that is not logging, and a delivery failure with no key finding to explain
 * it are not fixed here: they are left to the manual steps.
 */
export function trailRemediationPlan(trail: TrailReport): TrailRemediationPlan {
  const blocking = trail.findings.filter(f => isBlockingSeverity(f.severity));
  const codes = new Set(blocking.map(f => f.code));
  const key = trail.kmsKey;
  const awsManaged = key?.keyManager === 'AWS';
  let keyMode: RemediationKeyMode | undefined;
  let alternative: RemediationKeyMode | undefined;
  if (
    trail.encryption !== 'SSE-KMS' ||
    !key ||
    codes.has('TRAIL_NOT_KMS_ENCRYPTED') ||
    codes.has('KMS_KEY_NOT_SYMMETRIC')
  ) {
    keyMode = 'create';
  } else if (
    codes.has('KMS_KEY_NOT_ENABLED') ||
    codes.has('KMS_KEY_PENDING_DELETION') ||
    key.state !== 'Enabled'
  ) {
    keyMode = 'create';
    // Only a key that still exists can be enabled again.
    const restorable =
      key.state === 'Disabled' || key.state === 'PendingDeletion';
    if (restorable && !awsManaged) alternative = 'restore';
  } else if (
    codes.has('KMS_KEY_REGION_MISMATCH') ||
    trail.keyRegionMatchesBucket === false
  ) {
    keyMode = isMultiRegionKey(trail) && !awsManaged ? 'replicate' : 'create';
  } else if (awsManaged && blocking.some(f => FIXES.existing.has(f.code))) {
    // An AWS managed key's policy cannot be changed.
    keyMode = 'create';
  } else if (codes.has('DECRYPT_OPEN_TO_ANY_PRINCIPAL') && !awsManaged) {
    keyMode = 'narrow-decrypt';
  } else if (
    codes.has('CLOUDTRAIL_CANNOT_ENCRYPT') ||
    codes.has('CLOUDTRAIL_CANNOT_DESCRIBE_KEY')
  ) {
    keyMode = 'existing';
  }
  const fixes = keyMode ? FIXES[keyMode] : new Set<FindingCode>();
  return {
    keyMode,
    alternative,
    fixed: blocking.filter(f => fixes.has(f.code)),
    manual: blocking.filter(f => !fixes.has(f.code)),
  };
}

/**
 * Whether a blocking finding is one nothing here fixes (no Remediate for
 * it): a finding about no trail of the report, or one its trail's fix leaves.
 */
export function isNotFixableHere(
  finding: Finding,
  report: Pick<AccountReport, 'trails'>,
): boolean {
  if (!isBlockingSeverity(finding.severity)) return false;
  const trail = finding.trailArn
    ? report.trails.find(t => t.trailArn === finding.trailArn)
    : undefined;
  if (!trail || trail.error) return true;
  return trailRemediationPlan(trail).manual.some(f => f.code === finding.code);
}

export function remediationFormData(
  entity: Entity,
  accountId: string,
  trail?: TrailReport,
): RemediationFormData {
  const base = { accountEntity: stringifyEntityRef(entity), accountId };
  if (!trail) return { ...base, keyMode: 'create' };
  const plan = trailRemediationPlan(trail);
  const keyMode = plan.keyMode ?? 'create';
  // Only the trail's own key is ever prefilled, and only for a fix that
  // works on it (or the re-enabling offered next to a new key).
  const usesCurrentKey = keyMode !== 'create' || plan.alternative === 'restore';
  return {
    ...base,
    trailArn: trail.trailArn,
    trailName: trail.name,
    trailRegion: trail.homeRegion,
    bucketName: trail.s3BucketName,
    bucketRegion: trail.bucketRegion,
    existingKeyArn: usesCurrentKey ? trail.kmsKey?.arn : undefined,
    keyMode,
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

function findingNames(findings: Finding[]): string {
  return [
    ...new Set(findings.map(f => FINDING_TITLES[f.code]?.title ?? f.code)),
  ].join(', ');
}

/** Marks a blocking finding that has no fix here; its steps are under "How to fix". */
export function NotFixableHere(props: {
  finding: Finding;
  report?: Pick<AccountReport, 'trails'>;
}) {
  const { finding, report } = props;
  if (!report || !isNotFixableHere(finding, report)) return null;
  return (
    <Tooltip title="Remediate does not fix this finding: follow the steps under How to fix.">
      <Chip
        size="small"
        variant="outlined"
        label="Not fixable here"
        data-testid="not-fixable-here"
      />
    </Tooltip>
  );
}

/**
 * A trail's Remediate button, prefilled with the fix its report calls for;
 * "Not fixable here" instead when no fix of the template applies, naming the
 * findings whose manual steps the findings list shows.
 */
export function TrailRemediation(props: {
  template: RemediationTemplate;
  entity: Entity;
  accountId: string;
  trail: TrailReport;
}) {
  const { template, entity, accountId, trail } = props;
  const plan = trailRemediationPlan(trail);
  if (!plan.keyMode) {
    const names = findingNames(plan.manual);
    return (
      <Tooltip
        title={`Remediate cannot fix ${names}. Follow the steps under How to fix in the findings below.`}
      >
        <Chip
          size="small"
          label="Not fixable here"
          aria-label={`Not fixable here: ${names}`}
          data-testid="trail-not-fixable-here"
        />
      </Tooltip>
    );
  }
  return (
    <RemediateButton
      template={template}
      formData={remediationFormData(entity, accountId, trail)}
    />
  );
}
