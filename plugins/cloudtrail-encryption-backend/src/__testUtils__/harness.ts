import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  coreServices,
  createServiceFactory,
  type LoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Sandbox } from '@trailguard/aws-sandbox';
import type { Knex } from 'knex';
import request from 'supertest';
import { cloudTrailEncryptionPlugin } from '../plugin';

/** Everything a logger was given, serialized, to search for secrets. */
export function recordingLogger() {
  const lines: string[] = [];
  const record = (level: string) => (message: string, meta?: Error | object) =>
    void lines.push(
      `${level} ${message} ${
        meta instanceof Error
          ? `${meta.name} ${meta.message} ${meta.stack}`
          : JSON.stringify(meta ?? {})
      }`,
    );
  const logger: LoggerService = {
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    debug: record('debug'),
    child: () => logger,
  };
  const factory = createServiceFactory({
    service: coreServices.logger,
    deps: {},
    factory: () => logger,
  });
  return { lines, factory };
}

export function accountEntities(sandbox: Sandbox): Entity[] {
  return sandbox.scenario.accounts.map(a => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: `aws-${a.name ?? a.id}`,
      namespace: 'default',
      annotations: { 'amazonaws.com/account-id': a.id },
    },
    spec: { type: 'cloud-account', owner: 'group:platform-team' },
  }));
}

/**
 * The real plugin with the real scheduler, against a sandbox, on the given
 * database. Scans run when the test asks (POST /scans or a rescan).
 */
export async function startPluginBackend(options: {
  sandbox: Sandbox;
  knex: Knex;
  extraConfig?: object;
}) {
  const log = recordingLogger();
  const { sandbox } = options;
  const backend = await startTestBackend({
    features: [
      cloudTrailEncryptionPlugin,
      schedulerServiceFactory,
      log.factory,
      mockServices.database.factory({ knex: options.knex }),
      catalogServiceMock.factory({ entities: accountEntities(sandbox) }),
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
            aws: {
              endpoint: sandbox.endpoint,
              requestTimeout: 1000,
              // 20% random throttling fails a call 8 times running once in
              // 400,000 calls: rare enough for a test to rely on.
              maxAttempts: 8,
              // Long enough for throttling back-off, short enough for hang tests.
              callTimeout: 8000,
            },
            scan: { concurrency: 4 },
            schedule: {
              frequency: { trigger: 'manual' },
              timeout: { minutes: 5 },
            },
            newAccountsSchedule: {
              frequency: { trigger: 'manual' },
              timeout: { minutes: 5 },
            },
            ...options.extraConfig,
          },
        },
      }),
    ],
  });
  const auth = mockCredentials.user.header();
  const api = (path: string) => `/api/cloudtrail-encryption${path}`;

  const get = async (path: string) => {
    const res = await request(backend.server)
      .get(api(path))
      .set('Authorization', auth);
    return res;
  };

  /** Triggers the scheduled scan and waits for its history row. */
  const fullScan = async () => {
    const before = (await get('/scans?limit=200')).body.items.length;
    const res = await request(backend.server)
      .post(api('/scans'))
      .set('Authorization', auth);
    if (res.status !== 202) {
      throw new Error(`POST /scans: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const runs = (await get('/scans?limit=200')).body.items;
      if (runs.length > before && runs[0].finishedAt) return runs[0];
      if (Date.now() > deadline) throw new Error('scan did not finish');
      await new Promise(r => setTimeout(r, 200));
    }
  };

  const reports = async () => {
    const list = (await get('/accounts?pageSize=500')).body;
    const full = await Promise.all(
      list.items.map(
        async (i: any) => (await get(`/accounts/${i.accountId}`)).body,
      ),
    );
    return new Map<string, any>(full.map(r => [r.accountId, r]));
  };

  return { backend, log, get, fullScan, reports, auth, api };
}
