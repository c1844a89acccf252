import { sandboxConfig } from '../__testUtils__/sandboxConfig';
import {
  computeMinimalCallPlan,
  startSandbox,
  type Sandbox,
} from '@trailguard/aws-sandbox';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import { createScanEngineFromConfig } from './config';

jest.setTimeout(60_000);

const DEMO_ACCOUNTS = [
  '111111111111',
  '222222222222',
  '100000000001',
  '100000000002',
  '100000000003',
  '100000000004',
  '100000000005',
  '100000000006',
  '100000000007',
  '100000000008',
  '100000000009',
  '100000000010',
  '100000000011',
  '100000000012',
];

function configFor(sandbox: Sandbox, extra: object = {}) {
  return sandboxConfig(sandbox, {
    aws: { requestTimeout: 2000, callTimeout: 5000 },
    scan: { concurrency: 4 },
    ...extra,
  });
}

function codes(report: AccountReport): string[] {
  return [...new Set(report.findings.map(f => f.code))].sort();
}

describe('ScanEngine against the sandbox demo organization', () => {
  let sandbox: Sandbox;
  let reports: Map<string, AccountReport>;
  const progress: number[] = [];
  /** `read:<n>` as each account is read, `report:<n>` as reports follow. */
  const events: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    // integration-aws-node builds its own STS clients; the SDK honours this.
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    const { engine, clients } = createScanEngineFromConfig(configFor(sandbox));
    try {
      const result = await engine.scan(
        DEMO_ACCOUNTS.map(accountId => ({ accountId })),
        {
          onProgress: p => {
            progress.push(p.done);
            events.push(`report:${p.done}`);
          },
          onAccountRead: p => void events.push(`read:${p.done}`),
        },
      );
      reports = new Map(result.map(r => [r.accountId, r]));
    } finally {
      clients.destroy();
    }
  });

  afterAll(async () => {
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('returns one report per account, in the order asked, with progress', () => {
    expect([...reports.keys()]).toEqual(DEMO_ACCOUNTS);
    expect(progress).toEqual(DEMO_ACCOUNTS.map((_, i) => i + 1));
    // Every account is read (and counted) before the reports, which need
    // every account's IAM, are built.
    const reads = events.filter(e => e.startsWith('read:'));
    expect(reads).toEqual(DEMO_ACCOUNTS.map((_, i) => `read:${i + 1}`));
    const lastRead = events.lastIndexOf(reads.at(-1)!);
    const reportsAfter = events
      .slice(lastRead + 1)
      .filter(e => e.startsWith('report:'));
    // An account that cannot be read at all is reported at once.
    expect(reportsAfter.length).toBeGreaterThanOrEqual(
      DEMO_ACCOUNTS.length - 1,
    );
  });

  it.each([
    ['111111111111', 'compliant', []],
    ['222222222222', 'compliant', []],
    ['100000000001', 'compliant', []],
    ['100000000002', 'non-compliant', ['TRAIL_NOT_KMS_ENCRYPTED']],
    ['100000000003', 'non-compliant', ['KMS_KEY_REGION_MISMATCH']],
    [
      '100000000004',
      'non-compliant',
      ['KMS_KEY_NOT_ENABLED', 'TRAIL_DELIVERY_FAILING'],
    ],
    ['100000000005', 'non-compliant', ['KMS_KEY_PENDING_DELETION']],
    ['100000000006', 'non-compliant', ['CLOUDTRAIL_CANNOT_ENCRYPT']],
    ['100000000007', 'non-compliant', ['CLOUDTRAIL_CANNOT_DESCRIBE_KEY']],
    ['100000000008', 'non-compliant', ['DECRYPT_OPEN_TO_ANY_PRINCIPAL']],
    ['100000000009', 'compliant', []],
    ['100000000010', 'non-compliant', ['DECRYPT_CROSS_ACCOUNT']],
    ['100000000011', 'compliant', []],
  ])('account %s is %s with findings %j', (accountId, status, expected) => {
    const report = reports.get(accountId)!;
    expect(report.scanStatus).toBe('ok');
    expect(report.status).toBe(status);
    expect(codes(report)).toEqual(expect.arrayContaining(expected));
    const blocking = report.findings.filter(f =>
      ['critical', 'high'].includes(f.severity),
    );
    expect(blocking.length > 0).toBe(status === 'non-compliant');
  });

  it('reports the account whose role cannot be assumed as a scan error', () => {
    const report = reports.get('100000000012')!;
    expect(report.scanStatus).toBe('error');
    expect(report.error).toMatch(/credentials.*100000000012.*AccessDenied/s);
    expect(report.trails).toEqual([]);
  });

  it('describes the organization trail from every member with its key and bucket', () => {
    const member = reports.get('100000000001')!;
    const orgTrail = member.trails.find(t => t.isOrganizationTrail)!;
    expect(orgTrail).toEqual(
      expect.objectContaining({
        ownerAccountId: '111111111111',
        encryption: 'SSE-KMS',
        bucketRegion: 'us-east-1',
        keyRegionMatchesBucket: true,
        cloudTrailCanEncrypt: true,
        cloudTrailCanDescribe: true,
      }),
    );
    expect(orgTrail.kmsKey?.accountId).toBe('222222222222');
    expect(orgTrail.decryptPrincipals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          principal: 'arn:aws:iam::222222222222:role/LogArchiveReader',
          kind: 'iam-role',
          via: 'key-policy',
        }),
      ]),
    );
  });

  it('shows key Region against bucket Region for the mismatch account', () => {
    const trail = reports
      .get('100000000003')!
      .trails.find(t => !t.isOrganizationTrail)!;
    expect(trail.kmsKey?.region).toBe('eu-west-1');
    expect(trail.bucketRegion).toBe('us-east-1');
    expect(trail.keyRegionMatchesBucket).toBe(false);
  });

  it('lists a grant holder as a decrypt principal', () => {
    const trail = reports
      .get('100000000001')!
      .trails.find(t => !t.isOrganizationTrail)!;
    expect(trail.decryptPrincipals).toEqual(
      expect.arrayContaining([expect.objectContaining({ via: 'grant' })]),
    );
  });

  it('accepts a multi-Region key in the bucket Region', () => {
    const trail = reports
      .get('100000000011')!
      .trails.find(t => !t.isOrganizationTrail)!;
    expect(trail.kmsKey?.multiRegion).toBe(true);
    expect(trail.keyRegionMatchesBucket).toBe(true);
  });
});

