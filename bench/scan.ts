/**
 * Scan benchmark: synthetic organizations in the AWS sandbox with 50 ms per
 * call and AWS's default throttling quotas, scanned by the real engine over
 * HTTP. Prints, measured side by side in the same run: AWS calls against the
 * minimal plan (computed from the scenario alone) and a per-Region sweep,
 * wall time against its lower bound, throttling, peak RSS (and the peak up
 * to when every account is read, before the readers analysis and the
 * reports), and the engine's CPU per AWS call against the CPU per call of a
 * bare loop of the same SDK commands (same API mix and count, one pre-built
 * client per service, same concurrency and sandbox latency, in a child
 * process of its own that holds nothing per account, so that its RSS from
 * start to peak is the SDK's and Node's own, printed beside the engine's).
 * Ends with PASS/FAIL per goal.
 *
 *   yarn bench:scan [--sizes 1000,5000,10000] [--concurrency 64] [--latency 50] [--runs 1]
 *
 * With `--runs N`, each size is scanned N times, each in a child of its
 * own; the table gives each figure's median over the runs (wall time, peak
 * RSS, CPU per call), and every run's figures are printed below it.
 *
 * Each size runs in a child process of its own (so peak RSS is the engine's,
 * not the sandbox's or an earlier run's); the sandbox runs in another. The
 * children run this file compiled (esbuild), as a built backend runs the
 * engine, without the development TypeScript transform in their memory.
 *
 * Diagnostics, off by default: BENCH_NODE_OPTIONS (node options of the
 * engine's child, e.g. `--cpu-prof`), BENCH_HEAP=1 (live heap mid-scan and
 * after, with `--expose-gc`), BENCH_HEAP_LOG=<ms> (RSS and V8 heap spaces
 * every <ms>), BENCH_SNAPSHOT=<file> (heap snapshots before the scan and
 * when every account is read; BENCH_SNAPSHOT_LATER=<ms> adds one that long
 * after), BENCH_PROMOTED=<file> (a sampling heap profile of what the scan
 * allocates that outlives the young generation, where the garbage V8
 * promotes comes from, one per size: <file>-<accounts>, and the bare loop's
 * beside it in <file>-<accounts>-bare),
 * BENCH_ALLOCATED=<file> (the same of everything allocated), BENCH_LATENCY=1
 * (each HTTP request's time from start to response, the event loop's delay
 * up to its longest, and each stretch of 110 ms or more in which no timer
 * could run, with when it began; engine and bare loop),
 * BENCH_DIAGNOSE_FROM=read (the engine's from when every account is read:
 * the second phase alone, the readers analysis and the reports),
 * BENCH_PHASES=1 (the engine's child prints `bench-phase: scan` as the
 * measured scan starts and `bench-phase: read` when every account is read,
 * so that `--trace-gc-nvp` lines can be summed per phase with
 * `yarn bench:gc-phases <log>`), BENCH_PRETENURING_FROM_READ=off (from
 * when every account is read, V8 makes no new pretenuring decisions; those
 * made before stand: an experiment, not a setting for the product).
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ConfigReader } from '@backstage/config';
import {
  BARE_COMMANDS,
  targets,
  type BareClients,
  type BareTarget,
} from './bareCommands';
import type * as Sandbox from '@trailguard/aws-sandbox';
import { createScanEngineFromConfig } from '@trailguard/plugin-cloudtrail-encryption-node';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { endWithParent, own, stop } from './lifetime';

const SEED = 7;
const root = resolve(__dirname, '..');

/**
 * The scenario generator and call planner, loaded where they are used: the
 * engine's child never loads them, so its memory is the engine's alone.
 */
