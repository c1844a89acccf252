import {
  AccountStatus,
  Finding,
  FindingCode,
  isBlockingSeverity,
  TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { sortFindings } from './assessTrail';

/**
 * Findings that say "we could not look", not "this is wrong": blocking by
 * severity, but they make an account `unknown`, never `non-compliant`.
 *
 * @public
 */
export const UNCONFIRMED_FINDING_CODES: readonly FindingCode[] = [
  'KEY_POLICY_UNREADABLE',
];

/**
 * What keeps a KMS-encrypted trail from being confirmed as working; empty
 * when nothing does. `organizationId` is the estate's organization: without
 * it, decrypt access pinned to an organization cannot be verified as ours.
 *
 * @public
 */
export function trailDataGaps(
  trail: TrailReport,
  organizationId?: string,
): string[] {
  if (trail.error) {
    return [`the trail could not be described: ${trail.error}`];
  }
  if (trail.encryption !== 'SSE-KMS') return [];
  const gaps: string[] = [];
  if (!organizationId) {
    const pinned = [
      ...new Set(
        trail.decryptPrincipals.flatMap(p =>
          p.organizationId && !p.accountId ? [p.organizationId] : [],
        ),
      ),
    ];
    if (pinned.length) {
      gaps.push(
        `decrypt access for organization ${pinned.join(
          ', ',
        )} could not be verified: the estate's organization id is unknown`,
      );
    }
  }
  if (trail.bucketRegion === undefined) {
    gaps.push('the bucket Region could not be learned');
  } else if (trail.keyRegionMatchesBucket === undefined) {
    gaps.push('the key Region is unknown');
  }
  if (
    trail.kmsKey?.state === 'Unknown' &&
    trail.cloudTrailCanEncrypt !== false
  ) {
    gaps.push('the key state is unknown');
  }
  if (trail.cloudTrailCanEncrypt === undefined) {
    gaps.push('whether CloudTrail may encrypt with the key is unknown');
  }
  if (trail.cloudTrailCanDescribe === undefined) {
    gaps.push('whether CloudTrail may describe the key is unknown');
  }
  return gaps;
}

/** @public */
export interface AccountAssessmentInput {
  trails: TrailReport[];
  /** Account-level findings only; each trail's findings are taken from the trail. */
  findings?: Finding[];
  /** The estate's organization id; unknown (accounts mode) leaves organization pins unverified. */
  organizationId?: string;
  /** Regions or trails could not be read: never `compliant`. */
  partial?: boolean;
}

/** @public */
export interface AccountAssessment {
  status: AccountStatus;
  /** Account-level findings plus every trail's, most severe first. */
  findings: Finding[];
}

/**
 * - `no-trails`: the account has no trail.
 * - `non-compliant`: a trail is not KMS-encrypted, or any confirmed
 *   critical/high finding exists.
 * - `unknown`: nothing confirmed is wrong, but something needed to decide
 *   could not be read (key policy, key, bucket Region, a CloudTrail
 *   permission that depends on conditions the scan cannot evaluate, a trail
 *   ListTrails named but that could not be described, a Region that failed,
 *   or decrypt access pinned to an organization while the estate's
 *   organization id is unknown).
 * - `compliant`: otherwise; medium and low findings do not block.
 *
 * @public
 */
export function assessAccount(
  input: AccountAssessmentInput | TrailReport[],
): AccountAssessment {
  if (Array.isArray(input)) return assessAccount({ trails: input });
  const findings = sortFindings([
    ...(input.findings ?? []),
    ...input.trails.flatMap(trail => trail.findings),
  ]);
  if (input.trails.length === 0) {
    return { status: input.partial ? 'unknown' : 'no-trails', findings };
  }
  const confirmedBlocking = findings.some(
    finding =>
      isBlockingSeverity(finding.severity) &&
      !UNCONFIRMED_FINDING_CODES.includes(finding.code),
  );
  const described = input.trails.filter(t => !t.error);
  if (confirmedBlocking || described.some(t => t.encryption !== 'SSE-KMS')) {
    return { status: 'non-compliant', findings };
  }
  const unconfirmed =
    input.partial ||
    findings.some(f => UNCONFIRMED_FINDING_CODES.includes(f.code)) ||
    input.trails.some(
      trail => trailDataGaps(trail, input.organizationId).length > 0,
    );
  return { status: unconfirmed ? 'unknown' : 'compliant', findings };
}
