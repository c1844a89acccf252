import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import {
  countDecryptReaders,
  scanRoleOf,
  type AccountSummary,
  type EstateSummary,
  type TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startPluginBackend } from '../__testUtils__/harness';
import { ScanAccessReader } from './ScanAccessReader';

jest.setTimeout(120_000);

/** The sandbox's main identity: the management account's root. */
const MAIN_IDENTITY = 'arn:aws:iam::111111111111:root';

describe('scan access and readers through the backend plugin', () => {
  const databases = createTestDatabases();
  let sandbox: Sandbox;
  let h: Awaited<ReturnType<typeof startPluginBackend>>;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    const knex = await databases.init('SQLITE_3');
    h = await startPluginBackend({ sandbox, knex });
    await h.fullScan();
  });

  afterAll(async () => {
    await h?.backend.stop();
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('serves the role to deploy and the identity it must trust in GET /estate', async () => {
    const res = await h.get('/estate');
    expect(res.status).toBe(200);
    const estate: EstateSummary = res.body;
    expect(estate.scanAccess).toEqual({
      scanningIdentityArn: MAIN_IDENTITY,
      trustPrincipalArn: MAIN_IDENTITY,
      defaultRole: {
        roleName: 'TrailGuardReadOnly',
        externalIdRequired: false,
      },
    });
    // The account whose role cannot be assumed: the role the error names.
    const report = (await h.get('/accounts/100000000012')).body;
    expect(report.scanStatus).toBe('error');
    const role = scanRoleOf(estate.scanAccess!, '100000000012')!;
    expect(role.roleArn).toBe(
      'arn:aws:iam::100000000012:role/TrailGuardReadOnly',
    );
    expect(report.error).toContain(role.roleArn);
    expect(report.error).toContain(MAIN_IDENTITY);
  });

  it('counts each account’s effective readers and sorts on them', async () => {
    const reports = await h.reports();
    const asc = (await h.get('/accounts?pageSize=500&sort=readersCount')).body
      .items as AccountSummary[];
    expect(asc).toHaveLength(reports.size);
    for (const row of asc) {
      const trails: TrailReport[] = reports.get(row.accountId).trails;
      const analysed = trails.filter(t => t.readers);
      // Named readers where the trails were analysed, each principal once;
      // the key-policy principals otherwise.
      const expected = analysed.length
        ? new Set(
            analysed.flatMap(t => t.readers!.readers.map(r => r.principal)),
          ).size
        : countDecryptReaders(trails);
      expect({ id: row.accountId, count: row.readersCount }).toEqual({
        id: row.accountId,
        count: expected,
      });
    }
    // payments-prod: its own trail's readers and the organization trail's.
    const payments = asc.find(r => r.accountId === '100000000001')!;
    expect(payments.readersCount).toBeGreaterThan(3);
    // The account that could never be scanned has no trails, so no count.
    expect(asc.find(r => r.accountId === '100000000012')?.readersCount).toBe(
      undefined,
    );
    const counts = asc.map(r => r.readersCount ?? -1);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(new Set(counts).size).toBeGreaterThan(2);

    const desc = (
      await h.get('/accounts?pageSize=500&sort=readersCount&order=desc')
    ).body.items as AccountSummary[];
    expect(desc.map(r => r.accountId)).toEqual(
      asc.map(r => r.accountId).reverse(),
    );
  });

  it('exports the readers count in CSV and JSON', async () => {
    const csv = await request(h.backend.server)
      .get(h.api('/accounts/export?format=csv&sort=readersCount'))
      .set('Authorization', h.auth);
    expect(csv.status).toBe(200);
    const [header, ...rows] = csv.text.trim().split('\r\n');
    const columns = header.split(',');
    const at = columns.indexOf('readersCount');
    expect(at).toBeGreaterThan(-1);
    const json = await request(h.backend.server)
      .get(h.api('/accounts/export?format=json&sort=readersCount'))
      .set('Authorization', h.auth);
    const items = JSON.parse(json.text) as AccountSummary[];
    expect(rows.map(r => r.split(',')[at])).toEqual(
      items.map(i => (i.readersCount === undefined ? '' : `${i.readersCount}`)),
    );
    expect(items.some(i => (i.readersCount ?? 0) > 1)).toBe(true);
    expect(columns).toContain('outsideReadersCount');
  });

  it('lists only the accounts with readers outside the organization when asked', async () => {
    const reports = await h.reports();
    const outside = [...reports.values()]
      .filter((r: { trails: TrailReport[] }) =>
        r.trails.some(t =>
          t.readers?.readers.some(
            reader =>
              reader.outsideOrganization ||
              reader.trustedBy?.some(trustee => trustee.outsideOrganization),
          ),
        ),
      )
      .map((r: { accountId: string }) => r.accountId)
      .sort();
    // identity-prod: ExternalAuditReader is assumable from 100000000099.
    expect(outside).toContain('100000000010');
    const res = await h.get('/accounts?pageSize=500&outsideReaders=true');
    expect(res.status).toBe(200);
    const items = res.body.items as AccountSummary[];
    expect(items.map(i => i.accountId).sort()).toEqual(outside);
    expect(res.body.totalCount).toBe(outside.length);
    for (const item of items) {
      expect(item.outsideReadersCount).toBeGreaterThan(0);
    }
    const all = await h.get('/accounts?pageSize=500&outsideReaders=false');
    expect(all.body.totalCount).toBe(reports.size);
  });
});

