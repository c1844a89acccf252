import { sandboxConfig } from '../__testUtils__/sandboxConfig';
import {
  generateOrganization,
  startSandbox,
  type Sandbox,
} from '@trailguard/aws-sandbox';
import { createScanEngineFromConfig } from './config';
import { plan } from './readerBatch';

jest.mock('./readerBatch', () => {
  const actual = jest.requireActual('./readerBatch');
  return { ...actual, plan: jest.fn(actual.plan) };
});

jest.setTimeout(120_000);

/**
 * Each KMS-encrypted trail's policies are planned once per scan: while its
 * account is read (to read the IAM its policies name ahead of the
 * analysis), and the analysis takes that plan rather than reading the
 * trail's facts back and planning it again. The reports are those of the
 * same scan either way (the other scan tests).
 */
describe('ScanEngine planning', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: generateOrganization({ accounts: 40, seed: 5 }),
    });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
  });

  afterAll(async () => {
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('plans each KMS-encrypted trail once', async () => {
    const { engine, clients } = createScanEngineFromConfig(
      sandboxConfig(sandbox, { scan: { concurrency: 4 } }),
    );
    const { scenario } = sandbox;
    const accounts = scenario.accounts.map(a => a.id);
    jest.mocked(plan).mockClear();
    try {
      const reports = await engine.scan(
        accounts.map(accountId => ({ accountId })),
        {
          organizationId: scenario.organization!.id,
          organizationAccountIds: accounts,
          managementAccountId: scenario.organization!.managementAccount,
        },
      );
      const analysed = new Set(
        reports.flatMap(r =>
          r.trails.flatMap(t => (t.readers ? [t.trailArn] : [])),
        ),
      );
      // Readers were analysed, for the organization trail and others.
      expect(analysed.size).toBeGreaterThan(1);
      expect(
        reports.some(r => r.trails.some(t => t.readers?.readers.length)),
      ).toBe(true);
      expect(jest.mocked(plan)).toHaveBeenCalledTimes(analysed.size);
    } finally {
      clients.destroy();
    }
  });
});
