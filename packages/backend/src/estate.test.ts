import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { isPermission } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import cloudTrailEncryptionPlugin, {
  cloudTrailAccountConditions,
  createCloudTrailAccountConditionalDecision,
} from '@trailguard/plugin-cloudtrail-encryption-backend';
import { cloudTrailEncryptionReportReadPermission } from '@trailguard/plugin-cloudtrail-encryption-common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { TrailGuardPermissionPolicy } from './modules/permissionPolicy';
import { authKeepingActors } from './__testUtils__/authKeepingActors';

jest.setTimeout(180_000);

const ALICE = 'user:default/alice'; // owns payments-prod's account entity
const CAROL = 'user:default/carol'; // owns marketing-sandbox's; reads only what she owns
const ADMIN = 'user:default/sec';
const MALLORY = 'user:default/mallory';

function resource(
  name: string,
  accountId: string,
  owner: string,
  kind = 'Resource',
  type = 'cloud-account',
) {
  return `---
apiVersion: backstage.io/v1alpha1
kind: ${kind}
metadata:
  name: ${name}
  title: ${name}-title
  annotations:
    amazonaws.com/account-id: '${accountId}'
spec:
  type: ${type}
  owner: ${owner}
${kind === 'Component' ? '  lifecycle: production\n' : ''}`;
}

const CATALOG =
  resource('aws-payments-prod', '100000000001', ALICE) +
  resource('aws-marketing-sandbox', '100000000002', CAROL) +
  // An unrelated entity carrying an org account's id grants nothing.
  resource('sneaky', '100000000003', MALLORY, 'Component', 'service') +
  // A catalog-declared account outside the organization: neither scanned nor trusted.
  resource('outside', '100000000099', MALLORY);

/** The shipped policy, except that Carol's reads are limited to what she owns. */
const testPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'test-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        const shipped = TrailGuardPermissionPolicy.fromConfig(
          new ConfigReader({
            cloudtrailEncryption: { permissions: { adminGroups: [ADMIN] } },
          }),
        );
        policy.setPolicy({
          async handle(req, user) {
            if (
              user?.info.userEntityRef === CAROL &&
              isPermission(
                req.permission,
                cloudTrailEncryptionReportReadPermission,
              )
            ) {
              return createCloudTrailAccountConditionalDecision(
                cloudTrailEncryptionReportReadPermission,
                cloudTrailAccountConditions.isOwnedBy({ claims: [CAROL] }),
              );
            }
            return shipped.handle(req, user);
          },
        });
      },
    });
  },
});

