/**
 * Scan benchmark: synthetic organizations in the AWS sandbox with 50 ms per
 * call and AWS's default throttling quotas, scanned by the real engine over
 * HTTP. Prints AWS calls against the minimal plan (computed from the
 * scenario alone) and a per-Region sweep, wall time against its lower bound,
 * throttling and peak RSS.
 *
 *   yarn bench:scan [--sizes 100,1000,5000] [--concurrency 64] [--latency 50] [--runs 1]
 *
 * Each size runs in a child process of its own (so peak RSS is the engine's,
 * not the sandbox's or an earlier run's); the sandbox runs in another.
 */
import { ConfigReader } from '@backstage/config';
import {
  computeMinimalCallPlan,
  computeRegionSweepCallPlan,
  DEFAULT_QUOTAS,
  generateOrganization,
} from '@trailguard/aws-sandbox';
import { createScanEngineFromConfig } from '@trailguard/plugin-cloudtrail-encryption-node';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const SEED = 7;
const root = resolve(__dirname, '..');

interface Result {
  accounts: number;
  calls: number;
  minimal: number;
  sweep: number;
  wallMs: number;
  lowerBoundMs: number;
  quotaBoundMs: number;
  throttled: number;
  errors: number;
  peakRssMb: number;
  scanErrors: number;
}

async function startSandboxProcess(
  accounts: number,
  latency: number,
): Promise<{
  endpoint: string;
  child: ChildProcess;
  admin: Record<string, string>;
}> {
  const child = spawn(
    process.execPath,
    [
      resolve(root, 'packages/aws-sandbox/bin/aws-sandbox'),
      '--accounts',
      String(accounts),
      '--seed',
      String(SEED),
      '--port',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [endpoint, token] = await new Promise<[string, string]>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', chunk => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const t = out.match(/authorization: Bearer (\S+)/);
      if (m && t) ok([m[1], t[1]]);
    });
    child.once('exit', code => fail(new Error(`sandbox exited with ${code}`)));
  });
  child.stdout!.resume();
  const admin = { authorization: `Bearer ${token}` };
  const res = await fetch(`${endpoint}/_sandbox/faults`, {
    method: 'PUT',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({ latency, throttling: true }),
  });
  if (!res.ok) throw new Error(`could not set faults: ${res.status}`);
  return { endpoint, child, admin };
}

/** Seconds the busiest AWS quota bucket needs at its rate, as a floor on wall time. */
function quotaBoundMs(byAccountApi: Record<string, Record<string, number>>) {
  let worst = 0;
  for (const apis of Object.values(byAccountApi)) {
    for (const [api, n] of Object.entries(apis)) {
      const tps = DEFAULT_QUOTAS[api];
      if (tps) worst = Math.max(worst, (n / tps) * 1000);
    }
  }
  return worst;
}

async function runOne(
  accounts: number,
  concurrency: number,
  latency: number,
): Promise<Result> {
  const scenario = generateOrganization({ accounts, seed: SEED });
  const { endpoint, child, admin } = await startSandboxProcess(
    accounts,
    latency,
  );
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    process.env.AWS_ENDPOINT_URL_STS = endpoint;
    const config = new ConfigReader({
      aws: {
        mainAccount: {
          accessKeyId: 'AKIASANDBOXMAIN00001',
          secretAccessKey: 'sandbox-secret',
        },
        accountDefaults: { roleName: 'TrailGuardReadOnly' },
      },
      cloudtrailEncryption: {
        aws: { endpoint, maxInFlight: concurrency },
        scan: { concurrency },
      },
    });
    const { engine, clients } = createScanEngineFromConfig(config);
    const ids = scenario.accounts
      .filter(a => a.inOrganization !== false)
      .map(a => ({ accountId: a.id }));
    await fetch(`${endpoint}/_sandbox/counters/reset`, {
      method: 'POST',
      headers: admin,
    });
    let scanErrors = 0;
    const started = performance.now();
    await engine.scan(ids, {
      collect: false,
      onProgress: ({ report, done, total }) => {
        if (report.scanStatus === 'error') scanErrors += 1;
        if (process.env.BENCH_HEAP && done === Math.floor(total / 2)) {
          (global as any).gc?.();
          const m = process.memoryUsage();
          console.error(
            `live heap mid-scan: ${(m.heapUsed / 2 ** 20).toFixed(
              0,
            )} MB, rss ${(m.rss / 2 ** 20).toFixed(0)} MB`,
          );
        }
      },
    });
    const wallMs = performance.now() - started;
    if (process.env.BENCH_HEAP) {
      (global as any).gc?.();
      const m = process.memoryUsage();
      console.error(
        `live heap after scan: ${(m.heapUsed / 2 ** 20).toFixed(0)} MB, rss ${(
          m.rss /
          2 ** 20
        ).toFixed(0)} MB, external ${(m.external / 2 ** 20).toFixed(0)} MB`,
      );
    }
    clients.destroy();
    const counters = await (
      await fetch(`${endpoint}/_sandbox/counters`, { headers: admin })
    ).json();
    const calls =
      counters.total - (counters.byApi['organizations:ListAccounts'] ?? 0);
    const plan = computeMinimalCallPlan(scenario);
    const minimal =
      plan.total - (plan.byApi['organizations:ListAccounts'] ?? 0);
    const sweepPlan = computeRegionSweepCallPlan(scenario);
    const sweep =
      sweepPlan.total - (sweepPlan.byApi['organizations:ListAccounts'] ?? 0);
    return {
      accounts: ids.length,
      calls,
      minimal,
      sweep,
      wallMs,
      lowerBoundMs: (minimal * latency) / concurrency,
      quotaBoundMs: quotaBoundMs(counters.byAccountApi),
      throttled: counters.throttled,
      errors: counters.errors - counters.throttled,
      peakRssMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20,
      scanErrors,
    };
  } finally {
    clearInterval(sampler);
    child.kill();
  }
}

