/**
 * API benchmark: 5,000 stored accounts, 100 concurrent clients (autocannon)
 * on GET /accounts/:id, GET /entity/... and GET /accounts?page..., on SQLite
 * and PostgreSQL. Prints p50/p99 latency, throughput and errors, and each
 * route's throughput as a ratio of a no-op authenticated route served by the
 * same backend through the same Backstage middleware (a plugin only this
 * benchmark registers), measured right before the route in the same run.
 * Ends with PASS/FAIL per goal (ratio >= 0.9, no errors).
 *
 *   yarn bench:api [--accounts 5000] [--connections 100] [--duration 10] [--amount N]
 *
 * The backend runs in a child process so the load generator does not share
 * its event loop.
 */
import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import knexFactory, { type Knex } from 'knex';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import Router from 'express-promise-router';
import cloudTrailEncryptionPlugin, {
  ReportStore,
} from '@trailguard/plugin-cloudtrail-encryption-backend';

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const GOAL_RATIO = 0.9;

/**
 * The reference route: authenticated like the product's routes (the same
 * httpRouter middleware and httpAuth check), doing nothing else.
 */
const noopPlugin = createBackendPlugin({
  pluginId: 'bench-noop',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
      },
      async init({ httpRouter, httpAuth }) {
        const router = Router();
        router.get('/noop', async (req, res) => {
          await httpAuth.credentials(req, { allow: ['user'] });
          res.json({ ok: true });
        });
        httpRouter.use(router);
      },
    });
  },
});

function accountId(i: number) {
  return String(300000000000 + i);
}

/** A realistic stored report: two trails, principals, findings. */
function fixtureReport(i: number) {
  const id = accountId(i);
  const trail = (name: string, org: boolean) => ({
    trailArn: `arn:aws:cloudtrail:us-east-1:${
      org ? '300000000000' : id
    }:trail/${name}`,
    name,
    homeRegion: 'us-east-1',
    isMultiRegionTrail: true,
    isOrganizationTrail: org,
    ownerAccountId: org ? '300000000000' : id,
    s3BucketName: `${name}-cloudtrail-${id}`,
    bucketRegion: 'us-east-1',
    encryption: 'SSE-KMS',
    kmsKey: {
      arn: `arn:aws:kms:us-east-1:${id}:key/${randomBytes(16).toString('hex')}`,
      region: 'us-east-1',
      accountId: id,
      state: 'Enabled',
      keyManager: 'CUSTOMER',
      keySpec: 'SYMMETRIC_DEFAULT',
      multiRegion: false,
      rotationEnabled: i % 7 !== 0,
      policyReadable: true,
    },
    keyRegionMatchesBucket: true,
    cloudTrailCanEncrypt: true,
    cloudTrailCanDescribe: true,
    decryptPrincipals: [
      {
        principal: `arn:aws:iam::${id}:root`,
        kind: 'account-root',
        accountId: id,
        via: 'iam-delegation',
        conditions: [
          {
            operator: 'StringLike',
            key: 'kms:EncryptionContext:aws:cloudtrail:arn',
            values: [`arn:aws:cloudtrail:*:${id}:trail/*`],
          },
        ],
      },
      {
        principal: `arn:aws:iam::${id}:role/Auditor`,
        kind: 'iam-role',
        accountId: id,
        via: 'key-policy',
        conditions: [],
      },
    ],
    delivery: { isLogging: true, latestDeliveryTime: new Date().toISOString() },
    findings:
      i % 7 === 0
        ? [
            {
              code: 'KEY_ROTATION_DISABLED',
              severity: 'low',
              message: `Trail "${name}" (us-east-1): automatic rotation is disabled for its KMS key.`,
              remediation: 'Enable automatic key rotation on the key.',
            },
          ]
        : [],
  });
  const trails = [trail(`acct-${i}`, false), trail('org-trail', true)];
  return {
    accountId: id,
    accountName: `account-${i}`,
    scannedAt: new Date().toISOString(),
    lastSuccessAt: new Date().toISOString(),
    scanStatus: 'ok',
    status: i % 5 === 0 ? 'non-compliant' : 'compliant',
    trails,
    findings: trails.flatMap(t => t.findings),
  };
}

