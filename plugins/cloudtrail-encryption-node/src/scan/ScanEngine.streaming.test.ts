import { sandboxConfig } from '../__testUtils__/sandboxConfig';
import {
  generateOrganization,
  startSandbox,
  type Sandbox,
} from '@trailguard/aws-sandbox';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import { createScanEngineFromConfig } from './config';
import { ReaderScan } from './ReaderScan';

jest.setTimeout(60_000);

const IAM = 'iam:GetAccountAuthorizationDetails';

/**
 * Reports leave the engine as soon as what they say is known: an account
 * is reported once the readers of its own trails are analysed, and says the
 * same as when it is scanned alone.
 */
describe('ScanEngine reports each account as soon as its readers are known', () => {
  let sandbox: Sandbox;
  let reports: AccountReport[];
  /** IAM reads the sandbox had answered when each report was handed over. */
  const iamReadsAt = new Map<string, number>();
  let iamReads = 0;
  let lastReadAt = 0;
  const events: string[] = [];

  const scanOptions = () => {
    const accounts = sandbox.scenario.accounts;
    return {
      organizationId: sandbox.scenario.organization!.id,
      organizationAccountIds: accounts.map(a => a.id),
      accountNames: new Map(accounts.map(a => [a.id, a.name] as const)),
    };
  };

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: generateOrganization({ accounts: 40, seed: 11 }),
    });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    const { engine, clients } = createScanEngineFromConfig(
      sandboxConfig(sandbox, { scan: { concurrency: 4 } }),
    );
    sandbox.resetCounters();
    try {
      reports = await engine.scan(
        sandbox.scenario.accounts.map(a => ({ accountId: a.id, name: a.name })),
        {
          ...scanOptions(),
          onAccountRead: ({ accountId, done, total }) => {
            events.push(`read ${accountId}`);
            if (done === total) lastReadAt = events.length;
          },
          onProgress: ({ report }) => {
            events.push(`report ${report.accountId}`);
            iamReadsAt.set(
              report.accountId,
              sandbox.counters().byApi[IAM] ?? 0,
            );
          },
        },
      );
      iamReads = sandbox.counters().byApi[IAM] ?? 0;
    } finally {
      clients.destroy();
    }
  });

  afterAll(async () => {
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('reports every account once', () => {
    const reported = events.filter(e => e.startsWith('report '));
    expect(reported).toHaveLength(sandbox.scenario.accounts.length);
    expect(new Set(reported).size).toBe(reported.length);
    expect(reports).toHaveLength(sandbox.scenario.accounts.length);
  });

  it('has read most of the IAM ahead by the first report with readers', () => {
    // Each account's IAM is read as soon as its trails are, so that its
    // credentials can go (ScanEngine.release.test.ts); the analysis takes
    // it from the spill, reads what was not read ahead, and hands each
    // report over as the readers of the account's trails are known.
    expect(iamReads).toBeGreaterThan(10);
    const atReports = reports
      .filter(r => r.trails.some(t => t.readers))
      .map(r => iamReadsAt.get(r.accountId)!);
    expect(atReports.length).toBeGreaterThan(reports.length / 2);
    expect(Math.min(...atReports)).toBeGreaterThan(iamReads / 2);
  });

  it('reports no account with a KMS-encrypted trail before every account is read', () => {
    const firstReport = events.findIndex(e => e.startsWith('report '));
    const kmsAccounts = new Set(
      reports
        .filter(r => r.trails.some(t => t.readers))
        .map(r => `report ${r.accountId}`),
    );
    expect(kmsAccounts.size).toBeGreaterThan(0);
    const early = [...events.entries()].filter(
      ([i, e]) => kmsAccounts.has(e) && i < lastReadAt,
    );
    expect(early).toEqual([]);
    expect(firstReport).toBeGreaterThanOrEqual(0);
  });

  it('says of each reported trail what a scan of its account alone says', async () => {
    const { engine, clients } = createScanEngineFromConfig(
      sandboxConfig(sandbox),
    );
    try {
      const readersOf = (r: AccountReport) =>
        r.trails.map(t => ({
          trail: t.trailArn,
          readers: t.readers?.readers.map(x => x.principal).sort(),
          partial: t.readers?.partial.map(x => x.principal).sort(),
        }));
      // The first account reported, and the last whose trails' readers
      // live in a few accounts: a trail that admits the organization names
      // the principals of the accounts scanned with it, so a scan of one
      // account says less of it.
      const order = events
        .filter(e => e.startsWith('report '))
        .map(e => e.slice(7));
      const bounded = order.filter(id => {
        const report = reports.find(r => r.accountId === id)!;
        const accounts = new Set(
          report.trails.flatMap(t =>
            [...(t.readers?.readers ?? []), ...(t.readers?.partial ?? [])].map(
              x => x.accountId,
            ),
          ),
        );
        return accounts.size <= 3;
      });
      const picks = [order[0], bounded[bounded.length - 1]];
      expect(bounded.length).toBeGreaterThan(reports.length / 2);
      for (const accountId of picks) {
        const [alone] = await engine.scan(
          [
            {
              accountId,
              name: sandbox.scenario.accounts.find(a => a.id === accountId)!
                .name,
            },
          ],
          {
            ...scanOptions(),
            knownAccountIds: sandbox.scenario.accounts.map(a => a.id),
          },
        );
        const together = reports.find(r => r.accountId === accountId)!;
        expect(readersOf(alone)).toEqual(readersOf(together));
      }
    } finally {
      clients.destroy();
    }
  });
});

