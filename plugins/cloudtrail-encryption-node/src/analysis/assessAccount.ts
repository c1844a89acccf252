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
 */
export const UNCONFIRMED_FINDING_CODES: readonly FindingCode[] = [
  'KEY_POLICY_UNREADABLE',
];

/** What keeps a KMS-encrypted trail from being confirmed as working; empty when nothing does. */
export function trailDataGaps(trail: TrailReport): string[] {
  if (trail.encryption !== 'SSE-KMS') return [];
  const gaps: string[] = [];
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

export interface AccountAssessmentInput {
  trails: TrailReport[];
  /** Account-level findings only; each trail's findings are taken from the trail. */
  findings?: Finding[];
}

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
 *   could not be read (key policy, key, bucket Region, or a CloudTrail
 *   permission that depends on conditions the scan cannot evaluate).
 * - `compliant`: otherwise; medium and low findings do not block.
 */
export function assessAccount(
  input: AccountAssessmentInput | TrailReport[],
): AccountAssessment {
  if (Array.isArray(input)) return assessAccount({ trails: input });
  const findings = sortFindings([
    ...(input.findings ?? []),
    ...input.trails.flatMap(trail => trail.findings),
  ]);
  if (input.trails.length === 0) return { status: 'no-trails', findings };
  const confirmedBlocking = findings.some(
    finding =>
      isBlockingSeverity(finding.severity) &&
      !UNCONFIRMED_FINDING_CODES.includes(finding.code),
  );
  if (confirmedBlocking || input.trails.some(t => t.encryption !== 'SSE-KMS')) {
    return { status: 'non-compliant', findings };
  }
  const unconfirmed =
    findings.some(f => UNCONFIRMED_FINDING_CODES.includes(f.code)) ||
    input.trails.some(trail => trailDataGaps(trail).length > 0);
  return { status: unconfirmed ? 'unknown' : 'compliant', findings };
}
