import { sandboxConfig } from '../__testUtils__/sandboxConfig';
import {
  computeMinimalCallPlan,
  generateOrganization,
  startSandbox,
  type Sandbox,
} from '@trailguard/aws-sandbox';
import { createScanEngineFromConfig } from './config';

jest.setTimeout(120_000);

/**
 * An account's credentials are let go once nothing more is read as it (its
 * trails, keys and bucket policies read, its IAM read ahead of the readers
 * analysis), not kept for every account until the end of the scan; and the
 * scan still assumes each role once and reads each account's IAM once.
 */
describe('ScanEngine credentials', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: generateOrganization({ accounts: 60, seed: 3 }),
    });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
  });

  afterAll(async () => {
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('lets each account go once its IAM is read, with the planned calls', async () => {
    const { engine, clients } = createScanEngineFromConfig(
      sandboxConfig(sandbox, { scan: { concurrency: 4 } }),
    );
    const { scenario } = sandbox;
    const management = scenario.organization!.managementAccount;
    const accounts = scenario.accounts.map(a => a.id);
    const released = new Set<string>();
    const forget = clients.forget.bind(clients);
    jest.spyOn(clients, 'forget').mockImplementation(ids => {
      const list = [...ids];
      for (const id of list) released.add(id);
      forget(list);
    });
    let atAllRead: Set<string> | undefined;
    sandbox.resetCounters();
    try {
      const reports = await engine.scan(
        accounts.map(accountId => ({ accountId })),
        {
          organizationId: scenario.organization!.id,
          organizationAccountIds: accounts,
          managementAccountId: management,
          onAccountRead: ({ done, total }) => {
            if (done === total) atAllRead = new Set(released);
          },
        },
      );
      expect(reports.every(r => r.scanStatus !== 'error')).toBe(true);
      // Readers were analysed (the organization trail's key admits the
      // organization, so every account's IAM is needed).
      expect(
        reports.some(r => r.trails.some(t => t.readers?.readers.length)),
      ).toBe(true);
    } finally {
      clients.destroy();
    }

    // Most accounts were let go while other accounts' trails were still
    // being read; the management account reads the guardrails later on.
    expect(atAllRead!.size).toBeGreaterThan(accounts.length / 2);
    expect(atAllRead!.has(management)).toBe(false);

    const { byApi, byAccountApi } = sandbox.counters();
    for (const id of accounts) {
      expect([id, byAccountApi[id]?.['sts:AssumeRole']]).toEqual([id, 1]);
    }
    const plan = computeMinimalCallPlan(scenario);
    expect(byApi['iam:GetAccountAuthorizationDetails']).toBe(
      plan.byApi['iam:GetAccountAuthorizationDetails'],
    );
    expect(byApi['sts:AssumeRole']).toBe(plan.byApi['sts:AssumeRole']);
  });
});
