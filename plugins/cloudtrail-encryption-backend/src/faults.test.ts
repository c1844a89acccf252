import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import type { Knex } from 'knex';
import { createTestDatabases } from './__testUtils__/databases';
import { startPluginBackend } from './__testUtils__/harness';

jest.setTimeout(120_000);

/**
 * The fault matrix: each AWS or database fault is injected through the
 * sandbox's controls (or the real database), a full scan runs through the
 * real backend plugin, and then: no account is lost, a failed account keeps
 * its last good report with the new error and time, the run's history row
 * counts it, and the next scan without the fault recovers.
 */
describe.each(createTestDatabases().eachSupportedId())(
  'fault matrix on %s',
  databaseId => {
    const databases = createTestDatabases();
    let sandbox: Sandbox;
    let knex: Knex;
    let h: Awaited<ReturnType<typeof startPluginBackend>>;
    let baseline: Map<string, any>;
    let baselineRun: any;
    const ACCOUNTS = 14;
    const UNREACHABLE = '100000000012';

    beforeAll(async () => {
      sandbox = await startSandbox({ scenario: 'demo' });
      process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
      knex = await databases.init(databaseId);
      h = await startPluginBackend({ sandbox, knex });
      baselineRun = await h.fullScan();
      baseline = await h.reports();
    });

    it('scans the demo organization without faults (the baseline)', () => {
      expect(baselineRun).toEqual(
        expect.objectContaining({ accountCount: ACCOUNTS, errorCount: 1 }),
      );
      expect(baseline.size).toBe(ACCOUNTS);
    });

    afterAll(async () => {
      await h?.backend.stop();
      await sandbox?.close();
      delete process.env.AWS_ENDPOINT_URL_STS;
    });

    afterEach(() => {
      sandbox.faults.reset();
    });

    /** Every account still has a report; returns them. */
    async function allKept() {
      const now = await h.reports();
      expect([...now.keys()].sort()).toEqual([...baseline.keys()].sort());
      expect(now.size).toBe(ACCOUNTS);
      return now;
    }

    /** The accounts whose last scan failed, each with its error. */
    const failedAccounts = async () =>
      [...(await allKept()).values()]
        .filter(r => r.scanStatus === 'error')
        .map(r => `${r.accountId}: ${r.error}`);

    async function expectRecovered() {
      const run = await h.fullScan();
      expect(run.errorCount).toBe(1);
      const now = await allKept();
      for (const [id, report] of now) {
        if (id === UNREACHABLE) continue;
        expect({ id, scan: report.scanStatus, error: report.error }).toEqual({
          id,
          scan: 'ok',
          error: undefined,
        });
        expect({ id, status: report.status }).toEqual({
          id,
          status: baseline.get(id).status,
        });
      }
    }

    it('20% throttling on every API: retried, nothing fails', async () => {
      sandbox.resetCounters();
      sandbox.faults.set({ throttleRate: 0.2, seed: 42 });
      const run = await h.fullScan();
      expect(sandbox.counters().throttled).toBeGreaterThan(10);
      // Named with their errors, so that a failure says which call gave up.
      expect(await failedAccounts()).toEqual([
        expect.stringMatching(/^100000000012: /),
      ]);
      expect(run.errorCount).toBe(1);
      const now = await allKept();
      for (const [id, report] of now) {
        expect({ id, status: report.status }).toEqual({
          id,
          status: baseline.get(id).status,
        });
      }
    });

    it('5xx bursts: retried, nothing fails', async () => {
      // A burst shorter than the attempts a call gets (8 here): even if every
      // failure lands on the same call, a later attempt succeeds.
      sandbox.faults.set({
        failNext: { count: 5, api: ['cloudtrail:*', 'kms:*', 's3:*'] },
      });
      const run = await h.fullScan();
      expect(await failedAccounts()).toEqual([
        expect.stringMatching(/^100000000012: /),
      ]);
      expect(run.errorCount).toBe(1);
      sandbox.faults.set({ errorRate: 0.1, seed: 7 });
      await h.fullScan();
      expect(await failedAccounts()).toEqual([
        expect.stringMatching(/^100000000012: /),
      ]);
    });

    it('AssumeRole AccessDenied for some accounts: their last good report is kept with the error', async () => {
      const denied = ['100000000001', '100000000002'];
      const before = await h.reports();
      sandbox.faults.set({
        accessDenied: [{ account: denied, api: 'sts:AssumeRole' }],
      });
      const run = await h.fullScan();
      expect(run).toEqual(
        expect.objectContaining({ accountCount: ACCOUNTS, errorCount: 3 }),
      );
      const now = await allKept();
      for (const id of denied) {
        const report = now.get(id);
        const good = before.get(id);
        expect(report.scanStatus).toBe('error');
        expect(report.error).toMatch(/AccessDenied/);
        expect(report.scannedAt > good.scannedAt).toBe(true);
        expect(report.lastSuccessAt).toBe(good.lastSuccessAt);
        expect(report.trails).toEqual(good.trails);
        expect(report.status).toBe(good.status);
      }
      sandbox.faults.reset();
      await expectRecovered();
    });

    it('GetKeyPolicy AccessDenied on a foreign key: unreadable, never "compliant"', async () => {
      // The organization trail's key belongs to the log-archive account.
      sandbox.faults.set({
        accessDenied: [{ account: '222222222222', api: 'kms:GetKeyPolicy' }],
      });
      const run = await h.fullScan();
      expect(run.errorCount).toBe(1);
      const now = await allKept();
      const payments = now.get('100000000001');
      expect(payments.scanStatus).toBe('ok');
      expect(payments.status).toBe('unknown');
      const orgTrail = payments.trails.find((t: any) => t.isOrganizationTrail);
      expect(orgTrail.kmsKey.policyReadable).toBe(false);
      expect(orgTrail.cloudTrailCanEncrypt).toBeUndefined();
      expect(orgTrail.findings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            code: 'KEY_POLICY_UNREADABLE',
            message: expect.stringMatching(/AccessDenied/),
          }),
        ]),
      );
      sandbox.faults.reset();
      await expectRecovered();
    });

    it('calls hanging past the timeout fail only their account', async () => {
      sandbox.faults.set({
        hang: [{ account: '100000000003', api: 'cloudtrail:DescribeTrails' }],
      });
      const started = Date.now();
      const run = await h.fullScan();
      // Bounded by the call deadline (20 s in the harness), not hanging.
      expect(Date.now() - started).toBeLessThan(40_000);
      // Only acquired-co fails outright; the hung Region makes data-lake partial.
      expect(run.errorCount).toBe(1);
      const now = await allKept();
      const hung = now.get('100000000003');
      expect(hung.scanStatus).toBe('partial');
      expect(hung.error).toMatch(/abort|timeout|timed out/i);
      expect(hung.failedRegions.map((f: any) => f.region)).toContain(
        'us-east-1',
      );
      // Its trails are still listed (none dropped), each failed one with its error.
      expect(hung.trails.map((t: any) => t.trailArn).sort()).toEqual(
        baseline
          .get('100000000003')
          .trails.map((t: any) => t.trailArn)
          .sort(),
      );
      sandbox.faults.reset();
      await expectRecovered();
    });

    it('malformed and oversized key policies are reported unreadable with the reason', async () => {
      const searchDev = baseline.get('100000000007');
      const keyArn = searchDev.trails.find((t: any) => !t.isOrganizationTrail)
        .kmsKey.arn;
      const original = sandbox.state.keys.get(keyArn)?.policy;
      sandbox.mutate.putRawKeyPolicy(
        keyArn,
        '{"Version": "2012-10-17", "Statement": [',
      );
      await h.fullScan();
      let trail = (await allKept())
        .get('100000000007')
        .trails.find((t: any) => t.kmsKey?.arn === keyArn);
      expect(trail.kmsKey.policyReadable).toBe(false);
      expect(
        trail.findings.find((f: any) => f.code === 'KEY_POLICY_UNREADABLE')
          .message,
      ).toMatch(/JSON/i);

      // Still lets the account's own principals in (so the scan may read
      // it), then hundreds of reader statements.
      const big = {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Enable IAM User Permissions',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::100000000007:root' },
            Action: 'kms:*',
            Resource: '*',
          },
          ...Array.from({ length: 400 }, (_, i) => ({
            Sid: `Reader${i}`,
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::100000000007:role/reader-${i}` },
            Action: 'kms:Decrypt',
            Resource: '*',
          })),
        ],
      };
      sandbox.mutate.putRawKeyPolicy(keyArn, JSON.stringify(big));
      await h.fullScan();
      trail = (await allKept())
        .get('100000000007')
        .trails.find((t: any) => t.kmsKey?.arn === keyArn);
      expect(trail.kmsKey.policyReadable).toBe(true);
      expect(trail.decryptPrincipals.length).toBe(401);

      sandbox.mutate.putRawKeyPolicy(keyArn, original as string);
      await expectRecovered();
    });

    it('a key deleted between two scans is reported, not lost', async () => {
      const report = baseline.get('100000000009');
      const trail = report.trails.find((t: any) => !t.isOrganizationTrail);
      sandbox.mutate.deleteKey(trail.kmsKey.arn);
      const run = await h.fullScan();
      expect(run.errorCount).toBe(1);
      const now = (await allKept()).get('100000000009');
      expect(now.scanStatus).toBe('ok');
      expect(now.status).toBe('non-compliant');
      expect(now.findings.map((f: any) => f.code)).toContain(
        'KMS_KEY_NOT_ENABLED',
      );
    });

    it('a trail removed between two scans disappears from the report; the account stays', async () => {
      const report = baseline.get('100000000002');
      const own = report.trails.find((t: any) => !t.isOrganizationTrail);
      sandbox.mutate.deleteTrail(own.trailArn);
      await h.fullScan();
      const now = (await allKept()).get('100000000002');
      expect(now.scanStatus).toBe('ok');
      expect(now.trails.map((t: any) => t.trailArn)).not.toContain(
        own.trailArn,
      );
      expect(now.status).toBe('compliant');
    });

    it('the database briefly unavailable during a store loses nothing', async () => {
      const table = 'cloudtrail_encryption_reports';
      const aside = 'cloudtrail_encryption_reports_aside';
      sandbox.faults.set({ latency: 100 });
      const scan = h.fullScan();
      await new Promise(r => setTimeout(r, 300));
      await knex.schema.renameTable(table, aside);
      await new Promise(r => setTimeout(r, 700));
      await knex.schema.renameTable(aside, table);
      const run = await scan;
      expect(run.accountCount).toBe(ACCOUNTS);
      const now = await allKept();
      for (const report of now.values()) {
        expect(report.scannedAt >= run.startedAt).toBe(true);
      }
      expect(h.log.lines.some(l => /error Could not store/.test(l))).toBe(
        false,
      );
    });

    it('never writes credentials or key material to the logs or responses', async () => {
      const responses = JSON.stringify([...(await h.reports()).values()]);
      const text = `${h.log.lines.join('\n')}\n${responses}`;
      expect(text).not.toContain(sandbox.credentials.secretAccessKey);
      expect(text).not.toMatch(/ASIA[A-Z0-9]{12,}/);
      expect(text).not.toMatch(/SessionToken|X-Amz-Security-Token=/i);
    });
  },
);
