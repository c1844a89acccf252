import { databaseServiceFactory } from '@backstage/backend-defaults/database';
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
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  generateOrganization,
  startSandbox,
  type Sandbox,
} from '@trailguard/aws-sandbox';
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import request from 'supertest';
import { cloudTrailEncryptionPlugin } from './plugin';

jest.setTimeout(120_000);

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const SHARDS = 4;

/** A plugin logger that keeps what the scan service says. */
function recordingLogger() {
  const lines: string[] = [];
  const logger: LoggerService = {
    info: message => void lines.push(message),
    warn: () => {},
    error: () => {},
    debug: () => {},
    child: () => logger,
  };
  const factory = createServiceFactory({
    service: coreServices.logger,
    deps: {},
    factory: () => logger,
  });
  return { lines, factory };
}

async function eventually<T>(probe: () => Promise<T | undefined>, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('Timed out waiting');
    await new Promise(r => setTimeout(r, 500));
  }
}

describe('two backend replicas sharing PostgreSQL', () => {
  const prefix = `tg_replicas_${randomBytes(4).toString('hex')}_`;
  let sandbox: Sandbox;

  beforeAll(async () => {
    const scenario = generateOrganization({ accounts: 40, seed: 11 });
    sandbox = await startSandbox({ scenario, faults: { latency: 40 } });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
  });

  afterAll(async () => {
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
    // Drop the per-plugin databases the two replicas created.
    const admin = knexFactory({
      client: 'pg',
      connection: { ...PG, database: 'postgres' },
    });
    try {
      const { rows } = await admin.raw(
        'select datname from pg_database where datname like ?',
        [`${prefix}%`],
      );
      for (const { datname } of rows) {
        await admin.raw(`drop database if exists "${datname}" with (force)`);
      }
    } finally {
      await admin.destroy();
    }
  });

  it('splits the scheduled scan into shards that both replicas run, each account once', async () => {
    const accounts = sandbox.scenario.accounts.map(a => a.id);
    const entities = accounts.map(id => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: `aws-${id}`,
        namespace: 'default',
        annotations: { 'amazonaws.com/account-id': id },
      },
      spec: { type: 'cloud-account', owner: 'group:platform-team' },
    }));
    const config = {
      backend: {
        database: { client: 'pg', connection: PG, prefix },
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
        scan: { concurrency: 4 },
        schedule: {
          frequency: { hours: 1 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 2 },
          shards: SHARDS,
        },
        newAccountsSchedule: {
          frequency: { trigger: 'manual' },
          timeout: { minutes: 5 },
        },
      },
    };

    const replica = async () => {
      const log = recordingLogger();
      const backend = await startTestBackend({
        features: [
          cloudTrailEncryptionPlugin,
          databaseServiceFactory,
          schedulerServiceFactory,
          log.factory,
          catalogServiceMock.factory({ entities }),
          mockServices.rootConfig.factory({ data: config }),
        ],
      });
      return { backend, log };
    };

    const a = await replica();
    await new Promise(r => setTimeout(r, 1500));
    const b = await replica();
    try {
      const runs = await eventually(async () => {
        const res = await request(a.backend.server)
          .get('/api/cloudtrail-encryption/scans?limit=50')
          .set('Authorization', mockCredentials.user.header());
        const finished = (res.body.items ?? []).filter(
          (r: any) => r.shard && r.finishedAt,
        );
        return finished.length >= SHARDS ? finished : undefined;
      }, 90_000);

      // Every shard ran exactly once and together they covered every account.
      expect(runs.map((r: any) => r.shard).sort()).toEqual(
        Array.from({ length: SHARDS }, (_, i) => `${i + 1}/${SHARDS}`),
      );
      expect(runs.reduce((n: number, r: any) => n + r.accountCount, 0)).toBe(
        accounts.length,
      );

      // Each reachable account was listed exactly once across both replicas.
      const reachable = sandbox.scenario.accounts
        .filter(acct => !acct.assumeRoleDenied)
        .map(acct => acct.id);
      const counters = sandbox.counters();
      for (const id of reachable) {
        expect({
          id,
          calls: counters.byAccountApi[id]?.['cloudtrail:ListTrails'],
        }).toEqual({ id, calls: 1 });
      }

      // Both replicas ran shards.
      const started = (lines: string[]) =>
        lines.filter(l => /scan .* started: .* \(shard \d+\/\d+\)/.test(l))
          .length;
      expect(started(a.log.lines)).toBeGreaterThan(0);
      expect(started(b.log.lines)).toBeGreaterThan(0);
      expect(started(a.log.lines) + started(b.log.lines)).toBe(SHARDS);

      const list = await request(b.backend.server)
        .get('/api/cloudtrail-encryption/accounts?pageSize=500')
        .set('Authorization', mockCredentials.user.header());
      expect(list.body.totalCount).toBe(accounts.length);
    } finally {
      await Promise.all([a.backend.stop(), b.backend.stop()]);
    }
  });
});