function runInChild(args: string[]): Promise<Result> {
  return new Promise((ok, fail) => {
    const child = fork(__filename, ['--child', ...args], {
      execArgv: [
        ...(process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      ],
    });
    // The TypeScript transform also talks over this channel: pick our message.
    child.on('message', (m: any) => {
      if (m?.type === 'bench-result') ok(m.result as Result);
    });
    child.once('exit', code => {
      if (code) fail(new Error(`benchmark child exited with ${code}`));
    });
  });
}

function table(rows: Result[], concurrency: number, latency: number) {
  const head = [
    'accounts',
    'calls',
    'minimal',
    'calls/min',
    'sweep',
    'wall s',
    'bound s',
    'wall/bound',
    'quota s',
    'throttled',
    'failed accts',
    'peak RSS MB',
  ];
  const body = rows.map(r => [
    String(r.accounts),
    String(r.calls),
    String(r.minimal),
    (r.calls / r.minimal).toFixed(3),
    String(r.sweep),
    (r.wallMs / 1000).toFixed(2),
    (r.lowerBoundMs / 1000).toFixed(2),
    (r.wallMs / Math.max(r.lowerBoundMs, r.quotaBoundMs)).toFixed(2),
    (r.quotaBoundMs / 1000).toFixed(2),
    String(r.throttled),
    String(r.scanErrors),
    r.peakRssMb.toFixed(0),
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map(row => row[i].length)),
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log(
    `\nscan benchmark: ${latency} ms per call, AWS default quotas, ${concurrency} requests in flight\n` +
      'bound = minimal calls x latency / in-flight; quota = busiest quota bucket at its rate\n',
  );
  console.log(line(head));
  for (const row of body) console.log(line(row));
}

async function main() {
  const { values } = parseArgs({
    options: {
      child: { type: 'boolean' },
      sizes: { type: 'string', default: '100,1000,5000' },
      concurrency: { type: 'string', default: '64' },
      latency: { type: 'string', default: '50' },
      runs: { type: 'string', default: '1' },
    },
  });
  const concurrency = Number(values.concurrency);
  const latency = Number(values.latency);
  if (values.child) {
    const result = await runOne(Number(values.sizes), concurrency, latency);
    process.send!({ type: 'bench-result', result });
    return;
  }
  const rows: Result[] = [];
  for (const size of values.sizes!.split(',').map(Number)) {
    const runs: Result[] = [];
    for (let i = 0; i < Number(values.runs); i++) {
      runs.push(
        await runInChild([
          '--sizes',
          String(size),
          '--concurrency',
          String(concurrency),
          '--latency',
          String(latency),
        ]),
      );
    }
    runs.sort((a, b) => a.wallMs - b.wallMs);
    rows.push(runs[Math.floor(runs.length / 2)]);
  }
  table(rows, concurrency, latency);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
