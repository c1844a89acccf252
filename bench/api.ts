/**
 * API benchmark: 5,000 stored accounts, 100 concurrent clients (autocannon)
 * on GET /accounts/:id, GET /entity/... and GET /accounts?page..., on SQLite
 * and PostgreSQL. Prints p50/p99 latency, throughput and errors, and each
 * route's throughput as a ratio of a no-op authenticated route served by the
 * same backend through the same Backstage middleware (a plugin only this
 * benchmark registers, depending on the services that mount routers in
 * front of a plugin's own as they do in front of the product's), in the
 * same run: answering ready bodies of the route's size, as many distinct
 * ones as the route has paths, in turn (the goal's reference), and
 * answering `{"ok":true}` (shown too). Ends with PASS/FAIL per goal
 * (ratio >= 0.9, no errors).
 *
 * Fairness: both are measured after a warm-up that requests every path of
 * every route once (JIT, connection pools, caches: the steady state of a
 * backend that has been serving for a while), with the same clients, the
 * same credentials and the same request policy; and each route's time is
 * split into rounds that alternate with the no-ops' (each of the three goes
 * first in turn), so that a machine whose load changes during the run
 * weighs on both sides alike.
 *
 *   yarn bench:api [--accounts 5000] [--connections 100] [--duration 10]
 *                  [--rounds 4] [--amount N] [--db sqlite,pg]
 *
 * The backend runs in a child process so the load generator does not share
 * its event loop.
 *
 * Diagnostics: BENCH_NODE_OPTIONS (node options of the backend's child, e.g.
 * `--cpu-prof --cpu-prof-dir=<dir>`); BENCH_WINDOWS=1 prints each load's
 * path, request count and start and end in µs of the monotonic clock that
 * stamps a CPU profile's samples, so that a profile can be split by route.
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
import cloudTrailEncryptionPlugin, {
  ReportStore,
} from '@trailguard/plugin-cloudtrail-encryption-backend';
import { accountId, fixtureReport } from './apiFixture';
import { endWithParent, isStopping, onStop, own, stop } from './lifetime';
import { noopPlugin } from './apiNoop';

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const GOAL_RATIO = 0.9;
/** `ETag: "<27 characters>"` and its line end. */
const ETAG_HEADER_BYTES = 37;

/**
 * A PostgreSQL database of its own for a run, made by the benchmark (not its
 * backend child, which Backstage ends on a signal before anything could drop
 * it) and dropped once the run is over, however the benchmark ends.
 */
