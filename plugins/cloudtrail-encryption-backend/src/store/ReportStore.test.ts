import { mockServices } from '@backstage/backend-test-utils';
import type { TestDatabaseId } from '@backstage/backend-test-utils';
import { createTestDatabases } from '../__testUtils__/databases';
import { report, trail } from '../__testUtils__/fixtures';
import { ReportStore } from './ReportStore';

jest.setTimeout(60_000);

describe('ReportStore', () => {
  const databases = createTestDatabases();

  async function createStore(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    const store = await ReportStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    return { knex, store };
  }

  it.each(databases.eachSupportedId())(
    'migrates up from an empty database, %p',
    async databaseId => {
      const { knex, store } = await createStore(databaseId);
      expect(await knex.schema.hasTable('cloudtrail_encryption_reports')).toBe(
        true,
      );
      expect(
        await knex.schema.hasTable('cloudtrail_encryption_scan_runs'),
      ).toBe(true);
      // A second start finds nothing to migrate.
      await ReportStore.create(
        mockServices.database({ knex, migrations: { skip: false } }),
      );
      expect(await store.listAccountIds()).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps the last good trails when a scan fails, %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      const good = report();
      await store.saveReport(good);

      const failed = await store.saveReport({
        accountId: good.accountId,
        scannedAt: '2026-11-29T11:00:00.000Z',
        scanStatus: 'error',
        error: 'ListTrails failed: ThrottlingException: Rate exceeded',
        status: 'unknown',
        trails: [],
        findings: [],
      });

      expect(failed.scanStatus).toBe('error');
      expect(failed.error).toMatch(/ThrottlingException/);
      expect(failed.scannedAt).toBe('2026-11-29T11:00:00.000Z');
      expect(failed.lastSuccessAt).toBe(good.scannedAt);
      expect(failed.status).toBe('compliant');
      expect(failed.trails).toEqual(good.trails);
      expect(await store.getReport(good.accountId)).toEqual(failed);

      // The next good scan replaces it and clears the error.
      const recovered = await store.saveReport(
        report({ scannedAt: '2026-11-29T12:00:00.000Z' }),
      );
      expect(recovered.error).toBeUndefined();
      expect(recovered.lastSuccessAt).toBe('2026-11-29T12:00:00.000Z');
    },
  );

  it.each(databases.eachSupportedId())(
    'stores an error report for an account never scanned before, %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      await store.saveReport({
        accountId: '100000000012',
        scannedAt: '2026-11-29T10:00:00.000Z',
        scanStatus: 'error',
        error: 'Could not obtain credentials',
        status: 'unknown',
        trails: [],
        findings: [],
      });
      const { items } = await store.listSummaries({ page: 1, pageSize: 10 });
      expect(items).toEqual([
        expect.objectContaining({
          accountId: '100000000012',
          scanStatus: 'error',
          status: 'unknown',
          trailCount: 0,
        }),
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'lists, filters and pages summaries, %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      const mismatch = {
        code: 'KMS_KEY_REGION_MISMATCH' as const,
        severity: 'critical' as const,
        message: 'mismatch',
        remediation: 'fix',
      };
      const sseS3 = {
        code: 'TRAIL_NOT_KMS_ENCRYPTED' as const,
        severity: 'high' as const,
        message: 'sse-s3',
        remediation: 'fix',
      };
      await store.saveReport(report());
      await store.saveReport(
        report({
          accountId: '100000000003',
          accountName: 'data-lake',
          status: 'non-compliant',
          trails: [trail({ findings: [mismatch] })],
          findings: [mismatch],
        }),
      );
      await store.saveReport(
        report({
          accountId: '100000000002',
          accountName: 'marketing_sandbox%',
          status: 'non-compliant',
          findings: [sseS3],
        }),
      );

      const all = await store.listSummaries({ page: 1, pageSize: 10 });
      expect(all.totalCount).toBe(3);
      // Worst first.
      expect(all.items.map(i => i.accountId)).toEqual([
        '100000000003',
        '100000000002',
        '100000000001',
      ]);
      expect(all.items[0].worstFinding).toEqual({
        code: 'KMS_KEY_REGION_MISMATCH',
        severity: 'critical',
      });

      const byFinding = await store.listSummaries({
        page: 1,
        pageSize: 10,
        finding: 'TRAIL_NOT_KMS_ENCRYPTED',
      });
      expect(byFinding.items.map(i => i.accountId)).toEqual(['100000000002']);

      const byStatus = await store.listSummaries({
        page: 1,
        pageSize: 10,
        status: 'compliant',
      });
      expect(byStatus.items.map(i => i.accountId)).toEqual(['100000000001']);

      const paged = await store.listSummaries({ page: 2, pageSize: 2 });
      expect(paged.totalCount).toBe(3);
      expect(paged.items.map(i => i.accountId)).toEqual(['100000000001']);

      // LIKE wildcards in the text filter are literal.
      const text = await store.listSummaries({
        page: 1,
        pageSize: 10,
        q: '_sandbox%',
      });
      expect(text.items.map(i => i.accountId)).toEqual(['100000000002']);
      const none = await store.listSummaries({
        page: 1,
        pageSize: 10,
        q: 'payments%prod',
      });
      expect(none.items).toEqual([]);

      const hidden = await store.listSummaries({
        page: 1,
        pageSize: 10,
        visible: a => a.accountId !== '100000000003',
      });
      expect(hidden.totalCount).toBe(2);
      expect(
        await store.countsByStatus(a => a.accountId !== '100000000003'),
      ).toEqual({
        compliant: 1,
        'non-compliant': 1,
        'no-trails': 0,
        unknown: 0,
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'records scan runs newest first, %p',
    async databaseId => {
      const { store } = await createStore(databaseId);
      const first = await store.startRun({ trigger: 'schedule', shard: '1/2' });
      await store.saveReport(report());
      await store.finishRun(first, [['100000000001', 'compliant', 'ok']]);
      await new Promise(r => setTimeout(r, 5));
      const second = await store.startRun({ trigger: 'manual' });

      const runs = await store.listRuns(10);
      expect(runs.map(r => r.id)).toEqual([second, first]);
      expect(runs[1]).toEqual(
        expect.objectContaining({
          trigger: 'schedule',
          shard: '1/2',
          accountCount: 1,
          errorCount: 0,
          countsByStatus: {
            compliant: 1,
            'non-compliant': 0,
            'no-trails': 0,
            unknown: 0,
          },
        }),
      );
      expect(runs[1].finishedAt).toBeDefined();
      expect(runs[0].finishedAt).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'serves each stored version of a report once serialized, other replicas’ writes included, %p',
    async databaseId => {
      const { knex, store } = await createStore(databaseId);
      const other = await ReportStore.create(
        mockServices.database({ knex, migrations: { skip: true } }),
      );
      const text = async (id: string) => {
        const served = await store.servedReport(id);
        return served && JSON.parse(served.body.toString('utf8'));
      };
      expect(await store.servedReport('100000000001')).toBeUndefined();

      await store.saveReport(report());
      const first = await store.servedReport('100000000001');
      expect(JSON.parse(first!.body.toString('utf8'))).toEqual(
        await store.getReport('100000000001'),
      );
      // Served again from memory: the same bytes and tag.
      expect(await store.servedReport('100000000001')).toBe(first);

      // This store's own write shows at once, with a new tag.
      await store.saveReport(report({ scannedAt: '2026-11-29T11:00:00.000Z' }));
      const second = await store.servedReport('100000000001');
      expect(second!.etag).not.toBe(first!.etag);
      expect((await text('100000000001')).scannedAt).toBe(
        '2026-11-29T11:00:00.000Z',
      );

      // Another replica's write: a report it adds is found at once, one it
      // changes shows once the fleet list is reloaded (at most 2 s).
      await other.saveReport(report({ accountId: '100000000002' }));
      expect((await text('100000000002')).accountId).toBe('100000000002');
      await other.saveNotScanned({
        accountId: '100000000001',
        membership: { source: 'organization', state: 'SUSPENDED' },
      });
      await new Promise(r => setTimeout(r, 2_100));
      expect((await text('100000000001')).membership).toEqual({
        source: 'organization',
        state: 'SUSPENDED',
      });

      // An archived report is no longer served.
      await store.syncArchive(new Set(['100000000002']));
      expect(await store.servedReport('100000000001')).toBeUndefined();
      expect(await text('100000000002')).toBeDefined();
    },
  );
});
