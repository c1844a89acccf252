import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import allowAllPolicy from '@backstage/plugin-permission-backend-module-allow-all-policy';
import sandboxModule from '@trailguard/aws-sandbox/backend';
import cloudTrailEncryptionPlugin from '@trailguard/plugin-cloudtrail-encryption-backend';
import { createServer } from 'node:net';
import request from 'supertest';
import {
  developmentConfig,
  mergeConfig,
} from './__testUtils__/developmentConfig';
import { catalogModuleAwsOrganizationAccounts } from './modules/awsOrganizationAccounts';
import { authKeepingActors } from './__testUtils__/authKeepingActors';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('Timed out waiting');
    await new Promise(r => setTimeout(r, 500));
  }
}

const EXPECTED: Record<string, [string, string]> = {
  'aws-management': ['compliant', 'ok'],
  'aws-log-archive': ['compliant', 'ok'],
  'aws-payments-prod': ['compliant', 'ok'],
  'aws-marketing-sandbox': ['non-compliant', 'ok'],
  'aws-data-lake': ['non-compliant', 'ok'],
  'aws-legacy-billing': ['non-compliant', 'ok'],
  'aws-retired-analytics': ['non-compliant', 'ok'],
  'aws-checkout-staging': ['non-compliant', 'ok'],
  'aws-search-dev': ['non-compliant', 'ok'],
  'aws-public-web': ['non-compliant', 'ok'],
  'aws-shared-services': ['compliant', 'ok'],
  // Its key lets a role of 100000000099 decrypt: outside the organization, so
  // DECRYPT_CROSS_ACCOUNT, whatever the catalog says about that account.
  'aws-identity-prod': ['non-compliant', 'ok'],
  'aws-ml-platform': ['compliant', 'ok'],
  'aws-acquired-co': ['unknown', 'error'],
};

describe('TrailGuard in the backend, against the AWS sandbox', () => {
  it('scans the demo organization at start-up and serves every example account', async () => {
    const port = await freePort();
    // What `yarn start` loads, on a free port and with quicker schedules.
    const data = mergeConfig(await developmentConfig(), {
      catalog: { processingInterval: { seconds: 1 } },
      trailguardSandbox: { port },
      cloudtrailEncryption: {
        aws: { endpoint: `http://127.0.0.1:${port}` },
        schedule: {
          frequency: { hours: 6 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 1 },
        },
        newAccountsSchedule: {
          frequency: { seconds: 2 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 2 },
        },
      },
    });
    const backend = await startTestBackend({
      features: [
        // The real scheduler: tasks run on their schedule, as in production.
        schedulerServiceFactory,
        ...authKeepingActors,
        catalogPlugin,
        catalogModuleAwsOrganizationAccounts,
        permissionPlugin,
        allowAllPolicy,
        cloudTrailEncryptionPlugin,
        sandboxModule,
        mockServices.rootConfig.factory({ data }),
      ],
    });

    try {
      const auth = mockCredentials.user.header();
      let last = '';
      await eventually(async () => {
        const res = await request(backend.server)
          .get('/api/cloudtrail-encryption/accounts?pageSize=100')
          .set('Authorization', auth);
        last = `${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
        return res.status === 200 && res.body.totalCount === 14
          ? res.body
          : undefined;
      }, 60_000).catch(e => {
        throw new Error(`${e.message}; last answer: ${last}`);
      });

      for (const [name, [status, scanStatus]] of Object.entries(EXPECTED)) {
        const get = () =>
          request(backend.server)
            .get(`/api/cloudtrail-encryption/entity/default/resource/${name}`)
            .set('Authorization', auth);
        // The accounts are reported from the estate; the catalog ingests
        // their entities on its own schedule, which on a loaded machine can
        // come a little later. Only "entity not found" is waited out.
        const res = await eventually(async () => {
          const r = await get();
          const missing =
            r.status === 404 &&
            /^Entity .* not found$/.test(r.body?.error?.message ?? '');
          return missing ? undefined : r;
        }, 30_000).catch(() => get());
        expect({ name, code: res.status }).toEqual({ name, code: 200 });
        expect({
          name,
          status: res.body.status,
          scan: res.body.scanStatus,
        }).toEqual({ name, status, scan: scanStatus });
      }

      const runs = await request(backend.server)
        .get('/api/cloudtrail-encryption/scans')
        .set('Authorization', auth);
      expect(runs.body.items.length).toBeGreaterThan(0);
      expect(runs.body.items.every((r: any) => r.finishedAt)).toBe(true);
    } finally {
      await backend.stop();
    }
  }, 120_000);
});
