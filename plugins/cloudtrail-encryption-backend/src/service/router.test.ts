import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import request from 'supertest';
import { cloudTrailEncryptionPlugin } from '../plugin';
import { CSV_COLUMNS } from './fleetExport';

jest.setTimeout(120_000);

const OUTSIDER = 'user:default/outsider';
const HIDDEN = '100000000003';

function accountEntity(name: string, accountId: string, owner: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'amazonaws.com/account-id': accountId },
    },
    spec: { type: 'cloud-account', owner },
  };
}

const ENTITIES = [
  accountEntity('aws-payments-prod', '100000000001', 'group:payments'),
  accountEntity('aws-marketing-sandbox', '100000000002', 'group:marketing'),
  accountEntity('aws-data-lake', HIDDEN, 'group:data'),
];

const userOf = (options: unknown) =>
  (
    (options as { credentials?: BackstageCredentials } | undefined)?.credentials
      ?.principal as { userEntityRef?: string } | undefined
  )?.userEntityRef;

/** The outsider may not read the data-lake entity. */
const visibleTo = (options: unknown) =>
  ENTITIES.filter(
    e => !(userOf(options) === OUTSIDER && e.metadata.name === 'aws-data-lake'),
  );

function parseCsv(text: string): string[][] {
  return text
    .split('\r\n')
    .filter(Boolean)
    .map(line => line.split(','));
}

describe('fleet list sorting and export', () => {
  let sandbox: Sandbox;
  let server: any;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    const catalog = catalogServiceMock.mock({
      getEntities: async (_req, options) => ({ items: visibleTo(options) }),
      getEntityByRef: async () => undefined,
    });
    const permissions = mockServices.permissions.mock({
      authorizeConditional: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })) as any,
    });
    const backend = await startTestBackend({
      features: [
        cloudTrailEncryptionPlugin,
        catalog.factory,
        permissions.factory,
        mockServices.rootConfig.factory({
          data: {
            aws: {
              mainAccount: {
                accessKeyId: sandbox.credentials.accessKeyId,
                secretAccessKey: sandbox.credentials.secretAccessKey,
              },
              accountDefaults: { roleName: 'TrailGuardReadOnly' },
            },
            cloudtrailEncryption: {
              aws: { endpoint: sandbox.endpoint },
              schedule: {
                frequency: { trigger: 'manual' },
                timeout: { minutes: 5 },
              },
            },
          },
        }),
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
    for (const id of ['100000000001', '100000000002', HIDDEN]) {
      const res = await request(server)
        .post(`/api/cloudtrail-encryption/accounts/${id}/rescan`)
        .set('Authorization', mockCredentials.user.header());
      if (res.status !== 200) {
        throw new Error(`rescan ${id}: ${res.status} ${res.text}`);
      }
    }
  });

  afterAll(async () => {
    await stop?.();
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  const get = (path: string, user = 'user:default/guest') =>
    request(server)
      .get(`/api/cloudtrail-encryption${path}`)
      .set('Authorization', mockCredentials.user.header(user));

  it('sorts by any column in both directions, stable across pages', async () => {
    const asc = await get('/accounts?sort=accountId&order=asc');
    expect(asc.status).toBe(200);
    const ids = asc.body.items.map((i: any) => i.accountId);
    expect(ids).toEqual([...ids].sort());
    const desc = await get('/accounts?sort=accountId&order=desc');
    expect(desc.body.items.map((i: any) => i.accountId)).toEqual(
      [...ids].reverse(),
    );

    const trails = (await get('/accounts?sort=trailCount&order=desc')).body
      .items;
    const counts = trails.map((i: any) => i.trailCount);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));

    const pages = [];
    for (const page of [1, 2, 3]) {
      const res = await get(`/accounts?sort=name&pageSize=1&page=${page}`);
      pages.push(res.body.items[0].accountId);
      expect(res.body.totalCount).toBe(3);
    }
    const byName = (await get('/accounts?sort=name')).body.items.map(
      (i: any) => i.accountId,
    );
    expect(pages).toEqual(byName);
  });

  it('puts the most severe finding first when sorting by severity descending', async () => {
    const { items } = (await get('/accounts?sort=worstSeverity&order=desc'))
      .body;
    const rank = (i: any) =>
      ['critical', 'high', 'medium', 'low', 'info'].indexOf(
        i.worstFinding?.severity ?? 'none',
      );
    const ranks = items.map((i: any) => (rank(i) < 0 ? 9 : rank(i)));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('carries the entity, owners and trail Regions on each row', async () => {
    const { items } = (await get('/accounts')).body;
    const payments = items.find((i: any) => i.accountId === '100000000001');
    expect(payments).toEqual(
      expect.objectContaining({
        entityRef: 'resource:default/aws-payments-prod',
        ownerRefs: ['group:default/payments'],
        keyRegions: expect.any(Array),
        bucketRegions: expect.any(Array),
      }),
    );
    expect(payments.bucketRegions.length).toBeGreaterThan(0);
    for (const region of [...payments.keyRegions, ...payments.bucketRegions]) {
      expect(region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
    }
  });

  it('exports every matching row as CSV, across pages', async () => {
    const res = await get('/accounts/export?format=csv&sort=accountId');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="cloudtrail-encryption-accounts-.*\.csv"$/,
    );
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows.map(r => r[0])).toEqual([
      '100000000001',
      '100000000002',
      HIDDEN,
    ]);
    const payments = rows[0];
    expect(payments[header.indexOf('entityRef')]).toBe(
      'resource:default/aws-payments-prod',
    );
    expect(payments[header.indexOf('owners')]).toBe('group:default/payments');
  });

  it('applies the filters and sort to a JSON export', async () => {
    const res = await get(
      '/accounts/export?format=json&finding=TRAIL_NOT_KMS_ENCRYPTED',
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/\.json"$/);
    const rows = JSON.parse(res.text);
    expect(rows.map((r: any) => r.accountId)).toEqual(['100000000002']);
    expect(rows[0].findingCodes).toContain('TRAIL_NOT_KMS_ENCRYPTED');

    const desc = JSON.parse(
      (await get('/accounts/export?format=json&sort=accountId&order=desc'))
        .text,
    );
    expect(desc.map((r: any) => r.accountId)).toEqual([
      HIDDEN,
      '100000000002',
      '100000000001',
    ]);
    const none = await get('/accounts/export?format=json&q=no-such-account');
    expect(JSON.parse(none.text)).toEqual([]);
  });

  it('leaves out accounts the caller may not read, in lists and exports', async () => {
    const list = await get('/accounts', OUTSIDER);
    expect(list.body.items.map((i: any) => i.accountId)).not.toContain(HIDDEN);
    const csv = parseCsv(
      (await get('/accounts/export?format=csv', OUTSIDER)).text,
    );
    expect(
      csv
        .slice(1)
        .map(r => r[0])
        .sort(),
    ).toEqual(['100000000001', '100000000002']);
    const json = JSON.parse(
      (await get('/accounts/export?format=json', OUTSIDER)).text,
    );
    expect(json.map((r: any) => r.accountId)).not.toContain(HIDDEN);
  });

  it.each([
    '/accounts?sort=bogus',
    '/accounts?order=up',
    '/accounts?sort=name&sort=status',
    '/accounts/export',
    '/accounts/export?format=xml',
    '/accounts/export?format=csv&page=2',
    '/accounts/export?format=csv&status=bogus',
  ])('rejects %s with 400 and a message', async path => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Invalid query: /);
  });
});