async function child(db: 'sqlite' | 'pg', accounts: number) {
  let knex: Knex;
  let drop: (() => Promise<void>) | undefined;
  if (db === 'pg') {
    const name = `tg_bench_${randomBytes(4).toString('hex')}`;
    const admin = knexFactory({
      client: 'pg',
      connection: { ...PG, database: 'postgres' },
    });
    await admin.raw(`create database "${name}"`);
    knex = knexFactory({
      client: 'pg',
      connection: { ...PG, database: name },
      pool: { min: 2, max: 10 },
    });
    drop = async () => {
      await knex.destroy();
      await admin.raw(`drop database if exists "${name}" with (force)`);
      await admin.destroy();
    };
  } else {
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    });
  }

  const store = await ReportStore.create(
    mockServices.database({ knex, migrations: { skip: false } }),
  );
  for (let i = 0; i < accounts; i++)
    await store.saveReport(fixtureReport(i) as any);
  // The estate the reports belong to, as a scan would have stored it.
  await store.estate.saveEstate({
    mode: 'accounts',
    accounts: Array.from({ length: accounts }, (_, i) => ({
      accountId: accountId(i),
      membership: { source: 'configured', state: 'ACTIVE' },
    })),
    trustedAccountIds: [],
    readAt: new Date().toISOString(),
  });

  const entities = Array.from({ length: accounts }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: `aws-${accountId(i)}`,
      namespace: 'default',
      annotations: { 'amazonaws.com/account-id': accountId(i) },
    },
    spec: { type: 'cloud-account', owner: 'group:platform-team' },
  }));
  const backend = await startTestBackend({
    features: [
      cloudTrailEncryptionPlugin,
      noopPlugin,
      mockServices.database.factory({ knex }),
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({
        data: {
          cloudtrailEncryption: {
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
  const port = (backend.server.address() as { port: number }).port;
  process.send!({
    type: 'bench-ready',
    port,
    auth: mockCredentials.user.header(),
  });
  process.on('message', async (m: any) => {
    if (m?.type === 'bench-stop') {
      await backend.stop();
      await drop?.();
      process.exit(0);
    }
  });
}

async function run(
  db: 'sqlite' | 'pg',
  opts: {
    accounts: number;
    connections: number;
    duration: number;
    amount?: number;
  },
) {
  const proc = fork(
    __filename,
    ['--child', db, '--accounts', String(opts.accounts)],
    {
      execArgv: [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      ],
    },
  );
  const ready = await new Promise<{ port: number; auth: string }>(
    (ok, fail) => {
      proc.on('message', (m: any) => m?.type === 'bench-ready' && ok(m));
      proc.once('exit', code => fail(new Error(`backend exited with ${code}`)));
    },
  );
  const base = `http://127.0.0.1:${ready.port}/api/cloudtrail-encryption`;
  const headers = { authorization: ready.auth };
  const ids = Array.from({ length: opts.accounts }, (_, i) => accountId(i));
  const routes: Record<string, string[]> = {
    'GET /accounts/:id': ids.map(
      id => `/api/cloudtrail-encryption/accounts/${id}`,
    ),
    'GET /entity/...': ids.map(
      id => `/api/cloudtrail-encryption/entity/default/resource/aws-${id}`,
    ),
    'GET /accounts?page': Array.from(
      { length: 100 },
      (_, p) => `/api/cloudtrail-encryption/accounts?page=${p + 1}&pageSize=50`,
    ),
    'GET /accounts?sort': Array.from({ length: 100 }, (_, p) => {
      const sort = ['name', 'status', 'worstSeverity', 'trailCount'][p % 4];
      const order = p % 8 < 4 ? 'asc' : 'desc';
      return `/api/cloudtrail-encryption/accounts?sort=${sort}&order=${order}&page=${
        (p % 20) + 1
      }&pageSize=50`;
    }),
  };
  // Warm-up (JIT, connection pools, the visibility cache).
  await autocannon({
    url: base,
    connections: 10,
    amount: 500,
    requests: [{ path: routes['GET /accounts/:id'][0], headers }],
  });
  const load = (paths: string[]) => {
    let i = 0;
    return autocannon({
      url: base,
      connections: opts.connections,
      ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration }),
      headers,
      requests: [
        {
          setupRequest: (req: any) => ({
            ...req,
            path: paths[i++ % paths.length],
          }),
        },
      ],
    } as any);
  };
  const noopPaths = ['/api/bench-noop/noop'];
  await load(noopPaths);
  const rows = [];
  for (const [name, paths] of Object.entries(routes)) {
    // The reference right before each route, so both see the same machine.
    const noop = await load(noopPaths);
    const result = await load(paths);
    rows.push({
      db,
      route: name,
      requests: result.requests.total,
      p50: result.latency.p50,
      p99: result.latency.p99,
      rps: result.requests.average,
      noopRps: noop.requests.average,
      noopP50: noop.latency.p50,
      errors: result.errors + result.timeouts + result.non2xx,
      noopErrors: noop.errors + noop.timeouts + noop.non2xx,
    });
  }
  proc.send({ type: 'bench-stop' });
  await new Promise(r => proc.once('exit', r));
  return rows;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      child: { type: 'boolean' },
      accounts: { type: 'string', default: '5000' },
      connections: { type: 'string', default: '100' },
      duration: { type: 'string', default: '10' },
      amount: { type: 'string' },
      db: { type: 'string', default: 'sqlite,pg' },
    },
  });
  if (values.child) {
    await child(positionals[0] as 'sqlite' | 'pg', Number(values.accounts));
    return;
  }
  const opts = {
    accounts: Number(values.accounts),
    connections: Number(values.connections),
    duration: Number(values.duration),
    amount: values.amount ? Number(values.amount) : undefined,
  };
  const rows = [];
  for (const db of values.db!.split(',') as ('sqlite' | 'pg')[]) {
    rows.push(...(await run(db, opts)));
  }
  console.log(
    `\napi benchmark: ${opts.accounts} stored accounts, ${opts.connections} concurrent clients\n`,
  );
  const head = [
    'db',
    'route',
    'requests',
    'p50 ms',
    'p99 ms',
    'req/s',
    'no-op req/s',
    'no-op p50',
    'ratio',
    'errors',
  ];
  const body = rows.map(r => [
    r.db,
    r.route,
    String(r.requests),
    String(r.p50),
    String(r.p99),
    r.rps.toFixed(0),
    r.noopRps.toFixed(0),
    String(r.noopP50),
    (r.rps / r.noopRps).toFixed(2),
    String(r.errors + r.noopErrors),
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map(b => b[i].length)),
  );
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join('  ');
  console.log(
    'ratio = route req/s / no-op authenticated route req/s, measured right before it\n',
  );
  console.log(line(head));
  for (const b of body) console.log(line(b));
  console.log('\ngoals:');
  for (const r of rows) {
    const ratio = r.rps / r.noopRps;
    const ok = ratio >= GOAL_RATIO && r.errors + r.noopErrors === 0;
    console.log(
      `  ${ok ? 'PASS' : 'FAIL'}  ${r.db} ${r.route}: ratio ${ratio.toFixed(
        2,
      )} (>= ${GOAL_RATIO}), ${r.errors + r.noopErrors} errors`,
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