function sandbox(): typeof Sandbox {
  return require('@trailguard/aws-sandbox');
}

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
  /** The peak up to when every account's trails, keys and buckets were read. */
  readPeakRssMb: number;
  scanErrors: number;
  /** RSS once the engine is loaded and warm, before the measured scan. */
  startRssMb: number;
  /** Engine CPU (user + system) during the scan, per AWS call, in µs. */
  cpuPerCallUs: number;
  /** The same for the bare SDK loop over the same API mix. */
  bareCpuPerCallUs: number;
  bareCalls: number;
  bareErrors: number;
  /** Wall time of the bare loop: what this machine and sandbox allow. */
  bareWallMs: number;
  /**
   * The bare loop's RSS as its measured loop starts (its clients warm) and
   * at its peak during the loop: what the SDK and Node themselves add over
   * the same calls, the floor beside the engine's start and peak.
   */
  bareStartRssMb: number;
  barePeakRssMb: number;
  byApi: Record<string, number>;
  /** Accounts whose IAM the scan read, and the scan's accounts. */
  iamAccounts: number;
  /** IAM reads in the minimal plan. */
  iamPlanned: number;
  minimalByApi: Record<string, number>;
  /** When every account's trails, keys and buckets were read (the rest: readers and reports). */
  readMs: number;
  /** With `--runs` above 1: each run's own figures, in the order run. */
  perRun?: {
    wallMs: number;
    peakRssMb: number;
    readPeakRssMb: number;
    cpuPerCallUs: number;
  }[];
}

/** The middle value (of an even count, the mean of the two middle ones). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid)
    ? (sorted[mid - 1] + sorted[mid]) / 2
    : sorted[Math.floor(mid)];
}

async function startSandboxProcess(
  accounts: number,
  latency: number,
  throttling = true,
): Promise<{
  endpoint: string;
  child: ChildProcess;
  admin: Record<string, string>;
}> {
  const child = own(
    spawn(
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
    ),
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
    body: JSON.stringify({ latency, throttling }),
  });
  if (!res.ok) throw new Error(`could not set faults: ${res.status}`);
  return { endpoint, child, admin };
}

/** Seconds the busiest AWS quota bucket needs at its rate, as a floor on wall time. */
function quotaBoundMs(
  byAccountApi: Record<string, Record<string, number>>,
  quotas: Record<string, number>,
) {
  let worst = 0;
  for (const apis of Object.values(byAccountApi)) {
    for (const [api, n] of Object.entries(apis)) {
      const tps = quotas[api];
      if (tps) worst = Math.max(worst, (n / tps) * 1000);
    }
  }
  return worst;
}

/** What the engine's child needs of the scenario, computed by the parent. */
interface Plan {
  accountIds: string[];
  organizationId?: string;
  managementAccountId?: string;
  iamPlanned: number;
  /** AWS's default request quotas (per second) by API, as the sandbox applies them. */
  quotas: Record<string, number>;
  /** The minimal plan's calls per API. */
  minimalByApi: Record<string, number>;
  minimal: number;
  sweep: number;
  /** What the bare loop's calls name (its child holds no scenario either). */
  bareTarget: BareTarget;
}

/**
 * The estate's accounts that the scenario scans. A function of its own, so
 * that no closure of the measured run keeps the set it builds.
 */
function estateAccounts<A extends { accountId: string }>(
  accounts: A[],
  accountIds: string[],
): A[] {
  const wanted = new Set(accountIds);
  return accounts.filter(a => wanted.has(a.accountId));
}

/** The scenario stays in the parent, so the child's peak RSS is the engine's. */
function planFor(accounts: number): Plan {
  const { generateOrganization, computeMinimalCallPlan } = sandbox();
  const scenario = generateOrganization({ accounts, seed: SEED });
  const plan = computeMinimalCallPlan(scenario, { parentsKnown: true });
  const sweepPlan = sandbox().computeRegionSweepCallPlan(scenario);
  return {
    accountIds: scenario.accounts
      .filter(a => a.inOrganization !== false)
      .map(a => a.id),
    organizationId: scenario.organization?.id,
    managementAccountId: scenario.organization?.managementAccount,
    iamPlanned: plan.byApi['iam:GetAccountAuthorizationDetails'] ?? 0,
    quotas: sandbox().DEFAULT_QUOTAS,
    minimalByApi: plan.byApi,
    minimal: plan.total - (plan.byApi['organizations:ListAccounts'] ?? 0),
    sweep:
      sweepPlan.total - (sweepPlan.byApi['organizations:ListAccounts'] ?? 0),
    bareTarget: targets(scenario),
  };
}

/**
 * Samples this process's RSS every 20 ms from now; `stop` returns the peak
 * in MB, with the kernel's high-water mark as well as the samples (a stretch
 * of work that does not yield to the event loop is not sampled). The
 * process's earlier work must peak lower: the estate read and the warm-up
 * for the engine, nothing larger than the loop for the bare loop.
 */
