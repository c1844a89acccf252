import type { AccountReport, Finding, TrailReport } from './report';
import { describeReportDiff, diffReports } from './reportDiff';

const ARN_A = 'arn:aws:cloudtrail:us-east-1:100000000001:trail/main';
const ARN_B = 'arn:aws:cloudtrail:eu-west-1:100000000001:trail/eu';

function trail(arn: string, name: string): TrailReport {
  return {
    trailArn: arn,
    name,
    homeRegion: 'us-east-1',
    isMultiRegionTrail: true,
    isOrganizationTrail: false,
    ownerAccountId: '100000000001',
    s3BucketName: 'logs',
    encryption: 'SSE-S3',
    decryptPrincipals: [],
    findings: [],
  } as unknown as TrailReport;
}

function finding(code: Finding['code'], trailArn?: string): Finding {
  return {
    code,
    severity: 'high',
    message: `${code} message`,
    remediation: 'fix it',
    ...(trailArn ? { trailArn } : {}),
  };
}

function report(
  status: AccountReport['status'],
  trails: TrailReport[],
  findings: Finding[],
  extra: Partial<AccountReport> = {},
): AccountReport {
  return {
    accountId: '100000000001',
    scannedAt: '2026-12-04T05:00:00Z',
    scanStatus: 'ok',
    status,
    trails,
    findings,
    ...extra,
  };
}

describe('diffReports', () => {
  it('names the status change, the resolved findings and the trails', () => {
    const before = report(
      'non-compliant',
      [trail(ARN_A, 'main')],
      [
        finding('TRAIL_NOT_KMS_ENCRYPTED', ARN_A),
        finding('KEY_ROTATION_DISABLED', ARN_A),
      ],
    );
    const after = report(
      'compliant',
      [trail(ARN_B, 'eu')],
      [finding('KEY_ROTATION_DISABLED', ARN_B)],
    );
    const diff = diffReports(before, after);
    expect(diff.statusBefore).toBe('non-compliant');
    expect(diff.statusAfter).toBe('compliant');
    expect(diff.resolved.map(c => [c.code, c.trailName])).toEqual([
      ['TRAIL_NOT_KMS_ENCRYPTED', 'main'],
      ['KEY_ROTATION_DISABLED', 'main'],
    ]);
    expect(diff.resolved[0].title).toBe('Trail not encrypted with a KMS key');
    expect(diff.added.map(c => [c.code, c.trailName])).toEqual([
      ['KEY_ROTATION_DISABLED', 'eu'],
    ]);
    expect(diff.trailsAdded).toEqual(['eu']);
    expect(diff.trailsRemoved).toEqual(['main']);
    expect(diff.remaining).toBe(1);
    expect(diff.unchanged).toBe(false);
    expect(describeReportDiff(diff)).toEqual([
      'Status: non-compliant → compliant',
      'Resolved: Trail not encrypted with a KMS key (TRAIL_NOT_KMS_ENCRYPTED) on main',
      `Resolved: ${diff.resolved[1].title} (KEY_ROTATION_DISABLED) on main`,
      `New: ${diff.added[0].title} (KEY_ROTATION_DISABLED) on eu`,
      'Trail added: eu',
      'Trail removed: main',
      '1 finding remains',
    ]);
  });

  it('says "no change" when the same findings remain', () => {
    const before = report(
      'non-compliant',
      [trail(ARN_A, 'main')],
      [
        finding('TRAIL_NOT_KMS_ENCRYPTED', ARN_A),
        finding('NO_DECRYPT_PRINCIPALS'),
      ],
    );
    // Same findings in another order, with another scan time.
    const after = {
      ...before,
      scannedAt: '2026-12-04T06:00:00Z',
      findings: [...before.findings].reverse(),
    };
    const diff = diffReports(before, after);
    expect(diff.unchanged).toBe(true);
    expect(diff.resolved).toEqual([]);
    expect(diff.added).toEqual([]);
    expect(describeReportDiff(diff)).toEqual(['No change: 2 findings remain']);
  });

  it('counts a repeated code on one trail as separate findings', () => {
    const before = report(
      'non-compliant',
      [trail(ARN_A, 'main')],
      [
        finding('DECRYPT_CROSS_ACCOUNT', ARN_A),
        finding('DECRYPT_CROSS_ACCOUNT', ARN_A),
      ],
    );
    const after = report(
      'non-compliant',
      [trail(ARN_A, 'main')],
      [finding('DECRYPT_CROSS_ACCOUNT', ARN_A)],
    );
    const diff = diffReports(before, after);
    expect(diff.resolved).toHaveLength(1);
    expect(diff.added).toHaveLength(0);
    expect(diff.unchanged).toBe(false);
  });

  it('treats a first report as all new, from "not scanned"', () => {
    const after = report('no-trails', [], []);
    const diff = diffReports(undefined, after);
    expect(diff.statusBefore).toBeUndefined();
    expect(diff.unchanged).toBe(false);
    expect(describeReportDiff(diff)).toEqual([
      'Status: not scanned → no-trails',
      '0 findings remain',
    ]);
  });

  it('reports a failed scan with its reason and changes nothing', () => {
    const before = report('compliant', [trail(ARN_A, 'main')], []);
    const after = {
      ...before,
      scanStatus: 'error' as const,
      error: 'AccessDenied: not authorized to assume the scan role',
    };
    const diff = diffReports(before, after);
    expect(diff.scanFailed).toBe(true);
    expect(diff.error).toBe(
      'AccessDenied: not authorized to assume the scan role',
    );
    expect(diff.unchanged).toBe(true);
    expect(describeReportDiff(diff)).toEqual([
      'The scan failed: AccessDenied: not authorized to assume the scan role; the last good report is kept',
      'No change: 0 findings remain',
    ]);
  });
});
