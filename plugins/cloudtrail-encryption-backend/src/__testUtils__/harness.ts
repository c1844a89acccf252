import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  coreServices,
  createServiceFactory,
  type AuditorServiceCreateEventOptions,
  type BackendFeature,
  type BackstageCredentials,
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

/**
 * An auditor that keeps the events it is asked to create (of the given ids
 * only, when given), and tells how each ended.
 */
export function recordingAuditor(eventIds?: readonly string[]) {
  const auditor = mockServices.auditor.mock();
  const recorded = () =>
    auditor.createEvent.mock.calls
      .map(([options], i) => ({
        options: options as AuditorServiceCreateEventOptions,
        result: auditor.createEvent.mock.results[i],
      }))
      .filter(r => !eventIds || eventIds.includes(r.options.eventId));
  return {
    factory: auditor.factory,
    events: () => recorded().map(r => r.options),
    outcomes: async () =>
      Promise.all(
        recorded().map(async r => {
          const event = await r.result.value;
          if (event.success.mock.calls.length) return 'succeeded';
          if (event.fail.mock.calls.length) return 'failed';
          return 'open';
        }),
      ),
    clear: () => auditor.createEvent.mockClear(),
  };
}

/** Each user owns itself and the group given for it, if any. */
export function userInfoWithGroups(groups: Record<string, string>) {
  return mockServices.userInfo.mock({
    getUserInfo: async (credentials: BackstageCredentials) => {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: groups[ref] ? [ref, groups[ref]] : [ref],
      };
    },
  }).factory;
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
  /** The database; the test backend's own SQLite in memory when omitted. */
  knex?: Knex;
  /** Merged into the `cloudtrailEncryption` section. */
  extraConfig?: object;
  /** Other sections of the configuration (other plugins', `app`, `backend`). */
  rootConfig?: object;
  /** The catalog's entities; the sandbox's accounts' entities by default. */
  entities?: Entity[];
  /** More plugins and service factories (auditor, permissions, …). */
  features?: BackendFeature[];
}) {
  const log = recordingLogger();
  const { sandbox } = options;
  const backend = await startTestBackend({
    features: [
      cloudTrailEncryptionPlugin,
      schedulerServiceFactory,
      log.factory,
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      catalogServiceMock.factory({
        entities: options.entities ?? accountEntities(sandbox),
      }),
      ...(options.features ?? []),
      mockServices.rootConfig.factory({
        data: {
          ...options.rootConfig,
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
              // Long enough for throttling back-off (20% random throttling
              // on every API holds an account's adaptive rate near 1.3
              // requests per second per service and Region, so an account's
              // last KMS call can wait 10 s for its turn), short enough for
              // the hang tests.
              callTimeout: 20000,
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