async function runDatabase(): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `tg_bench_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({
    client: 'pg',
    connection: { ...PG, database: 'postgres' },
  });
  await admin.raw(`create database "${name}"`);
  let dropped: Promise<void> | undefined;
  const drop = () =>
    (dropped ??= (async () => {
      await admin.raw(`drop database if exists "${name}" with (force)`);
      await admin.destroy();
    })());
  const forget = onStop(drop);
  return {
    name,
    drop: async () => {
      await drop();
      forget();
    },
  };
}

async function child(db: 'sqlite' | 'pg', accounts: number, database?: string) {
  // A child whose benchmark is gone exits.
  const finished = endWithParent();
  const knex: Knex =
    db === 'pg'
      ? knexFactory({
          client: 'pg',
          connection: { ...PG, database },
          pool: { min: 2, max: 10 },
        })
      : knexFactory({
          client: 'better-sqlite3',
          connection: { filename: ':memory:' },
          useNullAsDefault: true,
        });

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
    if (m?.type === 'bench-cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ type: 'bench-cpu', micros: user + system });
    }
    if (m?.type === 'bench-stop') {
      finished();
      await backend.stop();
      await knex.destroy();
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
    rounds: number;
    amount?: number;
  },
) {
  const database = db === 'pg' ? await runDatabase() : undefined;
  const proc = own(
    fork(
      __filename,
      [
        '--child',
        db,
        '--accounts',
        String(opts.accounts),
        ...(database ? ['--database', database.name] : []),
      ],
      {
        execArgv: [
          ...(process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
          '--require',
          require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        ],
      },
    ),
  );
  const ready = await new Promise<{ port: number; auth: string }>(
    (ok, fail) => {
      proc.on('message', (m: any) => m?.type === 'bench-ready' && ok(m));
      proc.once('exit', code => fail(new Error(`backend exited with ${code}`)));
    },
  );
  // A backend that dies during the run ends it with a reason (not a crash on
  // the next message sent to it).
  let ending = false;
  proc.on('error', () => {});
  proc.once('exit', code => {
    if (ending || isStopping()) return;
    console.error(`the ${db} backend exited with ${code} during the run`);
    stop(1);
  });
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
  const noopPaths = ['/api/bench-noop/noop'];
  // One cursor per path list, so that rounds continue where the last ended.
  const cursors = new Map<string[], number>();
  // The backend's CPU time, which other processes' load disturbs far less
  // than its throughput.
  const cpuMicros = () =>
    new Promise<number>(ok => {
      const onMessage = (m: any) => {
        if (m?.type !== 'bench-cpu') return;
        proc.off('message', onMessage);
        ok(m.micros);
      };
      proc.on('message', onMessage);
      proc.send({ type: 'bench-cpu' });
    });
  const load = async (
    paths: string[],
    slice: { amount: number } | { duration: number },
    connections = opts.connections,
  ) => {
    const before = await cpuMicros();
    const startedAt = process.hrtime.bigint() / 1000n;
    const result = await loadOnly(paths, slice, connections);
    if (process.env.BENCH_WINDOWS) {
      // The monotonic clock a CPU profile of the backend stamps its samples with.
      console.error(
        `WINDOW ${JSON.stringify({
          path: paths[0],
          t0: String(startedAt),
          t1: String(process.hrtime.bigint() / 1000n),
          n: result.requests.total,
        })}`,
      );
    }
    return { ...result, cpuMicros: (await cpuMicros()) - before };
  };
  const loadOnly = (
    paths: string[],
    slice: { amount: number } | { duration: number },
    connections: number,
  ): Promise<autocannon.Result> =>
    autocannon({
      url: base,
      connections,
      ...slice,
      headers,
      requests: [
        {
          setupRequest: (req: any) => {
            const i = cursors.get(paths) ?? 0;
            cursors.set(paths, i + 1);
            return { ...req, path: paths[i % paths.length] };
          },
        },
      ],
    } as any);
  type Measured = autocannon.Result & { cpuMicros: number };
  const bytesPerResponse = (r: autocannon.Result) =>
    r.throughput.total / Math.max(1, r.requests.total);
  // Warm-up: every path once, and the no-op as many times; it also tells
  // how many bytes each route answers (headers included).
  const noopBytes = bytesPerResponse(
    await load(noopPaths, { amount: 1000 }, 10),
  );
  const sizes = new Map<string, number>();
  for (const [name, paths] of Object.entries(routes)) {
    const warm = await load(paths, { amount: paths.length }, 10);
    await load(noopPaths, { amount: paths.length }, 10);
    // The padded no-op's headers are the plain one's plus an ETag.
    const body = bytesPerResponse(warm) - noopBytes + 11 - ETAG_HEADER_BYTES;
    sizes.set(name, Math.max(11, Math.round(body)));
  }
  const slice = opts.amount
    ? { amount: Math.ceil(opts.amount / opts.rounds) }
    : { duration: opts.duration / opts.rounds };
  const rows = [];
  for (const [name, paths] of Object.entries(routes)) {
    // As many distinct bodies as the route has paths (see apiNoop).
    const sizedPaths = [
      `${noopPaths[0]}?bytes=${sizes.get(name)}&bodies=${paths.length}`,
    ];
    const route: Measured[] = [];
    const noop: Measured[] = [];
    const sized: Measured[] = [];
    // Its bodies made and each sent once, as every path of the route was.
    await load(sizedPaths, { amount: paths.length }, 10);
    const order = [
      () => load(noopPaths, slice).then(x => noop.push(x)),
      () => load(sizedPaths, slice).then(x => sized.push(x)),
      () => load(paths, slice).then(x => route.push(x)),
    ];
    for (let r = 0; r < opts.rounds; r++) {
      // Rotate which goes first, so that a trend in load weighs on all.
      for (let k = 0; k < order.length; k++) {
        await order[(k + r) % order.length]();
      }
    }
    const sum = (rs: Measured[]) => ({
      requests: rs.reduce((n, x) => n + x.requests.total, 0),
      cpuPerRequest:
        rs.reduce((n, x) => n + x.cpuMicros, 0) /
        Math.max(
          1,
          rs.reduce((n, x) => n + x.requests.total, 0),
        ),
      rps:
        rs.reduce((n, x) => n + x.requests.total, 0) /
        rs.reduce((n, x) => n + x.duration, 0),
      p50: median(rs.map(x => x.latency.p50)),
      p99: Math.max(...rs.map(x => x.latency.p99)),
      errors: rs.reduce((n, x) => n + x.errors + x.timeouts + x.non2xx, 0),
    });
    const a = sum(route);
    const b = sum(noop);
    const c = sum(sized);
    rows.push({
      db,
      route: name,
      requests: a.requests,
      p50: a.p50,
      p99: a.p99,
      rps: a.rps,
      bytes: sizes.get(name)!,
      cpu: a.cpuPerRequest,
      sizedCpu: c.cpuPerRequest,
      sizedRps: c.rps,
      noopRps: b.rps,
      errors: a.errors,
      noopErrors: b.errors + c.errors,
    });
  }
  ending = true;
  proc.send({ type: 'bench-stop' });
  await new Promise(r => proc.once('exit', r));
  await database?.drop();
  return rows;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      child: { type: 'boolean' },
      accounts: { type: 'string', default: '5000' },
      connections: { type: 'string', default: '100' },
      duration: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '4' },
      amount: { type: 'string' },
      db: { type: 'string', default: 'sqlite,pg' },
      database: { type: 'string' },
    },
  });
  if (values.child) {
    await child(
      positionals[0] as 'sqlite' | 'pg',
      Number(values.accounts),
      values.database,
    );
    return;
  }
  const opts = {
    accounts: Number(values.accounts),
    connections: Number(values.connections),
    duration: Number(values.duration),
    rounds: Math.max(1, Number(values.rounds)),
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
    'body B',
    'no-op req/s (same B)',
    'ratio',
    'no-op req/s (11 B)',
    'ratio (11 B)',
    'CPU µs/req',
    'CPU ratio',
    'errors',
  ];
  const body = rows.map(r => [
    r.db,
    r.route,
    String(r.requests),
    String(r.p50),
    String(r.p99),
    r.rps.toFixed(0),
    String(r.bytes),
    r.sizedRps.toFixed(0),
    (r.rps / r.sizedRps).toFixed(2),
    r.noopRps.toFixed(0),
    (r.rps / r.noopRps).toFixed(2),
    `${r.cpu.toFixed(0)}/${r.sizedCpu.toFixed(0)}`,
    (r.sizedCpu / r.cpu).toFixed(2),
    String(r.errors + r.noopErrors),
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map(b => b[i].length)),
  );
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join('  ');
  console.log(
    [
      'ratio = route req/s / req/s of the no-op authenticated route answering a ready JSON body of',
      'the route\'s size (same B); ratio (11 B) = the same against its plain {"ok":true}.',
      "CPU µs/req = the backend's CPU time per request, route/no-op (same B); CPU ratio = no-op / route.",
      `Each measured in ${opts.rounds} rotating rounds; p50 = median of the rounds, p99 = worst round.\n`,
    ].join('\n'),
  );
  console.log(line(head));
  for (const b of body) console.log(line(b));
  console.log('\ngoals:');
  for (const r of rows) {
    const ratio = r.rps / r.sizedRps;
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
  stop(1);
});
