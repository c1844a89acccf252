import {
  isBlockingSeverity,
  SEVERITIES,
  type Severity,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/**
 * Why an account with findings is still compliant, or `undefined` when there
 * is nothing to explain (not compliant, or no findings at all).
 */
export function compliantDespiteFindings(
  verdict: string,
  severities: Severity[],
): string | undefined {
  if (verdict !== 'compliant') return undefined;
  const present = SEVERITIES.filter(
    severity => !isBlockingSeverity(severity) && severities.includes(severity),
  );
  if (present.length === 0) return undefined;
  const listed =
    present.length === 1
      ? present[0]
      : `${present.slice(0, -1).join(', ')} and ${present.at(-1)}`;
  return `Compliant despite ${listed} findings: only critical and high findings block compliance; medium, low and info findings are advice.`;
}
