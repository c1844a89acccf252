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
import { cloudTrailEncryptionPlugin } from './plugin';

jest.setTimeout(60_000);

const VIEWER = 'user:default/viewer';
const OUTSIDER = 'user:default/outsider';

function accountEntity(name: string, accountId: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      title: name,
      annotations: { 'amazonaws.com/account-id': accountId },
    },
    spec: { type: 'cloud-account', owner: 'group:platform-team' },
  };
}

const ENTITIES = [
  accountEntity('aws-management', '111111111111'),
  accountEntity('aws-log-archive', '222222222222'),
  accountEntity('aws-payments-prod', '100000000001'),
  accountEntity('aws-marketing-sandbox', '100000000002'),
  accountEntity('aws-data-lake', '100000000003'),
  {
    ...accountEntity('no-annotation', '100000000001'),
    metadata: { name: 'no-annotation', namespace: 'default' },
  },
];

function credentialsOf(options: unknown): BackstageCredentials | undefined {
  return (options as { credentials?: BackstageCredentials } | undefined)
    ?.credentials;
}

function userRef(credentials: BackstageCredentials | undefined) {
  return (credentials?.principal as { userEntityRef?: string } | undefined)
    ?.userEntityRef;
}

/** The outsider may not read the data-lake entity; everyone else reads all. */
function visibleTo(credentials: BackstageCredentials | undefined) {
  return ENTITIES.filter(
    e =>
      !(
        userRef(credentials) === OUTSIDER && e.metadata.name === 'aws-data-lake'
      ),
  );
}

