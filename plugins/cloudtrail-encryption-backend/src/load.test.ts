import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import request from 'supertest';
import { createTestDatabases } from './__testUtils__/databases';
import { startPluginBackend } from './__testUtils__/harness';
import { load } from './__testUtils__/load';

jest.setTimeout(180_000);

/** The full count (10,000) runs in `yarn bench:api`; this keeps CI quick. */
const AMOUNT = Number(process.env.TRAILGUARD_LOAD_REQUESTS ?? 2000);

describe.each(createTestDatabases().eachSupportedId())(
  'API under load while a scan runs, on %s',
  databaseId => {
    const databases = createTestDatabases();
    let sandbox: Sandbox;
    let h: Awaited<ReturnType<typeof startPluginBackend>>;

    beforeAll(async () => {
      sandbox = await startSandbox({ scenario: 'demo' });
      process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
      h = await startPluginBackend({
        sandbox,
        knex: await databases.init(databaseId),
      });
      await h.fullScan();
    });

    afterAll(async () => {
      await h?.backend.stop();
      await sandbox?.close();
      delete process.env.AWS_ENDPOINT_URL_STS;
    });

    it(`answers ${AMOUNT} requests from 100 clients with no error`, async () => {
      const ids = sandbox.scenario.accounts.map(a => a.id);
      const names = sandbox.scenario.accounts.map(a => `aws-${a.name ?? a.id}`);
      const paths = [
        ...ids.map(id => `/api/cloudtrail-encryption/accounts/${id}`),
        ...names.map(
          n => `/api/cloudtrail-encryption/entity/default/resource/${n}`,
        ),
        '/api/cloudtrail-encryption/accounts?page=1&pageSize=5',
        '/api/cloudtrail-encryption/accounts?status=non-compliant',
        '/api/cloudtrail-encryption/scans?limit=10',
      ];

      // Slow AWS so the scan is still writing reports while the load runs.
      sandbox.faults.set({ latency: 40 });
      const trigger = await request(h.backend.server)
        .post('/api/cloudtrail-encryption/scans')
        .set('Authorization', h.auth);
      expect(trigger.status).toBe(202);

      const result = await load({
        server: h.backend.server as any,
        paths,
        headers: { authorization: h.auth },
        amount: AMOUNT,
        connections: 100,
      });
      expect(result).toEqual(
        expect.objectContaining({ errors: 0, timeouts: 0, non2xx: 0 }),
      );
      expect(result.requests).toBeGreaterThanOrEqual(AMOUNT);

      // Consistent afterwards: the scan finished, every account has a
      // complete report, and the fleet counts add up.
      sandbox.faults.reset();
      const deadline = Date.now() + 60_000;
      let runs: any[] = [];
      while (Date.now() < deadline) {
        runs = (await h.get('/scans?limit=5')).body.items;
        if (runs[0]?.finishedAt && runs.length >= 2) break;
        await new Promise(r => setTimeout(r, 250));
      }
      expect(runs[0].finishedAt).toBeDefined();
      expect(runs[0].accountCount).toBe(ids.length);
      const reports = await h.reports();
      expect(reports.size).toBe(ids.length);
      for (const report of reports.values()) {
        expect(report.scannedAt >= runs[0].startedAt).toBe(true);
      }
      const list = (await h.get('/accounts?pageSize=100')).body;
      const total = Object.values(
        list.countsByStatus as Record<string, number>,
      ).reduce((a, b) => a + b, 0);
      expect(total).toBe(ids.length);
    });
  },
);