function sampleRss(): { peak(): number; stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const peakSoFar = () => {
    peak = Math.max(
      peak,
      process.memoryUsage.rss(),
      process.resourceUsage().maxRSS * 1024,
    );
    return peak / 2 ** 20;
  };
  return {
    /** The peak so far, sampling on. */
    peak: peakSoFar,
    stop() {
      clearInterval(timer);
      return peakSoFar();
    },
  };
}

/**
 * The diagnostics asked for (BENCH_PROMOTED, BENCH_ALLOCATED,
 * BENCH_LATENCY), started before a measured run; the function returned
 * stops them and prints or writes what they found.
 */
async function startDiagnostics(
  label: 'engine' | 'bare',
  accounts: number,
): Promise<() => Promise<void>> {
  const stops: (() => Promise<void> | void)[] = [];
  const file = process.env.BENCH_PROMOTED ?? process.env.BENCH_ALLOCATED;
  if (file) {
    // Objects a full collection collected are kept; those a scavenge
    // collected only when every allocation is wanted.
    const { Session } =
      require('node:inspector') as typeof import('node:inspector');
    const session = new Session();
    session.connect();
    const post = (method: string, params?: object) =>
      new Promise<any>((ok, fail) =>
        session.post(method, params, (error, result) =>
          error ? fail(error) : ok(result),
        ),
      );
    await post('HeapProfiler.startSampling', {
      samplingInterval: 16384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: !process.env.BENCH_PROMOTED,
    });
    stops.push(async () => {
      const { profile } = await post('HeapProfiler.stopSampling');
      session.disconnect();
      const suffix = label === 'bare' ? `-${accounts}-bare` : `-${accounts}`;
      const out = file.replace(/(\.heapprofile)?$/, `${suffix}$1`);
      require('node:fs').writeFileSync(out, JSON.stringify(profile));
    });
  }
  if (process.env.BENCH_LATENCY) {
    const channels =
      require('node:diagnostics_channel') as typeof import('node:diagnostics_channel');
    const startedAt = new WeakMap<object, number>();
    const times: number[] = [];
    const onStart = (m: any) => startedAt.set(m.request, performance.now());
    const onFinish = (m: any) => {
      const at = startedAt.get(m.request);
      if (at !== undefined) times.push(performance.now() - at);
    };
    channels.subscribe('http.client.request.start', onStart);
    channels.subscribe('http.client.response.finish', onFinish);
    const { monitorEventLoopDelay } =
      require('node:perf_hooks') as typeof import('node:perf_hooks');
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    // Stretches of 110 ms and more in which no timer could run, and when.
    const since = performance.now();
    const stalls: string[] = [];
    let tick = since;
    const ticker = setInterval(() => {
      const now = performance.now();
      if (now - tick >= 110) {
        stalls.push(
          `${((tick - since) / 1000).toFixed(1)} s: ${(now - tick).toFixed(
            0,
          )} ms`,
        );
      }
      tick = now;
    }, 10);
    stops.push(() => {
      clearInterval(ticker);
      channels.unsubscribe('http.client.request.start', onStart);
      channels.unsubscribe('http.client.response.finish', onFinish);
      loop.disable();
      times.sort((a, b) => a - b);
      const at = (q: number) =>
        (times[Math.floor(q * (times.length - 1))] ?? 0).toFixed(0);
      const ms = (q: number) => (loop.percentile(q) / 1e6).toFixed(0);
      console.error(
        `${label} at ${accounts} accounts: request start to response p10/p50/p90/p99 ${at(
          0.1,
        )}/${at(0.5)}/${at(0.9)}/${at(0.99)} ms (${
          times.length
        }); event loop delay ` +
          `p50/p90/p99/max ${ms(50)}/${ms(90)}/${ms(99)}/${(
            loop.max / 1e6
          ).toFixed(0)} ms; stretches without a timer turn: ${
            stalls.length ? stalls.join(', ') : 'none'
          }`,
      );
    });
  }
  return async () => {
    for (const stop of stops) await stop();
  };
}