describe('ScanEngine call plan', () => {
  it('makes exactly the minimal plan of calls: no Region sweep, one look-up per key, bucket and reader account', async () => {
    const sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    const { engine, clients } = createScanEngineFromConfig(
      configFor(sandbox, { estate: { managementAccountId: '111111111111' } }),
    );
    try {
      sandbox.resetCounters();
      await engine.scan(
        DEMO_ACCOUNTS.map(accountId => ({ accountId })),
        {
          organizationId: 'o-tgdemo12345',
          organizationAccountIds: DEMO_ACCOUNTS,
        },
      );
      const counters = sandbox.counters();
      const plan = computeMinimalCallPlan(sandbox.scenario);
      const { ['organizations:ListAccounts']: _ignored, ...expected } =
        plan.byApi;
      expect(counters.byApi).toEqual(expected);
      // The readers' share of the plan: IAM once per admitted account, the
      // bucket policies once per bucket, the guardrails once.
      expect(expected['iam:GetAccountAuthorizationDetails']).toBeGreaterThan(1);
      expect(expected['s3:GetPublicAccessBlock']).toBeGreaterThan(1);
      expect(expected['organizations:ListPolicies']).toBe(2);
      for (const [accountId, apis] of Object.entries(counters.byAccountApi)) {
        const iam = apis['iam:GetAccountAuthorizationDetails'] ?? 0;
        expect({ accountId, iam }).toEqual({ accountId, iam: iam ? 1 : 0 });
      }
    } finally {
      clients.destroy();
      await sandbox.close();
      delete process.env.AWS_ENDPOINT_URL_STS;
    }
  });
});
