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
import { MAX_LOOKUP_IDS } from './accountLookup';

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

/** The outsider may not read the data-lake entity, nor so its account. */
const visibleTo = (options: unknown) =>
  ENTITIES.filter(
    e => !(userOf(options) === OUTSIDER && e.metadata.name === 'aws-data-lake'),
  );

describe('GET /accounts?accountId=… (batch lookup)', () => {
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

  it('answers the asked accounts with their summaries, in one request', async () => {
    const res = await get(
      `/accounts?accountId=100000000002&accountId=100000000001&accountId=${HIDDEN}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: any) => i.accountId)).toEqual([
      '100000000001',
      '100000000002',
      HIDDEN,
    ]);
    expect(res.body.totalCount).toBe(3);
    const payments = res.body.items[0];
    // The same summary as the fleet list's, catalog links included.
    const listed = (await get('/accounts')).body.items.find(
      (i: any) => i.accountId === '100000000001',
    );
    expect(payments).toEqual(listed);
    expect(payments.entityRef).toBe('resource:default/aws-payments-prod');
    // The demo's marketing account logs with SSE-S3.
    expect(res.body.items[1].status).toBe('non-compliant');
  });

  it('answers one id, and leaves out accounts never scanned', async () => {
    const res = await get(
      '/accounts?accountId=100000000001&accountId=999999999999',
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: any) => i.accountId)).toEqual([
      '100000000001',
    ]);
  });

  it('leaves out accounts hidden from the caller', async () => {
    const res = await get(
      `/accounts?accountId=100000000001&accountId=${HIDDEN}`,
      OUTSIDER,
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: any) => i.accountId)).toEqual([
      '100000000001',
    ]);
  });

  it('refuses malformed ids and oversized batches', async () => {
    const bad = await get('/accounts?accountId=12345');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(
      /accountId.*must be a 12-digit AWS account id/,
    );
    const many = Array.from(
      { length: MAX_LOOKUP_IDS + 1 },
      (_, i) => `accountId=${String(100000000000 + i)}`,
    ).join('&');
    const tooMany = await get(`/accounts?${many}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/at most 100 account ids/);
    const mixed = await get('/accounts?accountId=100000000001&page=2');
    expect(mixed.status).toBe(400);
  });

  it('still serves the paged fleet list without accountId', async () => {
    const res = await get('/accounts?pageSize=2');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.totalCount).toBe(3);
  });
});