describe('TrailGuard: the estate decides, the catalog only owns and names', () => {
  let sandbox: Sandbox;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const as = (ref: string) => mockCredentials.user.header(ref);
  const api = (p: string) => `/api/cloudtrail-encryption${p}`;
  const get = (p: string, ref = ADMIN) =>
    request(backend.server).get(api(p)).set('Authorization', as(ref));
  const post = (p: string, ref = ADMIN) =>
    request(backend.server).post(api(p)).set('Authorization', as(ref));

  async function fullScan() {
    const before = (await get('/scans?limit=200')).body.items.length;
    const res = await post('/scans');
    expect(res.status).toBe(202);
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; ) {
      const runs = (await get('/scans?limit=200')).body.items;
      if (runs.length > before && runs[0].finishedAt) return runs[0];
      await new Promise(r => setTimeout(r, 250));
    }
    throw new Error('scan did not finish');
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    const dir = mkdtempSync(join(tmpdir(), 'trailguard-estate-'));
    const file = join(dir, 'catalog.yaml');
    writeFileSync(file, CATALOG);
    backend = await startTestBackend({
      features: [
        schedulerServiceFactory,
        ...authKeepingActors,
        catalogPlugin,
        permissionPlugin,
        testPolicy,
        cloudTrailEncryptionPlugin,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [{ allow: ['Resource', 'Component'] }],
              locations: [{ type: 'file', target: file }],
            },
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
              newAccountsSchedule: {
                frequency: { trigger: 'manual' },
                timeout: { minutes: 5 },
              },
            },
          },
        }),
      ],
    });
    // Wait for the catalog to ingest every entity (asking the catalog, not
    // TrailGuard, whose view of the catalog is cached for a while).
    const ingested = async (path: string) => {
      const res = await request(backend.server)
        .get(`/api/catalog/entities/by-name/${path}`)
        .set('Authorization', as(ADMIN));
      return res.status === 200 && res.body.relations?.length > 0;
    };
    for (const deadline = Date.now() + 60_000; ; ) {
      const found = await Promise.all(
        [
          'resource/default/aws-payments-prod',
          'resource/default/aws-marketing-sandbox',
          'resource/default/outside',
          'component/default/sneaky',
        ].map(ingested),
      );
      if (found.every(Boolean)) break;
      if (Date.now() > deadline)
        throw new Error(`catalog not ingested: ${found}`);
      await new Promise(r => setTimeout(r, 500));
    }
    await fullScan();
  });

  afterAll(async () => {
    await backend?.stop();
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('scans the organization, not the catalog', async () => {
    const list = (await get('/accounts?pageSize=500')).body;
    const ids = list.items.map((i: any) => i.accountId);
    expect(ids).toHaveLength(14);
    expect(ids).not.toContain('100000000099');
    expect((await get('/accounts/100000000099')).status).toBe(404);
    // Names from the organization, titles from the account's own entity.
    const names = new Map(
      list.items.map((i: any) => [i.accountId, i.accountName]),
    );
    expect(names.get('100000000001')).toBe('aws-payments-prod-title');
    expect(names.get('100000000003')).toBe('data-lake');
  });

  it('grants nothing through an annotation on an unrelated entity', async () => {
    const res = await get('/entity/default/component/sneaky', MALLORY);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/is not an AWS account entity/);
    // Mallory owns the component but gets no trigger on the account it names.
    expect((await post('/accounts/100000000003/rescan', MALLORY)).status).toBe(
      403,
    );
  });

  it('answers NotInEstateError for an account entity outside the estate', async () => {
    const res = await get('/entity/default/resource/outside');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: {
        name: 'NotInEstateError',
        message: expect.stringMatching(
          /^Account 100000000099 is not in the scanned estate: /,
        ),
      },
      request: expect.any(Object),
      response: { statusCode: 404 },
    });
    expect((await post('/accounts/100000000099/rescan')).status).toBe(404);
  });

  it('does not trust a catalog-declared outside account for decrypt', async () => {
    const identity = (await get('/accounts/100000000010')).body;
    const codes = identity.findings.map((f: any) => f.code);
    expect(codes).toContain('DECRYPT_CROSS_ACCOUNT');
  });

  it('lets owners rescan their account only; a full scan needs unconditional trigger', async () => {
    expect((await post('/accounts/100000000001/rescan', ALICE)).status).toBe(
      200,
    );
    const other = await post('/accounts/100000000002/rescan', ALICE);
    expect(other.status).toBe(403);
    expect((await post('/scans', ALICE)).status).toBe(403);
    expect((await post('/accounts/100000000002/rescan', ADMIN)).status).toBe(
      200,
    );
  });

  it('filters list, counts, history and estate by a conditional read decision', async () => {
    const list = (await get('/accounts?pageSize=500', CAROL)).body;
    expect(list.items.map((i: any) => i.accountId)).toEqual(['100000000002']);
    expect(list.totalCount).toBe(1);
    const total = Object.values(
      list.countsByStatus as Record<string, number>,
    ).reduce((a, b) => a + b, 0);
    expect(total).toBe(1);
    expect((await get('/accounts/100000000001', CAROL)).status).toBe(404);
    expect(
      (await get('/entity/default/resource/aws-payments-prod', CAROL)).status,
    ).toBe(404);
    expect(
      (await get('/entity/default/resource/aws-marketing-sandbox', CAROL))
        .status,
    ).toBe(200);
    const runs = (await get('/scans?limit=50', CAROL)).body.items;
    expect(Math.max(...runs.map((r: any) => r.accountCount))).toBe(1);
    const estate = (await get('/estate', CAROL)).body;
    expect(estate).toEqual(
      expect.objectContaining({
        mode: 'organization',
        organizationId: 'o-tgdemo12345',
        accountCount: 1,
      }),
    );
    expect((await get('/estate')).body.accountCount).toBe(14);
  });

  it('keeps the last estate when the organization cannot be read', async () => {
    sandbox.faults.set({ accessDenied: [{ api: 'organizations:*' }] });
    try {
      await fullScan();
      const estate = (await get('/estate')).body;
      expect(estate.error).toMatch(/AccessDenied/i);
      expect(estate.accountCount).toBe(14);
      expect((await get('/accounts?pageSize=500')).body.totalCount).toBe(14);
    } finally {
      sandbox.faults.reset();
    }
    await fullScan();
    expect((await get('/estate')).body.error).toBeUndefined();
  });

  it('does not scan a suspended account and shows it as such', async () => {
    const before = (await get('/accounts/100000000011')).body;
    sandbox.state.accounts.get('100000000011')!.state = 'SUSPENDED';
    try {
      await fullScan();
      const after = (await get('/accounts/100000000011')).body;
      expect(after.membership.state).toBe('SUSPENDED');
      expect(after.scannedAt).toBe(before.scannedAt);
      expect(after.trails).toEqual(before.trails);
      expect((await get('/estate')).body.suspendedCount).toBe(1);
      expect((await post('/accounts/100000000011/rescan')).status).toBe(409);
    } finally {
      sandbox.state.accounts.get('100000000011')!.state = 'ACTIVE';
    }
  });

  it('archives an account that leaves and restores it when it returns', async () => {
    const account = sandbox.state.accounts.get('100000000009')!;
    account.inOrganization = false;
    try {
      await fullScan();
      expect((await get('/accounts/100000000009')).status).toBe(404);
      const ids = (await get('/accounts?pageSize=500')).body.items.map(
        (i: any) => i.accountId,
      );
      expect(ids).not.toContain('100000000009');
      expect((await post('/accounts/100000000009/rescan')).status).toBe(404);
    } finally {
      account.inOrganization = true;
    }
    const run = await fullScan();
    expect(run.accountCount).toBe(14);
    const back = await get('/accounts/100000000009');
    expect(back.status).toBe(200);
    expect(back.body.scanStatus).toBe('ok');
  });
});
