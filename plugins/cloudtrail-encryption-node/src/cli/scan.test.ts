import {
  loadScenario,
  startSandbox,
  type Sandbox,
} from '@trailguard/aws-sandbox';
import {
  FINDING_CODES,
  type FindingCode,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { join, resolve } from 'node:path';
import { FINDING_CATALOGUE } from '../analysis/catalogue';
import { runCli, tempFiles } from './__testUtils__/runCli';

jest.setTimeout(60_000);

const REPO = resolve(__dirname, '../../../..');
const ORG_TRAIL = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail';
const DEMO_ACCOUNTS = [
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
  '111111111111',
  '222222222222',
];

const { file } = tempFiles('trailguard-cli-scan-');

describe('trailguard scan on the demo configuration', () => {
  let sandbox: Sandbox;
  /** The repository's own development config, with the sandbox's port of this test. */
  let demo: string[];

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    const port = file(
      'sandbox-port.yaml',
      `cloudtrailEncryption:\n  aws:\n    endpoint: ${sandbox.endpoint}\n`,
    );
    demo = [
      '--config',
      join(REPO, 'app-config.yaml'),
      '--config',
      join(REPO, 'app-config.development.yaml'),
      '--config',
      port,
    ];
  });
  afterAll(async () => {
    await sandbox.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  const scan = (...args: string[]) => runCli(['scan', ...demo, ...args]);
  const json = async (...args: string[]) => {
    const result = await scan('--format', 'json', ...args);
    return { ...result, reports: JSON.parse(result.stdout) as any[] };
  };

  it('scans every account of the demo organization without --account', async () => {
    const { reports, code, stderr } = await json();
    expect(reports.map(r => r.accountId).sort()).toEqual(DEMO_ACCOUNTS);
    expect(reports.every(r => r.scanStatus !== 'pending')).toBe(true);
    expect(reports[0].membership).toMatchObject({
      source: 'organization',
      organizationId: 'o-tgdemo12345',
      state: 'ACTIVE',
    });
    // The organization's own "*" pinned to o-tgdemo12345 is not cross-account.
    const shared = reports.find(r => r.accountId === '100000000009');
    expect(shared.status).toBe('compliant');
    expect(code).toBe(1);
    expect(stderr).toContain('(14/14)');
  });

  it('reads the organization trail key as its owner with --account', async () => {
    const { reports, code } = await json('--account', '100000000001');
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report).toMatchObject({
      accountId: '100000000001',
      status: 'compliant',
      scanStatus: 'ok',
    });
    const orgTrail = report.trails.find((t: any) => t.trailArn === ORG_TRAIL);
    expect(orgTrail.kmsKey).toMatchObject({ policyReadable: true });
    expect(report.findings.map((f: any) => f.code)).not.toContain(
      'KEY_POLICY_UNREADABLE',
    );
    expect(code).toBe(0);
  });

  it('exits 1 on a non-compliant account, 0 when the threshold is above its findings', async () => {
    const blocking = await json('--account', '100000000002');
    expect(blocking.reports[0].status).toBe('non-compliant');
    const severities = blocking.reports[0].findings.map((f: any) => f.severity);
    expect(severities).toContain('high');
    expect(severities).not.toContain('critical');
    expect(blocking.code).toBe(1);

    expect(
      (await scan('--account', '100000000002', '--fail-on', 'critical')).code,
    ).toBe(0);
    expect(
      (await scan('--account', '100000000002', '--fail-on', 'none')).code,
    ).toBe(0);
    // The key in another Region than the bucket is critical.
    expect(
      (await scan('--account', '100000000003', '--fail-on', 'critical')).code,
    ).toBe(1);
  });

  it('counts findings below blocking with a lower --fail-on', async () => {
    const before = await json('--account', '100000000001', '--fail-on', 'info');
    expect(before.code).toBe(0);
    const trail = before.reports[0].trails.find(
      (t: any) => t.name === 'payments-trail',
    );
    sandbox.mutate.setKeyRotation(trail.kmsKey.arn, false);
    try {
      const after = await json('--account', '100000000001');
      expect(after.reports[0].status).toBe('compliant');
      expect(after.reports[0].findings.map((f: any) => f.code)).toEqual([
        'KEY_ROTATION_DISABLED',
      ]);
      expect(after.code).toBe(0);
      const low = ['--account', '100000000001', '--fail-on'];
      expect((await scan(...low, 'medium')).code).toBe(0);
      expect((await scan(...low, 'low')).code).toBe(1);
    } finally {
      sandbox.mutate.setKeyRotation(trail.kmsKey.arn, true);
    }
  });

  it('exits 3 when an account cannot be scanned, 0 with --allow-unknown', async () => {
    const undecided = await json('--account', '100000000012');
    expect(undecided.reports[0]).toMatchObject({
      status: 'unknown',
      scanStatus: 'error',
    });
    expect(undecided.code).toBe(3);
    expect(undecided.stderr).toContain('undecided: 100000000012');
    expect(
      (await scan('--account', '100000000012', '--allow-unknown')).code,
    ).toBe(0);
    // A confirmed problem outranks an undecided account.
    expect(
      (await scan('--account', '100000000012', '--account', '100000000002'))
        .code,
    ).toBe(1);
  });

  it('prints a table with one line per account and every finding', async () => {
    const { stdout, code } = await scan(
      '--account',
      '100000000001',
      '--account',
      '100000000002',
    );
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^ACCOUNT\s+STATUS\s+SCAN\s+TRAILS\s+WORST/);
    expect(lines[1]).toMatch(/^100000000001 payments-prod\s+compliant\s+ok/);
    expect(lines[2]).toMatch(
      /^100000000002 marketing-sandbox\s+non-compliant\s+ok\s+\d+\s+high TRAIL_NOT_KMS_ENCRYPTED/,
    );
    expect(stdout).toMatch(
      /\n100000000002\s+high\s+TRAIL_NOT_KMS_ENCRYPTED\s+\S/,
    );
  });

  it('prints SARIF 2.1.0 with a rule per finding code and a result per finding', async () => {
    const { stdout, code } = await scan(
      '--format',
      'sarif',
      '--account',
      '100000000002',
      '--account',
      '100000000003',
      '--account',
      '100000000012',
    );
    expect(code).toBe(1);
    const sarif = JSON.parse(stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    expect(sarif.runs).toHaveLength(1);
    const [sarifRun] = sarif.runs;
    expect(sarifRun.tool.driver.name).toBe('TrailGuard');
    const rules = sarifRun.tool.driver.rules;
    expect(rules.map((r: any) => r.id)).toEqual(FINDING_CODES);
    for (const rule of rules) {
      const entry = FINDING_CATALOGUE[rule.id as FindingCode];
      expect(rule.shortDescription.text).toBe(entry.title);
      expect(rule.fullDescription.text).toBe(entry.description);
      expect(rule.help.text).toBe(entry.remediation);
      expect(Number(rule.properties['security-severity'])).toBeGreaterThan(0);
      expect(rule.defaultConfiguration.level).toBe(
        { critical: 'error', high: 'error', medium: 'warning' }[
          entry.severity as string
        ] ?? 'note',
      );
    }
    const levels = Object.fromEntries(
      rules.map((r: any) => [r.id, r.defaultConfiguration.level]),
    );
    expect(levels).toMatchObject({
      KMS_KEY_REGION_MISMATCH: 'error',
      TRAIL_NOT_KMS_ENCRYPTED: 'error',
      KEY_ROTATION_DISABLED: 'note',
    });

    const results = sarifRun.results;
    expect(results.map((r: any) => r.ruleId)).toEqual(
      expect.arrayContaining([
        'TRAIL_NOT_KMS_ENCRYPTED',
        'KMS_KEY_REGION_MISMATCH',
      ]),
    );
    for (const result of results) {
      expect(rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(['error', 'warning', 'note']).toContain(result.level);
      expect(result.message.text).toEqual(expect.any(String));
      const [location] = result.locations;
      expect(location.physicalLocation.artifactLocation.uri).toMatch(
        /app-config\.yaml$/,
      );
      expect(location.logicalLocations[0].fullyQualifiedName).toMatch(
        /^aws:\/\/account\/\d{12}(\/trail\/arn:aws:cloudtrail:.+)?$/,
      );
      expect(Object.values(result.partialFingerprints)[0]).toMatch(
        /^[0-9a-f]{64}$/,
      );
    }
    const mismatch = results.find(
      (r: any) => r.ruleId === 'KMS_KEY_REGION_MISMATCH',
    );
    expect(mismatch.level).toBe('error');
    expect(mismatch.locations[0].logicalLocations[0].fullyQualifiedName).toBe(
      'aws://account/100000000003/trail/arn:aws:cloudtrail:us-east-1:100000000003:trail/data-lake-trail',
    );
    // The account that could not be scanned is a notification, not a result.
    expect(sarifRun.invocations[0].executionSuccessful).toBe(false);
    expect(
      sarifRun.invocations[0].toolExecutionNotifications[0].message.text,
    ).toContain('100000000012');
    expect(
      results.some((r: any) => r.properties.accountId === '100000000012'),
    ).toBe(false);
  });

  it('lists suspended accounts as not scanned and scans the others', async () => {
    const scenario = loadScenario('demo');
    scenario.accounts.find(a => a.id === '100000000005')!.state = 'SUSPENDED';
    sandbox.loadScenario(scenario);
    try {
      const { reports, code } = await json('--fail-on', 'none');
      expect(reports).toHaveLength(14);
      const suspended = reports.find(r => r.accountId === '100000000005');
      expect(suspended).toMatchObject({
        scanStatus: 'pending',
        status: 'unknown',
        membership: { state: 'SUSPENDED' },
        trails: [],
      });
      expect(suspended.error).toMatch(/not scanned/);
      expect(reports.filter(r => r.scanStatus === 'pending')).toHaveLength(1);
      // 100000000012 still cannot be scanned; the suspended one changes nothing.
      expect(code).toBe(3);
      const allowed = await scan('--fail-on', 'none', '--allow-unknown');
      expect(allowed.code).toBe(0);
    } finally {
      sandbox.loadScenario('demo');
    }
  });

  it('scans an account outside the estate when named, and says so', async () => {
    const { reports, code, stderr } = await json('--account', '999999999999');
    expect(stderr).toContain('999999999999 is not in the estate');
    expect(reports).toEqual([
      expect.objectContaining({
        accountId: '999999999999',
        membership: { source: 'configured', state: 'ACTIVE' },
        scanStatus: 'error',
      }),
    ]);
    expect(code).toBe(3);
  });

  it('exits 3 when the estate cannot be read', async () => {
    const wrongKeys = file(
      'wrong-keys.yaml',
      `aws:\n  mainAccount:\n    accessKeyId: AKIANOTINTHESANDBOX1\n    secretAccessKey: not-the-secret\n`,
    );
    const { code, stdout, stderr } = await scan('--config', wrongKeys);
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /nothing scanned: Could not read the AWS organization/,
    );
  });
});
