import type { FactSchema } from '@backstage-community/plugin-tech-insights-common';
import {
  compareSeverity,
  type AccountReport,
  type Severity,
  type TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/**
 * The facts published for one AWS-account entity.
 *
 * @public
 */
export interface CloudTrailEncryptionFacts {
  sseKmsOnEveryTrail: boolean;
  keyRegionMatchesBucket: boolean;
  cloudTrailCanEncrypt: boolean;
  readersOutsideOrganization: number;
  worstSeverity: Severity | 'none' | 'unknown';
  status: AccountReport['status'];
  // Tech Insights stores facts as a plain record.
  [name: string]: boolean | number | string;
}

/**
 * The schema of {@link CloudTrailEncryptionFacts}, as Tech Insights stores it.
 *
 * @public
 */
export const cloudTrailEncryptionFactSchema: FactSchema = {
  sseKmsOnEveryTrail: {
    type: 'boolean',
    description:
      'The account has at least one trail and every trail writes its logs with SSE-KMS',
  },
  keyRegionMatchesBucket: {
    type: 'boolean',
    description:
      "Every trail's KMS key is in its log bucket's Region (false when a Region is unknown or a trail has no key)",
  },
  cloudTrailCanEncrypt: {
    type: 'boolean',
    description:
      "Every trail's key policy lets CloudTrail encrypt its logs (false when the policy could not be read or a trail has no key)",
  },
  readersOutsideOrganization: {
    type: 'integer',
    description:
      "Principals that can read the trails' logs and are, or may be assumed from, an account outside the organization (0 when readers were not analysed)",
  },
  worstSeverity: {
    type: 'string',
    description:
      'The most severe finding: critical, high, medium, low or info; none without findings; unknown when the account has no report',
  },
  status: {
    type: 'string',
    description:
      'The TrailGuard status: compliant, non-compliant, no-trails or unknown',
  },
};

/**
 * Effective readers someone outside the organization is, each principal once
 * across the account's trails: a reader in an account outside it, or a
 * reader role an outside account may assume. The same count as the fleet
 * page's column, so that the scorecard and TrailGuard agree.
 *
 * @public
 */
export function countReadersOutsideOrganization(
  trails: ReadonlyArray<TrailReport>,
): number {
  const outside = new Set<string>();
  for (const trail of trails) {
    for (const reader of trail.readers?.readers ?? []) {
      if (
        reader.outsideOrganization ||
        reader.trustedBy?.some(t => t.outsideOrganization)
      ) {
        outside.add(reader.principal);
      }
    }
  }
  return outside.size;
}

function worstSeverityOf(report: AccountReport): Severity | 'none' {
  const severities = report.findings.map(f => f.severity).sort(compareSeverity);
  return severities[0] ?? 'none';
}

// A property nobody could establish (unknown Region, unreadable policy) does
// not hold: a scorecard must not pass on what was not seen.
function everyTrail(
  trails: ReadonlyArray<TrailReport>,
  holds: (trail: TrailReport) => boolean | undefined,
): boolean {
  return trails.length > 0 && trails.every(t => holds(t) === true);
}

/**
 * The facts of an account's report; without a report, nothing holds.
 *
 * @public
 */
export function factsOfReport(
  report: AccountReport | undefined,
): CloudTrailEncryptionFacts {
  if (!report) {
    return {
      sseKmsOnEveryTrail: false,
      keyRegionMatchesBucket: false,
      cloudTrailCanEncrypt: false,
      readersOutsideOrganization: 0,
      worstSeverity: 'unknown',
      status: 'unknown',
    };
  }
  const { trails } = report;
  return {
    sseKmsOnEveryTrail: everyTrail(trails, t => t.encryption === 'SSE-KMS'),
    keyRegionMatchesBucket: everyTrail(trails, t => t.keyRegionMatchesBucket),
    cloudTrailCanEncrypt: everyTrail(trails, t => t.cloudTrailCanEncrypt),
    readersOutsideOrganization: countReadersOutsideOrganization(trails),
    worstSeverity: worstSeverityOf(report),
    status: report.status,
  };
}