describe('ScanEngine reads IAM while the last accounts are being read', () => {
  it('starts the IAM reads the analysis needs before every account is read, with no extra call', async () => {
    const sandbox = await startSandbox({
      scenario: generateOrganization({ accounts: 30, seed: 5 }),
      faults: { latency: 30 },
    });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    const { engine, clients } = createScanEngineFromConfig(
      sandboxConfig(sandbox, { scan: { concurrency: 4 } }),
    );
    const accounts = sandbox.scenario.accounts;
    let iamWhenAllRead = -1;
    try {
      sandbox.resetCounters();
      await engine.scan(
        accounts.map(a => ({ accountId: a.id, name: a.name })),
        {
          organizationId: sandbox.scenario.organization!.id,
          organizationAccountIds: accounts.map(a => a.id),
          onAccountRead: ({ done, total }) => {
            if (done === total)
              iamWhenAllRead = sandbox.counters().byApi[IAM] ?? 0;
          },
        },
      );
      const byAccount = sandbox.counters().byAccountApi;
      // Once per account, however early it was read.
      for (const apis of Object.values(byAccount)) {
        expect(apis[IAM] ?? 0).toBeLessThanOrEqual(1);
      }
    } finally {
      clients.destroy();
      await sandbox.close();
      delete process.env.AWS_ENDPOINT_URL_STS;
    }
    expect(iamWhenAllRead).toBeGreaterThan(0);
  });
});

describe('ScanEngine when the readers analysis fails part-way', () => {
  afterEach(() => jest.restoreAllMocks());

  it('still reports every account once, with what its trails and keys said', async () => {
    const sandbox = await startSandbox({
      scenario: generateOrganization({ accounts: 20, seed: 11 }),
    });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    const { engine, clients } = createScanEngineFromConfig(
      sandboxConfig(sandbox, { scan: { concurrency: 4 } }),
    );
    // A failure no request can cause: the analysis gives one trail no
    // readers, then fails as a whole.
    let given = '';
    jest
      .spyOn(ReaderScan.prototype, 'analyseEach')
      .mockImplementation(async (trails, onTrail) => {
        given = [...trails.keys()][0];
        await onTrail(given, undefined);
        throw new Error('the analysis failed');
      });
    const accounts = sandbox.scenario.accounts;
    const reported: string[] = [];
    let reports: AccountReport[];
    try {
      reports = await engine.scan(
        accounts.map(a => ({ accountId: a.id, name: a.name })),
        {
          organizationId: sandbox.scenario.organization!.id,
          organizationAccountIds: accounts.map(a => a.id),
          onProgress: ({ report }) => {
            reported.push(report.accountId);
          },
        },
      );
    } finally {
      clients.destroy();
      await sandbox.close();
      delete process.env.AWS_ENDPOINT_URL_STS;
    }
    expect(given).not.toBe('');
    expect([...reported].sort()).toEqual(accounts.map(a => a.id).sort());
    expect(reports.map(r => r.accountId)).toEqual(accounts.map(a => a.id));
    const kms = reports.flatMap(r =>
      r.trails.filter(t => t.encryption === 'SSE-KMS'),
    );
    // The trails are there, their keys read; no readers were analysed.
    expect(kms.length).toBeGreaterThan(1);
    expect(kms.every(t => t.kmsKey?.arn && !t.readers)).toBe(true);
  });
});
