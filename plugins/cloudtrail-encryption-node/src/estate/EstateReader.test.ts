import { ConfigReader } from '@backstage/config';
import {
  generateOrganization,
  startSandbox,
  type Sandbox,
  type StartSandboxOptions,
} from '@trailguard/aws-sandbox';
import { createScanEngineFromConfig } from '../scan/config';
import type { Estate } from './EstateReader';

jest.setTimeout(60_000);

interface Main {
  accessKeyId: string;
  secretAccessKey: string;
}

function configFor(sandbox: Sandbox, estate: object = {}, extra: object = {}) {
  const main: Main = (extra as { main?: Main }).main ?? sandbox.credentials;
  return new ConfigReader({
    aws: {
      mainAccount: {
        accessKeyId: main.accessKeyId,
        secretAccessKey: main.secretAccessKey,
        region: 'us-east-1',
      },
      accountDefaults: { roleName: 'TrailGuardReadOnly' },
      accounts: (extra as { awsAccounts?: object[] }).awsAccounts,
    },
    cloudtrailEncryption: {
      aws: {
        endpoint: sandbox.endpoint,
        requestTimeout: 2000,
        callTimeout: 5000,
      },
      estate,
      trustedAccountIds: (extra as { trusted?: string[] }).trusted,
    },
  });
}

/** Starts a sandbox for one test and reads its estate with the given settings. */
async function readWith(
  options: StartSandboxOptions,
  estate: object = {},
  extra: object = {},
): Promise<{ estate: Estate; byApi: Record<string, number> }> {
  const sandbox = await startSandbox(options);
  process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
  const built = createScanEngineFromConfig(configFor(sandbox, estate, extra));
  try {
    sandbox.resetCounters();
    const result = await built.estate.read();
    return { estate: result, byApi: sandbox.counters().byApi };
  } finally {
    built.clients.destroy();
    await sandbox.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  }
}

function organizationCalls(byApi: Record<string, number>) {
  return Object.fromEntries(
    Object.entries(byApi).filter(([api]) => api.startsWith('organizations:')),
  );
}