async function runOne(
  accounts: number,
  concurrency: number,
  latency: number,
  {
    accountIds,
    minimal,
    sweep,
    organizationId,
    managementAccountId,
    iamPlanned,
    minimalByApi,
    quotas,
  }: Plan,
): Promise<Result> {
  const { endpoint, child, admin } = await startSandboxProcess(
    accounts,
    latency,
  );
  const rss = sampleRss();
  const heapLog = process.env.BENCH_HEAP_LOG
    ? setInterval(() => {
        const spaces = require('node:v8')
          .getHeapSpaceStatistics()
          .map(
            (s: any) =>
              `${s.space_name.replace('_space', '')}=${(
                s.space_used_size /
                2 ** 20
              ).toFixed(0)}/${(s.space_size / 2 ** 20).toFixed(0)}`,
          )
          .join(' ');
        const m = process.memoryUsage();
        const mb = (n: number) => (n / 2 ** 20).toFixed(0);
        console.error(
          `t=${(performance.now() / 1000).toFixed(1)} rss=${mb(
            m.rss,
          )} external=${mb(m.external)} arrayBuffers=${mb(
            m.arrayBuffers,
          )} ${spaces}`,
        );
      }, Number(process.env.BENCH_HEAP_LOG))
    : undefined;
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
        // The guardrails are read as the management account, as configured
        // in production.
        ...(managementAccountId ? { estate: { managementAccountId } } : {}),
      },
    });
    const { engine, clients, estate } = createScanEngineFromConfig(config);
    // As the backend does: the estate read walks the OU tree, so the scan
    // gets every account's parents and needs no ListParents. Outside the
    // measurement, like the backend's estate refresh.
    const ids = estateAccounts((await estate.read()).accounts, accountIds);
    // The plan counts one AssumeRole per account in the scan itself.
    if (managementAccountId) clients.forget([managementAccountId]);
    // Warm-up, outside the measurement as for the bare loop: the SDK loads
    // parts of itself on first use. Scans share nothing, so the measured
    // scan still starts cold (credentials, look-ups).
    await engine.scan(ids.slice(0, 2), { collect: false });
    await fetch(`${endpoint}/_sandbox/counters/reset`, {
      method: 'POST',
      headers: admin,
    });
    if (process.env.BENCH_SNAPSHOT) {
      require('node:v8').writeHeapSnapshot(
        process.env.BENCH_SNAPSHOT.replace(/(\.heapsnapshot)?$/, '-start$1'),
      );
    }
    const startRssMb = process.memoryUsage().rss / 2 ** 20;
    let scanErrors = 0;
    let readAt = 0;
    let readPeakRssMb = 0;
    // From the start of the scan, or (BENCH_DIAGNOSE_FROM=read) from when
    // every account is read: the readers analysis and the reports alone.
    const fromRead = process.env.BENCH_DIAGNOSE_FROM === 'read';
    let diagnostics = fromRead
      ? undefined
      : startDiagnostics('engine', accounts);
    await diagnostics;
    if (process.env.BENCH_PHASES) console.log('bench-phase: scan');
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await engine.scan(ids, {
      collect: false,
      organizationId,
      organizationAccountIds: accountIds,
      onAccountRead: ({ done, total }) => {
        if (done !== total) return;
        readAt = performance.now();
        readPeakRssMb = rss.peak();
        if (process.env.BENCH_PHASES) console.log('bench-phase: read');
        if (process.env.BENCH_PRETENURING_FROM_READ === 'off') {
          require('node:v8').setFlagsFromString(
            '--no-allocation-site-pretenuring',
          );
        }
        if (fromRead) diagnostics = startDiagnostics('engine', accounts);
        if (process.env.BENCH_SNAPSHOT) {
          require('node:v8').writeHeapSnapshot(process.env.BENCH_SNAPSHOT);
          const later = Number(process.env.BENCH_SNAPSHOT_LATER ?? 0);
          if (later) {
            setTimeout(
              () =>
                require('node:v8').writeHeapSnapshot(
                  process.env.BENCH_SNAPSHOT!.replace(
                    /(\.heapsnapshot)?$/,
                    '-later$1',
                  ),
                ),
              later,
            );
          }
        }
      },
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
    const cpu = process.cpuUsage(cpuBefore);
    const stopDiagnostics = await diagnostics;
    await stopDiagnostics?.();
    // The scan's peak, before anything the measurement itself loads.
    const peakRssMb = rss.stop();
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
    if (process.env.BENCH_SNAPSHOT) {
      require('node:v8').writeHeapSnapshot(
        process.env.BENCH_SNAPSHOT.replace(/(\.heapsnapshot)?$/, '-after$1'),
      );
    }
    clients.destroy();
    const counters = await (
      await fetch(`${endpoint}/_sandbox/counters`, { headers: admin })
    ).json();
    const calls =
      counters.total - (counters.byApi['organizations:ListAccounts'] ?? 0);
    return {
      accounts: ids.length,
      calls,
      minimal,
      sweep,
      wallMs,
      lowerBoundMs: (minimal * latency) / concurrency,
      quotaBoundMs: quotaBoundMs(counters.byAccountApi, quotas),
      throttled: counters.throttled,
      errors: counters.errors - counters.throttled,
      peakRssMb,
      readPeakRssMb: readPeakRssMb || peakRssMb,
      scanErrors,
      cpuPerCallUs: (cpu.user + cpu.system) / Math.max(1, counters.total),
      startRssMb,
      bareCpuPerCallUs: 0,
      bareCalls: 0,
      bareErrors: 0,
      bareWallMs: 0,
      bareStartRssMb: 0,
      barePeakRssMb: 0,
      byApi: counters.byApi,
      iamAccounts: Object.values(
        counters.byAccountApi as Record<string, Record<string, number>>,
      ).filter(apis => apis['iam:GetAccountAuthorizationDetails']).length,
      iamPlanned,
      minimalByApi,
      readMs: readAt ? readAt - started : wallMs,
    };
  } finally {
    rss.stop();
    if (heapLog) clearInterval(heapLog);
    child.kill();
  }
}

