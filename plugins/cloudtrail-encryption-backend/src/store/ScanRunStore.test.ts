import {
  mockServices,
  type TestDatabaseId,
} from '@backstage/backend-test-utils';
import { createTestDatabases } from '../__testUtils__/databases';
import { ReportStore } from './ReportStore';

jest.setTimeout(60_000);

const A = '100000000001';
const B = '100000000002';
const C = '100000000003';
const TASKS = ['scan-1-of-2', 'scan-2-of-2'];
const tick = () => new Promise(r => setTimeout(r, 5));

describe('ScanRunStore: triggers, requests and progress', () => {
  const databases = createTestDatabases();

  async function createStore(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    return ReportStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
  }

  it.each(databases.eachSupportedId())(
    'hands an on-demand request to one run per shard, then none, %p',
    async databaseId => {
      const { runs } = await createStore(databaseId);
      await runs.requestFullScan({
        requestId: '6f1c1f43-1111-4c1e-9c55-000000000001',
        taskIds: TASKS,
        requestedBy: 'user:default/alice',
      });
      // The second shard was already running: not triggered, withdrawn.
      await runs.withdrawRequest('6f1c1f43-1111-4c1e-9c55-000000000001', [
        TASKS[1],
      ]);

      expect(await runs.claimRequest(TASKS[0], 'run-a')).toEqual({
        requestId: '6f1c1f43-1111-4c1e-9c55-000000000001',
        requestedBy: 'user:default/alice',
      });
      // The next run of the same shard is the schedule's, not the request's.
      expect(await runs.claimRequest(TASKS[0], 'run-b')).toBeUndefined();
      expect(await runs.claimRequest(TASKS[1], 'run-c')).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'serves requests made while a shard was due with one run, %p',
    async databaseId => {
      const store = await createStore(databaseId);
      const { runs } = store;
      const first = '6f1c1f43-1111-4c1e-9c55-000000000002';
      const second = '6f1c1f43-1111-4c1e-9c55-000000000003';
      await runs.requestFullScan({ requestId: first, taskIds: [TASKS[0]] });
      await tick();
      await runs.requestFullScan({
        requestId: second,
        taskIds: [TASKS[0]],
        requestedBy: 'user:default/bob',
      });
      const claim = await runs.claimRequest(TASKS[0], 'run-x');
      expect(claim?.requestId).toBe(first);
      await store.startRun({
        id: 'run-x',
        trigger: 'manual',
        requestId: claim!.requestId,
        shard: '1/2',
        plannedCount: 1,
      });
      // Both requesters find the run that served them.
      for (const requestId of [first, second]) {
        const found = await store.listRuns(10, undefined, { requestId });
        expect(found.map(r => r.id)).toEqual(['run-x']);
      }
      // Expired requests are not served.
      await runs.requestFullScan({
        requestId: '6f1c1f43-1111-4c1e-9c55-000000000004',
        taskIds: [TASKS[1]],
      });
      const later = new Date(Date.now() + 25 * 60 * 60 * 1000);
      expect(await runs.claimRequest(TASKS[1], 'run-y', later)).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'records progress while a run is under way, %p',
    async databaseId => {
      const store = await createStore(databaseId);
      const id = await store.startRun({
        trigger: 'manual',
        requestedBy: 'user:default/alice',
        requestId: '6f1c1f43-1111-4c1e-9c55-000000000005',
        plannedCount: 3,
      });
      await store.runs.recordProgress(id, [
        [A, 'compliant', 'ok'],
        [B, 'non-compliant', 'error'],
      ]);
      const [running] = await store.listRuns(5);
      expect(running).toEqual(
        expect.objectContaining({
          id,
          trigger: 'manual',
          scope: 'full',
          requestedBy: 'user:default/alice',
          plannedCount: 3,
          accountCount: 2,
          errorCount: 1,
        }),
      );
      expect(running.finishedAt).toBeUndefined();
      expect(running.updatedAt).toEqual(expect.any(String));

      // Restricted callers count only what they may see, without the plan.
      const [restricted] = await store.listRuns(
        5,
        accountId => accountId === A,
      );
      expect(restricted.accountCount).toBe(1);
      expect(restricted.errorCount).toBe(0);
      expect(restricted.plannedCount).toBeUndefined();

      await store.finishRun(id, [
        [A, 'compliant', 'ok'],
        [B, 'non-compliant', 'error'],
        [C, 'compliant', 'ok'],
      ]);
      // A finished run's figures are not overwritten by a late progress write.
      await store.runs.recordProgress(id, [[A, 'compliant', 'ok']]);
      const [done] = await store.listRuns(5);
      expect(done.finishedAt).toEqual(expect.any(String));
      expect(done.accountCount).toBe(3);
    },
  );

  it.each(databases.eachSupportedId())(
    'replays the fleet after each run for the trend, %p',
    async databaseId => {
      const store = await createStore(databaseId);
      const full = await store.startRun({ trigger: 'schedule' });
      await store.finishRun(full, [
        [A, 'non-compliant', 'ok'],
        [B, 'compliant', 'ok'],
        [C, 'no-trails', 'ok'],
      ]);
      await tick();
      const rescan = await store.startRun({
        trigger: 'remediation',
        requestedBy: 'user:default/alice',
      });
      await store.finishRun(rescan, [[A, 'compliant', 'ok']]);
      await tick();
      const newAccounts = await store.startRun({
        trigger: 'schedule',
        shard: 'new',
      });
      await store.finishRun(newAccounts, [
        ['100000000004', 'unknown', 'error'],
      ]);

      const runs = await store.listRuns(10);
      expect(
        runs.map(r => [r.trigger, r.scope, r.fleet, r.requestedBy]),
      ).toEqual([
        ['schedule', 'new-accounts', { compliant: 2, accounts: 4 }, undefined],
        [
          'remediation',
          'account',
          { compliant: 2, accounts: 3 },
          'user:default/alice',
        ],
        ['schedule', 'full', { compliant: 1, accounts: 3 }, undefined],
      ]);
      // Over the accounts a caller may see.
      const mine = await store.listRuns(10, id => id !== B);
      expect(mine.map(r => r.fleet)).toEqual([
        { compliant: 1, accounts: 3 },
        { compliant: 1, accounts: 2 },
        { compliant: 0, accounts: 2 },
      ]);
      // A shorter window still counts the accounts seen before it.
      const [latest] = await store.listRuns(1);
      expect(latest.fleet).toEqual({ compliant: 2, accounts: 4 });
    },
  );
});