describe('ScanAccessReader', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  function config(extra: object = {}) {
    return new ConfigReader({
      aws: {
        mainAccount: {
          accessKeyId: sandbox.credentials.accessKeyId,
          secretAccessKey: sandbox.credentials.secretAccessKey,
        },
        accountDefaults: {
          roleName: 'TrailGuardReadOnly',
          externalId: 'never-served-default',
        },
        accounts: [
          {
            accountId: '100000000007',
            roleName: 'SearchAudit',
            externalId: 'never-served-account',
          },
          {
            accountId: '100000000008',
            accessKeyId: 'AKIAOWNKEYS000000001',
            secretAccessKey: 'own-secret',
          },
        ],
        ...extra,
      },
    });
  }

  it('asks STS once, says an external id is required without serving it, and hides accounts the caller may not see', async () => {
    let calls = 0;
    const real = ScanAccessReader.fromConfig(config(), {
      endpoint: sandbox.endpoint,
      logger: mockServices.logger.mock(),
    });
    // Count the look-ups through a reader sharing the real one's STS call.
    const reader = new ScanAccessReader(
      config(),
      async () => {
        calls += 1;
        await real.ready(10_000);
        return real.snapshot(() => true).scanningIdentityArn!;
      },
      mockServices.logger.mock(),
    );
    await reader.ready(10_000);
    await reader.ready(10_000);
    await reader.refresh();
    expect(calls).toBe(1);

    const all = reader.snapshot(() => true);
    expect(all.scanningIdentityArn).toBe(MAIN_IDENTITY);
    expect(all.defaultRole).toEqual({
      roleName: 'TrailGuardReadOnly',
      externalIdRequired: true,
    });
    expect(all.accounts).toEqual({
      '100000000007': { roleName: 'SearchAudit', externalIdRequired: true },
      '100000000008': { externalIdRequired: false },
    });
    expect(scanRoleOf(all, '100000000007')?.roleArn).toBe(
      'arn:aws:iam::100000000007:role/SearchAudit',
    );
    expect(scanRoleOf(all, '100000000008')).toBeUndefined();
    expect(JSON.stringify(all)).not.toMatch(/never-served|own-secret|AKIA/);

    const some = reader.snapshot(id => id === '100000000007');
    expect(Object.keys(some.accounts ?? {})).toEqual(['100000000007']);
    expect(reader.snapshot(() => false).accounts).toBeUndefined();
  });

  it('reports why the identity is unknown', async () => {
    const logger = mockServices.logger.mock();
    const reader = ScanAccessReader.fromConfig(
      config({
        mainAccount: {
          accessKeyId: 'AKIAUNKNOWN000000001',
          secretAccessKey: 'wrong',
        },
      }),
      { endpoint: sandbox.endpoint, logger },
    );
    await reader.ready(10_000);
    const access = reader.snapshot(() => true);
    expect(access.scanningIdentityArn).toBeUndefined();
    expect(access.identityError).toBeTruthy();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('sts:GetCallerIdentity'),
    );
  });
});
