import { sandboxConfig } from '../__testUtils__/sandboxConfig';
import {
  generateOrganization,
  startSandbox,
  type Sandbox,
} from '@trailguard/aws-sandbox';
import type {
  AccountReport,
  TrailReaders,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { createScanEngineFromConfig } from './config';

jest.setTimeout(180_000);

/**
 * A trail whose key admits every account lists at most 100 partial readers
 * of the accounts it does not concern (the rest are counted). Which ones is
 * decided by the order of the scan's accounts, never by the order in which
 * their IAM reads complete or by their ids: the first accounts given to the
 * scan are listed, so the same request gives the same report.
 */
describe('ScanEngine, the partial readers a trail lists', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      // One account in 25 has a key open to anyone; each account's
      // administrators are partial readers of it, well over 100.
      scenario: generateOrganization({ accounts: 260, seed: 5 }),
    });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
  });

  afterAll(async () => {
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  /** Each open trail's listed partial readers, by trail ARN. */
  const scan = async (order: string[]) => {
    const { engine, clients } = createScanEngineFromConfig(
      sandboxConfig(sandbox, { scan: { concurrency: 16 } }),
    );
    try {
      const reports: AccountReport[] = await engine.scan(
        order.map(accountId => ({ accountId })),
        {
          organizationId: sandbox.scenario.organization!.id,
          organizationAccountIds: order,
        },
      );
      const listed = new Map<string, TrailReaders>();
      for (const trail of reports.flatMap(r => r.trails ?? [])) {
        if (trail.readers?.partialOmitted) {
          listed.set(trail.trailArn, trail.readers);
        }
      }
      return listed;
    } finally {
      clients.destroy();
    }
  };

  /** The accounts whose partial readers a trail lists. */
  const accountsListed = (readers: TrailReaders) =>
    new Set(readers.partial.map(p => p.accountId));

  it('lists those of the first accounts in the scan’s order', async () => {
    const ids = sandbox.scenario.accounts
      .filter(a => a.inOrganization !== false)
      .map(a => a.id);
    // Neither order is the ids' own: every other account first, then the
    // rest, and that backwards.
    const forward = [
      ...ids.filter((_, i) => i % 2 === 1),
      ...ids.filter((_, i) => i % 2 === 0),
    ];
    const backward = [...forward].reverse();
    const [ahead, behind] = [await scan(forward), await scan(backward)];
    expect(ahead.size).toBeGreaterThan(0);
    expect([...behind.keys()].sort()).toEqual([...ahead.keys()].sort());
    for (const [arn, readers] of ahead) {
      const first = accountsListed(readers);
      const last = accountsListed(behind.get(arn)!);
      // The two orders list different accounts, each order its first ones:
      // every account only the other order lists comes later in this one
      // than every account only this one lists. (Those both list are the
      // trail's own, its key's and its bucket's, listed in any case.)
      expect(first).not.toEqual(last);
      for (const [order, mine, theirs] of [
        [forward, first, last],
        [backward, last, first],
      ] as const) {
        const position = (id: string) => order.indexOf(id);
        const onlyMine = [...mine].filter(id => !theirs.has(id));
        const onlyTheirs = [...theirs].filter(id => !mine.has(id));
        expect(onlyMine.length).toBeGreaterThan(0);
        expect(onlyTheirs.length).toBeGreaterThan(0);
        const latestListed = Math.max(...onlyMine.map(position));
        for (const id of onlyTheirs) {
          expect(position(id)).toBeGreaterThan(latestListed);
        }
      }
    }
  });
});