describe('cloudtrail-encryption backend plugin', () => {
  let sandbox: Sandbox;
  let server: any;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;

    const catalog = catalogServiceMock.mock({
      getEntities: async (_req, options) => ({
        items: visibleTo(credentialsOf(options)).filter(
          e => e.metadata.annotations?.['amazonaws.com/account-id'],
        ),
      }),
      getEntityByRef: async (ref, options) => {
        const r =
          typeof ref === 'string'
            ? ref
            : `${ref.kind}:${ref.namespace}/${ref.name}`;
        return visibleTo(credentialsOf(options)).find(
          e =>
            `${e.kind}:${e.metadata.namespace}/${e.metadata.name}`.toLowerCase() ===
            r.toLowerCase(),
        );
      },
    });
    const permissions = mockServices.permissions.mock({
      authorizeConditional: async (requests, options) =>
        requests.map(r => ({
          result:
            userRef(credentialsOf(options)) === VIEWER &&
            'permission' in r &&
            r.permission.name === 'cloudtrail-encryption.scan.trigger'
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        })) as any,
    });

    const backend = await startTestBackend({
      features: [
        cloudTrailEncryptionPlugin,
        // Requests without a token are unauthenticated (the default would be a user).
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
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
              // Scans in this test are on demand only.
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
  });

  afterAll(async () => {
    await stop?.();
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  const asUser = (ref = 'user:default/guest') =>
    mockCredentials.user.header(ref);

  it('answers /health without credentials', async () => {
    const res = await request(server).get('/api/cloudtrail-encryption/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it.each([
    ['get', '/accounts'],
    ['get', '/accounts/100000000001'],
    ['get', '/entity/default/resource/aws-payments-prod'],
    ['post', '/accounts/100000000001/rescan'],
    ['get', '/scans'],
  ])('rejects %s %s without credentials (401)', async (method, path) => {
    const res = await (request(server) as any)[method](
      `/api/cloudtrail-encryption${path}`,
    );
    expect(res.status).toBe(401);
  });

  it('rescans an account on demand and serves its report', async () => {
    const rescan = await request(server)
      .post('/api/cloudtrail-encryption/accounts/100000000001/rescan')
      .set('Authorization', asUser());
    expect(rescan.status).toBe(200);
    expect(rescan.body).toEqual(
      expect.objectContaining({
        accountId: '100000000001',
        accountName: 'aws-payments-prod',
        scanStatus: 'ok',
        status: 'compliant',
      }),
    );

    const res = await request(server)
      .get('/api/cloudtrail-encryption/accounts/100000000001')
      .set('Authorization', asUser());
    expect(res.status).toBe(200);
    expect(res.body.trails.length).toBeGreaterThan(0);

    const byEntity = await request(server)
      .get(
        '/api/cloudtrail-encryption/entity/default/Resource/aws-payments-prod',
      )
      .set('Authorization', asUser());
    expect(byEntity.status).toBe(200);
    expect(byEntity.body.accountId).toBe('100000000001');
  });

  it('forbids a rescan without the trigger permission (403)', async () => {
    const res = await request(server)
      .post('/api/cloudtrail-encryption/accounts/100000000001/rescan')
      .set('Authorization', asUser(VIEWER));
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(
      /cloudtrail-encryption\.scan\.trigger/,
    );
  });

  it('hides an account whose entity the user cannot read (404, not listed)', async () => {
    for (const id of ['100000000002', '100000000003']) {
      const r = await request(server)
        .post(`/api/cloudtrail-encryption/accounts/${id}/rescan`)
        .set('Authorization', asUser());
      expect(r.status).toBe(200);
    }
    const direct = await request(server)
      .get('/api/cloudtrail-encryption/accounts/100000000003')
      .set('Authorization', asUser(OUTSIDER));
    expect(direct.status).toBe(404);
    const byEntity = await request(server)
      .get('/api/cloudtrail-encryption/entity/default/resource/aws-data-lake')
      .set('Authorization', asUser(OUTSIDER));
    expect(byEntity.status).toBe(404);

    const list = await request(server)
      .get('/api/cloudtrail-encryption/accounts')
      .set('Authorization', asUser(OUTSIDER));
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: any) => i.accountId)).not.toContain(
      '100000000003',
    );
    const full = await request(server)
      .get('/api/cloudtrail-encryption/accounts')
      .set('Authorization', asUser());
    expect(full.body.items.map((i: any) => i.accountId)).toEqual(
      expect.arrayContaining(['100000000001', '100000000002', '100000000003']),
    );
    expect(full.body.countsByStatus['non-compliant']).toBeGreaterThanOrEqual(2);
  });

  it('filters the fleet by status and finding', async () => {
    const res = await request(server)
      .get('/api/cloudtrail-encryption/accounts')
      .query({ finding: 'TRAIL_NOT_KMS_ENCRYPTED', pageSize: '10' })
      .set('Authorization', asUser());
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: any) => i.accountId)).toEqual([
      '100000000002',
    ]);
    expect(res.body.pageSize).toBe(10);
  });

  it('lists recent scan runs', async () => {
    const res = await request(server)
      .get('/api/cloudtrail-encryption/scans?limit=2')
      .set('Authorization', asUser());
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items[0]).toEqual(
      expect.objectContaining({ trigger: 'manual', accountCount: 1 }),
    );
  });

  it.each([
    ['get', '/accounts/12345', 400],
    ['get', '/accounts/abcdefghijkl', 400],
    ['get', '/accounts/999999999999', 404],
    ['get', '/accounts?page=0', 400],
    ['get', '/accounts?pageSize=100000', 400],
    ['get', '/accounts?status=bogus', 400],
    ['get', '/accounts?finding=NOPE', 400],
    ['get', '/accounts?unexpected=1', 400],
    ['get', '/scans?limit=-1', 400],
    ['get', '/entity/default/resource/does-not-exist', 404],
    ['get', '/entity/default/resource/no-annotation', 404],
    ['get', '/entity/default/resource/..%2F..%2Fetc', 400],
    ['post', '/accounts/999999999999/rescan', 404],
  ])('%s %s → %i with a message', async (method, path, status) => {
    const res = await (request(server) as any)
      [method](`/api/cloudtrail-encryption${path}`)
      .set('Authorization', asUser());
    expect(res.status).toBe(status);
    expect(res.body.error.message).toEqual(expect.any(String));
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