/** What the bare loop's child measures. */
interface BareResult {
  cpuPerCallUs: number;
  calls: number;
  errors: number;
  wallMs: number;
  startRssMb: number;
  peakRssMb: number;
}

/**
 * The bare loop's clients and calls, made from its target alone (the
 * scenario stays in the parent): during the measured loop the child holds
 * its clients and one byte per call, nothing per account, so that its RSS
 * is the SDK's and Node's.
 */
async function bareWork(
  target: BareTarget,
  endpoint: string,
  byApi: Record<string, number>,
): Promise<{
  clients: BareClients;
  apis: string[];
  sends: (() => Promise<unknown>)[];
  order: Uint8Array;
}> {
  const main = {
    accessKeyId: 'AKIASANDBOXMAIN00001',
    secretAccessKey: 'sandbox-secret',
  };
  const sts = new STSClient({
    region: 'us-east-1',
    endpoint,
    credentials: main,
  });
  // Signed as the account whose trail, key and bucket the loop reads, with
  // static credentials: nothing of the engine's access layer is involved.
  const { Credentials: assumed } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${target.account}:role/TrailGuardReadOnly`,
      RoleSessionName: 'bench',
    }),
  );
  const base = {
    region: 'us-east-1',
    endpoint,
    credentials: {
      accessKeyId: assumed!.AccessKeyId!,
      secretAccessKey: assumed!.SecretAccessKey!,
      sessionToken: assumed!.SessionToken,
    },
  };
  // The guardrails are read as the management account, as the engine does.
  const management = target.managementAccount;
  const { Credentials: manager } = management
    ? await sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${management}:role/TrailGuardReadOnly`,
          RoleSessionName: 'bench',
        }),
      )
    : { Credentials: assumed };
  const clients: BareClients = {
    cloudtrail: new CloudTrailClient(base),
    kms: new KMSClient(base),
    s3: new S3Client({ ...base, forcePathStyle: true }),
    sts,
    iam: new IAMClient(base),
    organizations: new OrganizationsClient({
      ...base,
      credentials: {
        accessKeyId: manager!.AccessKeyId!,
        secretAccessKey: manager!.SecretAccessKey!,
        sessionToken: manager!.SessionToken,
      },
    }),
  };
  const apis = Object.keys(byApi).filter(api => BARE_COMMANDS[api]);
  const sends = apis.map(api => BARE_COMMANDS[api](clients, target));
  const order = new Uint8Array(apis.reduce((n, api) => n + byApi[api], 0));
  let at = 0;
  apis.forEach((api, i) => {
    order.fill(i, at, at + byApi[api]);
    at += byApi[api];
  });
  // Interleave the APIs as a scan does (Fisher-Yates).
  for (let k = order.length - 1; k > 0; k--) {
    const m = Math.floor(Math.random() * (k + 1));
    [order[k], order[m]] = [order[m], order[k]];
  }
  // Warm-up: one of each, outside the measurement.
  await Promise.all(sends.map(send => send().catch(() => undefined)));
  return { clients, apis, sends, order };
}

/**
 * The reference for the engine's CPU per call: the same SDK commands, as
 * many of each as the engine sent, from `concurrency` workers on one
 * pre-built client per service, signed with static credentials. The sandbox
 * has the same latency, without quotas (one account sending everything would
 * only measure throttling).
 */
