import { mockServices } from '@backstage/backend-test-utils';
import type { TestDatabaseId } from '@backstage/backend-test-utils';
import type { Estate } from '@trailguard/plugin-cloudtrail-encryption-node';
import { createTestDatabases } from '../__testUtils__/databases';
import { report } from '../__testUtils__/fixtures';
import { NOT_SCANNED_SUSPENDED, ReportStore } from './ReportStore';

jest.setTimeout(60_000);

const A = '100000000001';
const B = '100000000002';
const C = '100000000003';

function estate(accountIds: string[], readAt: string): Estate {
  return {
    mode: 'organization',
    organizationId: 'o-test',
    accounts: accountIds.map(accountId => ({
      accountId,
      membership: { source: 'organization', state: 'ACTIVE' },
    })),
    trustedAccountIds: [],
    readAt,
  };
}

describe('ReportStore: estate, archive and run outcomes', () => {
  const databases = createTestDatabases();

  async function createStore(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    return ReportStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
  }

  it.each(databases.eachSupportedId())(
    'keeps the last good estate through a failed read, %p',
    async databaseId => {
      const store = await createStore(databaseId);
      expect(await store.estate.load()).toEqual({});
      await store.estate.saveError('AccessDenied: nope', new Date(0));
      expect(await store.estate.load()).toEqual({
        error: 'AccessDenied: nope',
        errorAt: new Date(0).toISOString(),
      });
      const first = estate([A, B], '2026-12-01T00:00:00.000Z');
      await store.estate.saveEstate(first);
      expect(await store.estate.load()).toEqual({ estate: first });
      await store.estate.saveError('Throttling', new Date(1000));
      expect(await store.estate.load()).toEqual({
        estate: first,
        error: 'Throttling',
        errorAt: new Date(1000).toISOString(),
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'archives reports of accounts that left, restores returning ones and deletes after retention, %p',
    async databaseId => {
      const store = await createStore(databaseId);
      for (const accountId of [A, B, C]) {
        await store.saveReport(report({ accountId }));
      }
      const t0 = new Date('2026-12-01T00:00:00.000Z');
      expect(await store.syncArchive(new Set([A, C]), t0)).toEqual({
        archived: [B],
        restored: [],
      });
      expect(await store.getReportJson(B)).toBeUndefined();
      expect(await store.listAccountIds()).toEqual(
        expect.not.arrayContaining([B]),
      );
      const list = await store.listSummaries({ page: 1, pageSize: 10 });
      expect(list.items.map(i => i.accountId).sort()).toEqual([A, C]);
      expect((await store.countsByStatus()).compliant).toBe(2);

      // Nothing older than the cutoff: kept.
      expect(await store.deleteArchivedBefore(t0)).toBe(0);

      // B comes back before the retention ends; C leaves.
      expect(await store.syncArchive(new Set([A, B]), t0)).toEqual({
        archived: [C],
        restored: [B],
      });
      expect(await store.getReport(B)).toEqual(
        expect.objectContaining({ accountId: B }),
      );
      expect(await store.deleteArchivedBefore(new Date(t0.getTime() + 1))).toBe(
        1,
      );
      expect(await store.syncArchive(new Set([A, B, C]), t0)).toEqual({
        archived: [],
        restored: [],
      });
      expect(await store.getReport(C)).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'records a suspended account without scanning it, %p',
    async databaseId => {
      const store = await createStore(databaseId);
      const suspended = {
        source: 'organization' as const,
        state: 'SUSPENDED' as const,
        ouPath: 'Root/Sandbox',
      };
      const fresh = await store.saveNotScanned({
        accountId: A,
        name: 'never-scanned',
        membership: suspended,
      });
      expect(fresh).toEqual(
        expect.objectContaining({
          scanStatus: 'pending',
          status: 'unknown',
          error: NOT_SCANNED_SUSPENDED,
          accountName: 'never-scanned',
          membership: suspended,
          trails: [],
        }),
      );
      const scanned = await store.saveReport(
        report({
          accountId: B,
          status: 'non-compliant',
          membership: { source: 'organization', state: 'ACTIVE' },
        }),
      );
      const kept = await store.saveNotScanned({
        accountId: B,
        membership: suspended,
      });
      expect(kept).toEqual({ ...scanned, membership: suspended });
      const list = await store.listSummaries({ page: 1, pageSize: 10 });
      expect(list.items.find(i => i.accountId === B)?.membership).toEqual(
        suspended,
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'recounts a run over the accounts a caller may see, %p',
    async databaseId => {
      const store = await createStore(databaseId);
      const run = await store.startRun({ trigger: 'schedule' });
      await store.finishRun(run, [
        [A, 'compliant', 'ok'],
        [B, 'non-compliant', 'ok'],
        [C, 'unknown', 'error'],
      ]);
      const [all] = await store.listRuns(5);
      expect(all).toEqual(
        expect.objectContaining({
          accountCount: 3,
          errorCount: 1,
          countsByStatus: {
            compliant: 1,
            'non-compliant': 1,
            'no-trails': 0,
            unknown: 1,
          },
        }),
      );
      const [mine] = await store.listRuns(5, id => id === B);
      expect(mine).toEqual(
        expect.objectContaining({
          accountCount: 1,
          errorCount: 0,
          countsByStatus: {
            compliant: 0,
            'non-compliant': 1,
            'no-trails': 0,
            unknown: 0,
          },
        }),
      );
    },
  );
});
