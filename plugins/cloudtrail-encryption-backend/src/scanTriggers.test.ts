import { mockCredentials } from '@backstage/backend-test-utils';
import {
  generateOrganization,
  startSandbox,
  type Sandbox,
} from '@trailguard/aws-sandbox';
import request from 'supertest';
import { createTestDatabases } from './__testUtils__/databases';
import { startPluginBackend } from './__testUtils__/harness';

jest.setTimeout(120_000);

const SHARDS = 3;

/**
 * Triggers and progress as the history records them, through the real
 * plugin and scheduler: a full scan asked for over the API is on demand and
 * names who asked, its shards report progress while they run, and rescans
 * are on demand too.
 */
describe('scan triggers and progress', () => {
  const databases = createTestDatabases();
  let sandbox: Sandbox;
  let h: Awaited<ReturnType<typeof startPluginBackend>>;
  const alice = 'user:default/alice';

  beforeAll(async () => {
    const scenario = generateOrganization({ accounts: 24, seed: 5 });
    sandbox = await startSandbox({ scenario });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    h = await startPluginBackend({
      sandbox,
      knex: await databases.init('SQLITE_3'),
      extraConfig: {
        schedule: {
          frequency: { trigger: 'manual' },
          timeout: { minutes: 5 },
          shards: SHARDS,
        },
        scan: { concurrency: 2 },
      },
    });
  });

  afterAll(async () => {
    await h?.backend.stop();
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  const runsOf = async (requestId: string) =>
    (await h.get(`/scans?limit=50&requestId=${requestId}`)).body.items as any[];

  it('records a full scan asked for over the API as manual, with progress across shards', async () => {
    // Slow AWS so that the shards are seen part-way.
    sandbox.faults.set({ latency: 60 });
    const res = await request(h.backend.server)
      .post(h.api('/scans'))
      .set('Authorization', mockCredentials.user.header(alice));
    expect(res.status).toBe(202);
    expect(res.body.triggered).toHaveLength(SHARDS);
    const { requestId } = res.body;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    let sawProgress = false;
    let runs: any[] = [];
    const deadline = Date.now() + 90_000;
    for (;;) {
      runs = await runsOf(requestId);
      if (
        runs.some(
          r =>
            !r.finishedAt &&
            r.accountCount > 0 &&
            r.accountCount < r.plannedCount,
        )
      ) {
        sawProgress = true;
      }
      if (runs.length === SHARDS && runs.every(r => r.finishedAt)) break;
      if (Date.now() > deadline) throw new Error('scan did not finish');
      await new Promise(r => setTimeout(r, 150));
    }
    sandbox.faults.reset();
    expect(sawProgress).toBe(true);
    expect(runs.map(r => r.shard).sort()).toEqual(['1/3', '2/3', '3/3']);
    for (const run of runs) {
      expect(run).toEqual(
        expect.objectContaining({
          trigger: 'manual',
          scope: 'full',
          requestedBy: alice,
          requestId,
        }),
      );
      expect(run.accountCount).toBe(run.plannedCount);
    }
    expect(runs.reduce((n, r) => n + r.plannedCount, 0)).toBe(
      sandbox.scenario.accounts.length,
    );
    // The trend point after the last shard counts the whole fleet.
    const [latest] = (await h.get('/scans?limit=1')).body.items;
    expect(latest.fleet.accounts).toBe(sandbox.scenario.accounts.length);
  });

  it('records rescans as manual, or remediation when the caller says so', async () => {
    const id = sandbox.scenario.accounts[0].id;
    const manual = await request(h.backend.server)
      .post(h.api(`/accounts/${id}/rescan`))
      .set('Authorization', mockCredentials.user.header(alice));
    expect(manual.status).toBe(200);
    const remediation = await request(h.backend.server)
      .post(h.api(`/accounts/${id}/rescan`))
      .set('Authorization', mockCredentials.user.header(alice))
      .send({ trigger: 'remediation' });
    expect(remediation.status).toBe(200);
    const bad = await request(h.backend.server)
      .post(h.api(`/accounts/${id}/rescan`))
      .set('Authorization', mockCredentials.user.header(alice))
      .send({ trigger: 'schedule' });
    expect(bad.status).toBe(400);

    const [second, first] = (await h.get('/scans?limit=2')).body.items;
    expect([first.trigger, second.trigger]).toEqual(['manual', 'remediation']);
    for (const run of [first, second]) {
      expect(run).toEqual(
        expect.objectContaining({
          scope: 'account',
          requestedBy: alice,
          plannedCount: 1,
          accountCount: 1,
        }),
      );
    }
  });

  it('tells the UI whether the caller may start a full scan', async () => {
    const res = await h.get('/scans/permissions');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ triggerFullScan: true });
  });

  it('rejects a request id that is not a UUID', async () => {
    const res = await h.get('/scans?requestId=abc');
    expect(res.status).toBe(400);
  });
});
