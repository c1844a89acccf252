import { sandboxConfig } from '../__testUtils__/sandboxConfig';
import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import type {
  AccountReport,
  TrailReaders,
  TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { createScanEngineFromConfig } from './config';

jest.setTimeout(60_000);

const ORG = 'o-tgdemo12345';
const MANAGEMENT = '111111111111';

/** The role or user name at the end of an IAM ARN (SSO roles without their suffix). */
function nameOf(arn: string): string {
  const name = arn.split('/').pop()!;
  return name.replace(/^(AWSReservedSSO_[A-Za-z]+)_[0-9a-f]{16}$/, '$1');
}

const names = (list: Array<{ principal: string; accountId: string }>) =>
  list.map(r => `${r.accountId}:${nameOf(r.principal)}`).sort();

const lacking = (readers: TrailReaders, lacks: string) =>
  names(readers.partial.filter(p => p.lacks === lacks));

async function scanDemo(
  sandbox: Sandbox,
  withGuardrails: boolean,
): Promise<Map<string, AccountReport>> {
  const accounts = sandbox.scenario.accounts;
  const { engine, clients } = createScanEngineFromConfig(
    sandboxConfig(sandbox, {
      aws: { requestTimeout: 2000 },
      ...(withGuardrails
        ? { estate: { managementAccountId: MANAGEMENT } }
        : {}),
    }),
  );
  try {
    const reports = await engine.scan(
      accounts.map(a => ({ accountId: a.id, name: a.name })),
      {
        organizationId: ORG,
        organizationAccountIds: accounts.map(a => a.id),
      },
    );
    return new Map(reports.map(r => [r.accountId, r]));
  } finally {
    clients.destroy();
  }
}

describe('ScanEngine names the readers of the demo organization', () => {
  let sandbox: Sandbox;
  let reports: Map<string, AccountReport>;
  let byApi: Record<string, Record<string, number>>;

  const trail = (accountId: string, name: string): TrailReport =>
    reports.get(accountId)!.trails.find(t => t.name === name)!;
  const readersOf = (accountId: string, name: string): TrailReaders =>
    trail(accountId, name).readers!;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    sandbox.resetCounters();
    reports = await scanDemo(sandbox, true);
    byApi = sandbox.counters().byAccountApi;
  });

  afterAll(async () => {
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('names the organization trail readers in the log-archive account', () => {
    const readers = readersOf(MANAGEMENT, 'org-trail');
    expect(names(readers.readers)).toEqual([
      '222222222222:AWSReservedSSO_AdministratorAccess',
      '222222222222:LogArchiveReader',
      '222222222222:auditor-jane',
    ]);
    // Read-only SSO: S3 reads, but ReadOnlyAccess has no kms:Decrypt and the
    // key policy only delegates to IAM; the boundary takes it from the admin.
    expect(lacking(readers, 'kms:Decrypt')).toEqual([
      '222222222222:AWSReservedSSO_ReadOnlyAccess',
      '222222222222:platform-engineer',
    ]);
    expect(readers.unresolved).toEqual([]);
    expect(readers.bucketPolicyError).toBeUndefined();

    const reader = readers.readers.find(
      r => nameOf(r.principal) === 'LogArchiveReader',
    )!;
    expect(reader.via).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          layer: 'key-policy',
          statement: 'Allow log archive readers to decrypt log files',
        }),
        expect.objectContaining({
          layer: 'bucket-policy',
          statement: 'AllowLogArchiveReaderToReadLogs',
        }),
      ]),
    );
    const jane = readers.readers.find(
      r => nameOf(r.principal) === 'auditor-jane',
    )!;
    expect(jane.kind).toBe('iam-user');
    expect(jane.accountName).toBe('log-archive');
    expect(jane.via).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          layer: 'identity-policy',
          policy: 'arn:aws:iam::222222222222:policy/CloudTrailLogReader',
        }),
      ]),
    );
  });

  it('analyses the organization trail once and shows it in every member', () => {
    const owner = readersOf(MANAGEMENT, 'org-trail');
    for (const accountId of ['100000000001', '100000000002', '222222222222']) {
      const seen = reports
        .get(accountId)!
        .trails.find(t => t.isOrganizationTrail);
      expect(seen?.readers).toEqual(owner);
    }
  });

  it('reads the central bucket policy as its owner, after the trail owner is refused', () => {
    expect(byApi[MANAGEMENT]['s3:GetBucketPolicy']).toBe(1);
    expect(byApi[MANAGEMENT]['s3:GetPublicAccessBlock']).toBeUndefined();
    expect(byApi['222222222222']['s3:GetBucketPolicy']).toBe(1);
    expect(byApi['222222222222']['s3:GetPublicAccessBlock']).toBe(1);
  });

  it('names a grant holder as a reader and a KMS-only CI role as partial', () => {
    const readers = readersOf('100000000001', 'payments-trail');
    expect(names(readers.readers)).toEqual(
      expect.arrayContaining(['100000000001:LogProcessor']),
    );
    const processor = readers.readers.find(
      r => nameOf(r.principal) === 'LogProcessor',
    )!;
    expect(processor.via.map(v => v.layer)).toEqual(
      expect.arrayContaining(['grant', 'identity-policy']),
    );
    expect(lacking(readers, 's3:GetObject')).toEqual(
      expect.arrayContaining(['100000000001:ci-deployer']),
    );
    expect(lacking(readers, 'kms:Decrypt')).toEqual([]);
  });

  it('applies the SCP that denies kms:Decrypt to Workloads/NonProd', () => {
    // Same kind of key policy in both accounts: delegation to IAM.
    const prod = readersOf('100000000004', 'billing-trail');
    const nonProd = readersOf('100000000005', 'analytics-trail');
    expect(names(prod.readers)).toContain(
      '100000000004:AWSReservedSSO_AdministratorAccess',
    );
    expect(nonProd.readers).toEqual([]);
    expect(lacking(nonProd, 'kms:Decrypt')).toContain(
      '100000000005:AWSReservedSSO_AdministratorAccess',
    );
  });

  it('keeps the key-policy answer and says why where IAM cannot be read', () => {
    const identity = trail('100000000010', 'identity-trail');
    expect(names(identity.readers!.readers)).toContain(
      '100000000010:ExternalAuditReader',
    );
    expect(identity.readers!.unresolved).toEqual([
      expect.objectContaining({
        accountId: '100000000099',
        reason: expect.stringMatching(/not in the scanned estate/),
      }),
    ]);
    expect(identity.decryptPrincipals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          principal: 'arn:aws:iam::100000000099:role/SecurityAudit',
        }),
      ]),
    );
    expect(identity.findings.map(f => f.code)).toEqual(
      expect.arrayContaining([
        'READERS_UNRESOLVED',
        'READER_OUTSIDE_ORGANIZATION',
      ]),
    );
    // One hop further: an account outside the organization may assume it.
    const external = identity.readers!.readers.find(
      r => nameOf(r.principal) === 'ExternalAuditReader',
    )!;
    expect(external.outsideOrganization).toBe(false);
    expect(external.trustedBy).toEqual([
      expect.objectContaining({
        principal: 'arn:aws:iam::100000000099:root',
        outsideOrganization: true,
      }),
    ]);

    const web = readersOf('100000000008', 'web-trail');
    const unresolved = new Map(web.unresolved.map(u => [u.accountId, u]));
    expect(unresolved.get('100000000008')).toEqual(
      expect.objectContaining({
        accountName: 'public-web',
        missingPermission: 'iam:GetAccountAuthorizationDetails',
        reason: expect.stringMatching(/AccessDenied/),
      }),
    );
    expect(unresolved.get('100000000012')?.reason).toMatch(/credentials/);
  });

  it('analyses a key open to any principal against every scanned account', () => {
    const web = readersOf('100000000008', 'web-trail');
    const accounts = new Set(
      [...web.readers, ...web.partial].map(r => r.accountId),
    );
    // Every account whose IAM was read shows up; none is called unresolved
    // for having been analysed in another batch.
    for (const id of ['111111111111', '222222222222', '100000000001']) {
      expect(accounts.has(id)).toBe(true);
    }
    expect(web.unresolved.map(u => u.accountId).sort()).toEqual([
      '100000000008',
      '100000000012',
    ]);
    expect(lacking(web, 's3:GetObject')).toContain('100000000001:ci-deployer');
  });

  it('reads each account’s IAM once, and adds reader findings to the account', () => {
    for (const [accountId, apis] of Object.entries(byApi)) {
      expect({
        accountId,
        reads: apis['iam:GetAccountAuthorizationDetails'] ?? 0,
      }).toEqual({
        accountId,
        reads: accountId === '100000000012' ? 0 : 1,
      });
    }
    const report = reports.get('100000000010')!;
    expect(report.findings.map(f => f.code)).toEqual(
      expect.arrayContaining(['DECRYPT_CROSS_ACCOUNT', 'READERS_UNRESOLVED']),
    );
    // Medium and info findings do not block: the compliant accounts stay so.
    for (const id of ['111111111111', '222222222222', '100000000001']) {
      expect(reports.get(id)!.status).toBe('compliant');
    }
  });

  it('leaves an SSE-S3 trail without readers', () => {
    expect(trail('100000000002', 'marketing-trail').readers).toBeUndefined();
  });

  it('names readers of other accounts in a rescan of one account', async () => {
    const { engine, clients } = createScanEngineFromConfig(
      sandboxConfig(sandbox, { aws: { requestTimeout: 2000 } }),
    );
    try {
      const accounts = sandbox.scenario.accounts;
      const [report] = await engine.scan(
        [{ accountId: '100000000007', name: 'search-dev' }],
        {
          organizationId: ORG,
          organizationAccountIds: accounts.map(a => a.id),
          knownAccountIds: accounts.map(a => a.id),
          accountNames: new Map(accounts.map(a => [a.id, a.name])),
        },
      );
      const orgTrail = report.trails.find(t => t.name === 'org-trail')!;
      const jane = orgTrail.readers!.readers.find(r =>
        r.principal.endsWith('/auditor-jane'),
      );
      expect(jane?.accountName).toBe('log-archive');
    } finally {
      clients.destroy();
    }
  });

  it('decides without the guardrails when the management account is not configured', async () => {
    sandbox.resetCounters();
    const without = await scanDemo(sandbox, false);
    const apis = Object.keys(sandbox.counters().byApi);
    expect(apis.filter(a => a.startsWith('organizations:'))).toEqual([]);
    const nonProd = without
      .get('100000000005')!
      .trails.find(t => t.name === 'analytics-trail')!.readers!;
    expect(names(nonProd.readers)).toContain(
      '100000000005:AWSReservedSSO_AdministratorAccess',
    );
  });
});