describe('EstateReader', () => {
  it('reads the demo organization: ids, names, states, OU paths and organization id', async () => {
    const { estate } = await readWith({ scenario: 'demo' });
    expect(estate.mode).toBe('organization');
    expect(estate.organizationId).toBe('o-tgdemo12345');
    expect(estate.managementAccountId).toBe('111111111111');
    expect(estate.accounts).toHaveLength(14);
    const byId = new Map(estate.accounts.map(a => [a.accountId, a]));
    expect(byId.get('111111111111')).toEqual({
      accountId: '111111111111',
      name: 'management',
      membership: {
        source: 'organization',
        state: 'ACTIVE',
        organizationId: 'o-tgdemo12345',
        ouPath: 'Root',
      },
      parentIds: [expect.stringMatching(/^r-/)],
    });
    const payments = byId.get('100000000001')!.parentIds!;
    expect(payments).toHaveLength(3);
    expect(payments[0]).toBe(byId.get('111111111111')!.parentIds![0]);
    expect(payments.slice(1)).toEqual([
      expect.stringMatching(/^ou-/),
      expect.stringMatching(/^ou-/),
    ]);
    expect(byId.get('222222222222')?.membership.ouPath).toBe('Root/Security');
    expect(byId.get('100000000001')?.membership.ouPath).toBe(
      'Root/Workloads/Prod',
    );
    expect(byId.get('100000000012')?.membership.ouPath).toBe(
      'Root/Acquisitions',
    );
    expect(Date.parse(estate.readAt)).not.toBeNaN();
  });

  it('reports every account state and leaves out non-members', async () => {
    const { estate } = await readWith({ scenario: 'estate' });
    expect(
      estate.accounts.map(a => [
        a.accountId,
        a.membership.state,
        a.membership.ouPath,
      ]),
    ).toEqual([
      ['400000000000', 'ACTIVE', 'Root'],
      ['400000000001', 'ACTIVE', 'Root/Workloads/Prod'],
      ['400000000002', 'ACTIVE', 'Root/Workloads/NonProd'],
      ['400000000003', 'SUSPENDED', 'Root/Suspended'],
      ['400000000004', 'CLOSED', 'Root/Suspended'],
      ['400000000005', 'PENDING_CLOSURE', 'Root/Workloads/NonProd'],
    ]);
  });

  it('pages beyond 20 accounts and walks each OU once, with no call per account', async () => {
    const { estate, byApi } = await readWith({
      scenario: generateOrganization({ accounts: 43 }),
    });
    expect(estate.accounts).toHaveLength(45);
    expect(new Set(estate.accounts.map(a => a.membership.ouPath))).toEqual(
      new Set([
        'Root',
        'Root/Security',
        'Root/Workloads/Prod',
        'Root/Workloads/NonProd',
        'Root/Sandbox',
      ]),
    );
    // The root and 5 OUs (Security, Workloads, Workloads/Prod,
    // Workloads/NonProd, Sandbox): one ListOrganizationalUnitsForParent each,
    // and ListAccountsForParent pages of 20 per parent (Workloads holds none
    // directly but is still asked once). Nothing is called per account.
    const perParent = new Map<string, number>([['Root/Workloads', 0]]);
    for (const a of estate.accounts) {
      const path = a.membership.ouPath!;
      perParent.set(path, (perParent.get(path) ?? 0) + 1);
    }
    expect(perParent.size).toBe(6);
    const accountPages = [...perParent.values()]
      .map(n => Math.max(1, Math.ceil(n / 20)))
      .reduce((x, y) => x + y, 0);
    expect(organizationCalls(byApi)).toEqual({
      'organizations:DescribeOrganization': 1,
      'organizations:ListAccounts': 3,
      'organizations:ListRoots': 1,
      'organizations:ListOrganizationalUnitsForParent': 6,
      'organizations:ListAccountsForParent': accountPages,
    });
  });

  it('reads through the scan role in managementAccountId (delegated administrator)', async () => {
    const { estate, byApi } = await readWith(
      { scenario: 'demo' },
      { managementAccountId: '111111111111' },
    );
    expect(estate.accounts).toHaveLength(14);
    expect(byApi['sts:AssumeRole']).toBe(1);
  });

  it('merges include and aws.accounts as configured, minus exclude', async () => {
    const { estate } = await readWith(
      { scenario: 'demo' },
      { include: ['999999999999'], exclude: ['100000000012', '100000000008'] },
      {
        awsAccounts: [
          { accountId: '888888888888', roleName: 'TrailGuardReadOnly' },
          { accountId: '100000000001', roleName: 'TrailGuardReadOnly' },
        ],
        trusted: ['777777777777'],
      },
    );
    const byId = new Map(estate.accounts.map(a => [a.accountId, a]));
    expect(estate.accounts).toHaveLength(14);
    expect(byId.has('100000000012')).toBe(false);
    expect(byId.has('100000000008')).toBe(false);
    expect(byId.get('999999999999')?.membership).toEqual({
      source: 'configured',
      state: 'ACTIVE',
    });
    expect(byId.get('888888888888')?.membership.source).toBe('configured');
    // In the organization and configured: the organization wins.
    expect(byId.get('100000000001')?.membership.source).toBe('organization');
    expect(estate.trustedAccountIds).toEqual(['777777777777']);
  });

  it('in accounts mode lists the configured accounts without calling Organizations', async () => {
    const { estate, byApi } = await readWith(
      { scenario: 'demo' },
      { source: 'accounts', include: ['100000000002'], fromAwsConfig: true },
      {
        awsAccounts: [
          { accountId: '100000000001', roleName: 'TrailGuardReadOnly' },
        ],
      },
    );
    expect(estate.mode).toBe('accounts');
    expect(estate.organizationId).toBeUndefined();
    expect(estate.accounts.map(a => a.accountId)).toEqual([
      '100000000001',
      '100000000002',
    ]);
    expect(organizationCalls(byApi)).toEqual({});
  });

  it('leaves aws.accounts out when fromAwsConfig is false', async () => {
    const { estate } = await readWith(
      { scenario: 'demo' },
      { source: 'accounts', fromAwsConfig: false, include: ['100000000002'] },
      {
        awsAccounts: [
          { accountId: '100000000001', roleName: 'TrailGuardReadOnly' },
        ],
      },
    );
    expect(estate.accounts.map(a => a.accountId)).toEqual(['100000000002']);
  });

  it('rejects with the AWS reason when the caller is not the management account', async () => {
    await expect(
      readWith(
        { scenario: 'estate' },
        {},
        {
          main: {
            accessKeyId: 'AKIASANDBOXMEMBER001',
            secretAccessKey: 'member-secret',
          },
        },
      ),
    ).rejects.toThrow(
      /Could not read the AWS organization: AccessDeniedException/,
    );
  });

  it('rejects when the delegated administrator role cannot be assumed', async () => {
    await expect(
      readWith({ scenario: 'demo' }, { managementAccountId: '100000000012' }),
    ).rejects.toThrow(/Could not read the AWS organization: .*AccessDenied/);
  });

  it('rejects malformed account ids in the configuration', async () => {
    const sandbox = {
      endpoint: 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    } as Sandbox;
    expect(() =>
      createScanEngineFromConfig(configFor(sandbox, { include: ['12345'] })),
    ).toThrow(
      /estate\.include must list 12-digit AWS account ids, got "12345"/,
    );
    expect(() =>
      createScanEngineFromConfig(configFor(sandbox, { source: 'catalog' })),
    ).toThrow(/estate\.source must be "organization" or "accounts"/);
  });
});
