import type {
  AccountReport,
  TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';

const READER_FINDINGS = new Set([
  'DECRYPT_OPEN_TO_ANY_PRINCIPAL',
  'DECRYPT_CROSS_ACCOUNT',
  'NO_DECRYPT_PRINCIPALS',
  'READER_OUTSIDE_ORGANIZATION',
  'READER_ROLE_ASSUMABLE_BY_ANY',
  'READERS_UNRESOLVED',
  'READERS_VIA_BROAD_POLICY',
  'KEY_POLICY_UNREADABLE',
]);

function matches(trail: TrailReport, wanted: string): boolean {
  return trail.trailArn === wanted || trail.name === wanted;
}

function explainTrail(trail: TrailReport, report: AccountReport) {
  const findings = report.findings
    .filter(f => f.trailArn === trail.trailArn && READER_FINDINGS.has(f.code))
    .map(f => ({
      code: f.code,
      severity: f.severity,
      message: f.message,
      remediation: f.remediation,
      trailArn: f.trailArn,
    }));
  const base = {
    trailArn: trail.trailArn,
    name: trail.name,
    encryption: trail.encryption,
    findings,
  };
  if (trail.readers) {
    return {
      ...base,
      analysis: 'effective-readers' as const,
      readers: trail.readers.readers.map(r => ({
        principal: r.principal,
        kind: r.kind,
        accountId: r.accountId,
        outsideOrganization: r.outsideOrganization,
        crossAccount: r.crossAccount,
        via: r.via.map(
          step =>
            `${step.layer}:${step.policy}${
              step.attachedTo ? ` on ${step.attachedTo}` : ''
            }#${step.statement}`,
        ),
        conditions: r.conditions,
        assumableBy: r.trustedBy?.map(t => t.principal),
      })),
      unresolvedAccounts: trail.readers.unresolved.map(u => ({
        accountId: u.accountId,
        reason: u.reason,
      })),
    };
  }
  if (trail.encryption !== 'SSE-KMS') {
    return { ...base, analysis: 'none' as const, readers: [] };
  }
  // Reports from before reader analysis only know who the key lets decrypt.
  return {
    ...base,
    analysis: 'key-policy-only' as const,
    readers: trail.decryptPrincipals.map(p => ({
      principal: p.principal,
      kind: p.kind,
      accountId: p.accountId,
      via: [`${p.via}${p.source ? `#${p.source}` : ''}`],
      conditions: p.conditions,
    })),
  };
}

/** Who can read each trail's logs (or the one named), from a stored report. */
export function explainReaders(report: AccountReport, trail?: string) {
  const trails = trail
    ? report.trails.filter(t => matches(t, trail))
    : report.trails;
  return trails.map(t => explainTrail(t, report));
}