async function runBare(
  accounts: number,
  concurrency: number,
  latency: number,
  byApi: Record<string, number>,
  target: BareTarget,
): Promise<BareResult> {
  const { endpoint, child, admin } = await startSandboxProcess(
    accounts,
    latency,
    false,
  );
  try {
    const { clients, apis, sends, order } = await bareWork(
      target,
      endpoint,
      byApi,
    );
    await fetch(`${endpoint}/_sandbox/counters/reset`, {
      method: 'POST',
      headers: admin,
    });
    let next = 0;
    let errors = 0;
    const failedApis: Record<string, number> = {};
    const diagnostics = await startDiagnostics('bare', accounts);
    const startRssMb = process.memoryUsage.rss() / 2 ** 20;
    const rss = sampleRss();
    const before = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < order.length) {
          const i = order[next++];
          await sends[i]().catch(() => {
            errors++;
            failedApis[apis[i]] = (failedApis[apis[i]] ?? 0) + 1;
          });
        }
      }),
    );
    const cpu = process.cpuUsage(before);
    const wallMs = performance.now() - started;
    const peakRssMb = rss.stop();
    await diagnostics();
    if (process.env.BENCH_DEBUG) {
      console.error(
        `bare loop: ${order.length} calls in ${(wallMs / 1000).toFixed(
          2,
        )} s (bound ${((order.length * latency) / concurrency / 1000).toFixed(
          2,
        )} s); errors by API ${JSON.stringify(failedApis)}`,
      );
    }
    const counters = await (
      await fetch(`${endpoint}/_sandbox/counters`, { headers: admin })
    ).json();
    for (const c of Object.values(clients)) c.destroy();
    return {
      cpuPerCallUs: (cpu.user + cpu.system) / Math.max(1, counters.total),
      calls: counters.total,
      errors,
      wallMs,
      startRssMb,
      peakRssMb,
    };
  } finally {
    child.kill();
  }
}

/**
 * The children run this file compiled, as a production backend runs the
 * engine: without the TypeScript transform (its compiler and the source
 * maps of every module) in the memory being measured. Packages stay where
 * they are installed; the workspace's own are compiled in.
 */
async function compileChild(): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = resolve(__dirname, '.scan-child.cjs');
  await build({
    entryPoints: [__filename],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    logLevel: 'warning',
    plugins: [
      {
        name: 'installed-packages-external',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, args =>
            args.path.startsWith('@trailguard/')
              ? undefined
              : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  process.once('exit', () => rmSync(outfile, { force: true }));
  return outfile;
}

let childEntry: Promise<string> | undefined;

function runInChild<T = Result>(args: string[], input?: unknown): Promise<T> {
  childEntry ??= compileChild();
  return childEntry.then(
    entry =>
      new Promise((ok, fail) => {
        const child = own(
          fork(entry, ['--child', ...args], {
            execArgv:
              process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [],
          }),
        );
        child.on('message', (m: any) => {
          if (m?.type === 'bench-result') ok(m.result as T);
          if (m?.type === 'bench-ready') {
            child.send({ type: 'bench-input', input });
          }
        });
        child.once('exit', code => {
          if (code) fail(new Error(`benchmark child exited with ${code}`));
        });
      }),
  );
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
    'start RSS MB',
    'peak RSS MB',
    'CPU µs/call',
    'bare µs/call',
    'CPU ratio',
    'bare wall/bound',
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
    r.startRssMb.toFixed(0),
    r.peakRssMb.toFixed(0),
    r.cpuPerCallUs.toFixed(0),
    r.bareCpuPerCallUs.toFixed(0),
    (r.cpuPerCallUs / r.bareCpuPerCallUs).toFixed(2),
    (r.bareWallMs / r.lowerBoundMs).toFixed(2),
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map(row => row[i].length)),
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log(
    `\nscan benchmark: ${latency} ms per call, AWS default quotas, ${concurrency} requests in flight\n` +
      'bound = minimal calls x latency / in-flight; quota = busiest quota bucket at its rate;\n' +
      'CPU ratio = engine CPU per AWS call / CPU per call of a bare SDK loop of the same commands;\n' +
      'bare wall/bound = the bare loop against the same bound (what this machine and sandbox allow)\n',
  );
  console.log(line(head));
  for (const row of body) console.log(line(row));
  for (const r of rows) {
    console.log(
      `readers at ${r.accounts} accounts: IAM read in ${
        r.iamAccounts
      } accounts (plan: ${r.iamPlanned}); ${
        r.byApi['s3:GetBucketPolicy'] ?? 0
      } GetBucketPolicy, ${Object.entries(r.byApi)
        .filter(([api]) => api.startsWith('organizations:'))
        .reduce((n, [, c]) => n + c, 0)} Organizations calls`,
    );
    // Calls beyond (or short of) the plan, by API, so a difference is named.
    const apis = new Set([
      ...Object.keys(r.byApi),
      ...Object.keys(r.minimalByApi),
    ]);
    const off = [...apis].flatMap(api => {
      if (api === 'organizations:ListAccounts') return [];
      const d = (r.byApi[api] ?? 0) - (r.minimalByApi[api] ?? 0);
      return d ? [`${api} ${d > 0 ? '+' : ''}${d}`] : [];
    });
    if (off.length) {
      console.log(
        `calls against the plan at ${r.accounts} accounts: ${off.join(', ')}`,
      );
    }
    console.log(
      `phases at ${r.accounts} accounts: trails, keys and buckets read in ${(
        r.readMs / 1000
      ).toFixed(2)} s; IAM, readers and reports in ${(
        (r.wallMs - r.readMs) /
        1000
      ).toFixed(2)} s`,
    );
  }
  for (const r of rows) {
    console.log(
      `RSS at ${
        r.accounts
      } accounts, from the measured run's start to its peak: engine ${r.startRssMb.toFixed(
        0,
      )} -> ${r.peakRssMb.toFixed(0)} MB (+${(
        r.peakRssMb - r.startRssMb
      ).toFixed(0)}; ${r.readPeakRssMb.toFixed(
        0,
      )} MB until every account was read), bare SDK loop ${r.bareStartRssMb.toFixed(
        0,
      )} -> ${r.barePeakRssMb.toFixed(0)} MB (+${(
        r.barePeakRssMb - r.bareStartRssMb
      ).toFixed(0)})`,
    );
  }
  for (const r of rows) {
    if (!r.perRun) continue;
    const each = (
      f: (x: NonNullable<Result['perRun']>[number]) => number,
      digits = 0,
    ) => r.perRun!.map(x => f(x).toFixed(digits)).join(' / ');
    console.log(
      `runs at ${
        r.accounts
      } accounts (the row gives each figure's median): wall ${each(
        x => x.wallMs / 1000,
        2,
      )} s, peak RSS ${each(x => x.peakRssMb)} MB (${each(
        x => x.readPeakRssMb,
      )} MB until every account was read), CPU ${each(
        x => x.cpuPerCallUs,
      )} µs/call`,
    );
  }
  for (const r of rows) {
    if (r.bareErrors) {
      console.log(
        `note: ${r.bareErrors} of the bare loop's ${r.bareCalls} calls at ${r.accounts} accounts answered with an error`,
      );
    }
  }
}

function goals(rows: Result[]) {
  // A generated organization of N member accounts also has its management
  // and log-archive accounts.
  const at = (n: number) => rows.find(r => Math.abs(r.accounts - n) <= 2);
  const wallRatio = (r: Result) =>
    r.wallMs / Math.max(r.lowerBoundMs, r.quotaBoundMs);
  const checks: [string, string, boolean | undefined][] = [];
  for (const r of rows) {
    checks.push([
      `calls / minimal plan at ${r.accounts} = 1.00`,
      (r.calls / r.minimal).toFixed(3),
      r.calls === r.minimal,
    ]);
    checks.push([
      `CPU ratio at ${r.accounts} <= 1.5`,
      (r.cpuPerCallUs / r.bareCpuPerCallUs).toFixed(2),
      r.cpuPerCallUs / r.bareCpuPerCallUs <= 1.5,
    ]);
  }
  for (const n of [1000, 10000]) {
    const r = at(n);
    if (r) {
      checks.push([
        `wall <= 1.3 x bound at ${n}`,
        wallRatio(r).toFixed(2),
        wallRatio(r) <= 1.3,
      ]);
    }
  }
  const r5 = at(5000);
  if (r5) {
    checks.push([
      'peak RSS at 5,000 <= 300 MB',
      `${r5.peakRssMb.toFixed(0)} MB`,
      r5.peakRssMb <= 300,
    ]);
  }
  const r1 = at(1000);
  const r10 = at(10000);
  if (r1 && r10) {
    checks.push([
      'peak RSS at 10,000 <= 1.15 x peak at 1,000',
      (r10.peakRssMb / r1.peakRssMb).toFixed(2),
      r10.peakRssMb / r1.peakRssMb <= 1.15,
    ]);
  }
  console.log('\ngoals:');
  for (const [goal, value, ok] of checks) {
    console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${goal}: ${value}`);
  }
  if (r1 && r10) {
    // The same ratio for the bare loop of the same calls, which holds
    // nothing per account: what the SDK and Node alone give (the growth of
    // both is printed per size above).
    console.log(
      `  (the bare SDK loop's peak RSS at 10,000 / 1,000: ${(
        r10.barePeakRssMb / r1.barePeakRssMb
      ).toFixed(2)})`,
    );
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      child: { type: 'boolean' },
      sizes: { type: 'string', default: '1000,5000,10000' },
      bare: { type: 'string' },
      target: { type: 'string' },
      concurrency: { type: 'string', default: '64' },
      latency: { type: 'string', default: '50' },
      runs: { type: 'string', default: '1' },
    },
  });
  const concurrency = Number(values.concurrency);
  const latency = Number(values.latency);
  // A child whose benchmark is gone stops, and its sandbox with it.
  const finished = values.child ? endWithParent() : () => {};
  if (values.child && values.bare) {
    const result = await runBare(
      Number(values.sizes),
      concurrency,
      latency,
      JSON.parse(values.bare),
      JSON.parse(values.target!),
    );
    finished();
    process.send!({ type: 'bench-result', result }, () =>
      process.disconnect!(),
    );
    return;
  }
  if (values.child) {
    const plan = await new Promise<Plan>(ok => {
      process.on('message', (m: any) => {
        if (m?.type === 'bench-input') ok(m.input as Plan);
      });
      process.send!({ type: 'bench-ready' });
    });
    const result = await runOne(
      Number(values.sizes),
      concurrency,
      latency,
      plan,
    );
    finished();
    process.send!({ type: 'bench-result', result }, () =>
      process.disconnect!(),
    );
    return;
  }
  const rows: Result[] = [];
  for (const size of values.sizes!.split(',').map(Number)) {
    const runs: Result[] = [];
    const plan = planFor(size);
    for (let i = 0; i < Number(values.runs); i++) {
      runs.push(
        await runInChild(
          [
            '--sizes',
            String(size),
            '--concurrency',
            String(concurrency),
            '--latency',
            String(latency),
          ],
          plan,
        ),
      );
    }
    // Each figure is the median of its own runs': a peak is one sample
    // of the process's RSS, set by where the scan ends in V8's cycle of
    // old-space collections, and moves by tens of MB between runs of the
    // same code. The row is the run of median wall time (its calls and
    // API mix), with the median peaks and CPU; every run's are printed.
    const perRun = runs.map(r => ({
      wallMs: r.wallMs,
      peakRssMb: r.peakRssMb,
      readPeakRssMb: r.readPeakRssMb,
      cpuPerCallUs: r.cpuPerCallUs,
    }));
    const row = [...runs].sort((a, b) => a.wallMs - b.wallMs)[
      Math.floor((runs.length - 1) / 2)
    ];
    if (runs.length > 1) {
      row.perRun = perRun;
      row.peakRssMb = median(perRun.map(r => r.peakRssMb));
      row.readPeakRssMb = median(perRun.map(r => r.readPeakRssMb));
      row.cpuPerCallUs = median(perRun.map(r => r.cpuPerCallUs));
    }
    const bare = await runInChild<BareResult>([
      '--sizes',
      String(size),
      '--concurrency',
      String(concurrency),
      '--latency',
      String(latency),
      '--bare',
      JSON.stringify(row.byApi),
      '--target',
      JSON.stringify(plan.bareTarget),
    ]);
    row.bareCpuPerCallUs = bare.cpuPerCallUs;
    row.bareCalls = bare.calls;
    row.bareErrors = bare.errors;
    row.bareWallMs = bare.wallMs;
    row.bareStartRssMb = bare.startRssMb;
    row.barePeakRssMb = bare.peakRssMb;
    rows.push(row);
  }
  table(rows, concurrency, latency);
  goals(rows);
}

main().catch(error => {
  console.error(error);
  stop(1);
});
