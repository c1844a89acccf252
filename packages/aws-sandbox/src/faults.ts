import { globMatch } from './policy';

export type LatencySpec = number | { min: number; max: number };

/** Selects calls by account (effective account) and API, e.g. `kms:Get*`. */
export interface FaultMatcher {
  account?: string | string[];
  api?: string | string[];
  region?: string | string[];
}

export interface ThrottlingConfig {
  enabled?: boolean;
  /** Requests per second per account+Region+API, overriding AWS's defaults. */
  quotas?: Record<string, number>;
}

export interface FaultConfig {
  /** Seeds the RNG behind random latency, throttling and errors. */
  seed?: number;
  latency?: LatencySpec;
  /** Per-API latency (glob keys such as `kms:*`); wins over `latency`. */
  latencyByApi?: Record<string, LatencySpec>;
  /** AWS-like token-bucket throttling; `true` uses the default quotas. */
  throttling?: boolean | ThrottlingConfig;
  /** Fraction (0..1) of matching calls answered with a throttling error. */
  throttleRate?: number;
  /** Fraction (0..1) of matching calls answered with a 5xx error. */
  errorRate?: number;
  /** The next N matching calls fail with a 5xx error. */
  failNext?: number | ({ count: number } & FaultMatcher);
  /** Limits throttleRate and errorRate to matching calls. */
  scope?: FaultMatcher;
  /** Matching calls are denied, as a service control policy (e.g. a Region deny) would. */
  accessDenied?: FaultMatcher[];
  /**
   * Matching calls fail as in an opt-in Region the account has not enabled:
   * the Region does not recognise the credentials (UnrecognizedClientException,
   * InvalidClientTokenId for STS).
   */
  regionNotEnabled?: FaultMatcher[];
  /** Matching calls never get a response, until the client gives up. */
  hang?: FaultMatcher[];
}

/** AWS's default request quotas (requests per second). */
export const DEFAULT_QUOTAS: Record<string, number> = {
  'cloudtrail:ListTrails': 10,
  'cloudtrail:DescribeTrails': 10,
  'cloudtrail:GetTrailStatus': 10,
  'cloudtrail:GetTrail': 10,
  'cloudtrail:UpdateTrail': 1,
  'kms:DescribeKey': 100,
  'kms:GetKeyPolicy': 30,
  'kms:GetKeyRotationStatus': 30,
  'kms:ListGrants': 100,
  'kms:ListAliases': 100,
  'kms:PutKeyPolicy': 5,
  'kms:CreateKey': 5,
  'sts:AssumeRole': 600,
  's3:HeadBucket': 5500,
  's3:GetBucketLocation': 5500,
  's3:GetBucketEncryption': 5500,
};

export interface CallInfo {
  api: string;
  account: string;
  region: string;
}

export type FaultDecision =
  | { kind: 'hang' }
  | { kind: 'throttle' }
  | { kind: 'internal' }
  | { kind: 'accessDenied' }
  | { kind: 'regionNotEnabled' }
  | undefined;

/** Small, fast, seedable PRNG (mulberry32). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function list(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}

export function matches(m: FaultMatcher | undefined, call: CallInfo): boolean {
  if (!m) return true;
  const accounts = list(m.account);
  const apis = list(m.api);
  const regions = list(m.region);
  return (
    (!accounts || accounts.includes(call.account)) &&
    (!apis || apis.some(a => globMatch(a, call.api, true))) &&
    (!regions || regions.includes(call.region))
  );
}

/** Fault and load controls; safe to change while requests are in flight. */
export class FaultController {
  private config: FaultConfig = {};
  private rng = createRng(1);
  private failRemaining = 0;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(initial?: FaultConfig) {
    if (initial) this.set(initial);
  }

  /** Merges into the current configuration (lists are replaced). */
  set(partial: FaultConfig): void {
    this.config = { ...this.config, ...partial };
    if (partial.seed !== undefined) this.rng = createRng(partial.seed);
    if (partial.failNext !== undefined) {
      this.failRemaining =
        typeof partial.failNext === 'number'
          ? partial.failNext
          : partial.failNext.count;
    }
    if (partial.throttling !== undefined) this.buckets.clear();
  }

  reset(): void {
    this.config = {};
    this.rng = createRng(1);
    this.failRemaining = 0;
    this.buckets.clear();
  }

  get(): FaultConfig & { failNextRemaining: number } {
    return {
      ...structuredClone(this.config),
      failNextRemaining: this.failRemaining,
    };
  }

  latencyFor(api: string): number {
    const byApi = this.config.latencyByApi ?? {};
    const key = Object.keys(byApi).find(k => globMatch(k, api, true));
    const spec = key !== undefined ? byApi[key] : this.config.latency;
    if (spec === undefined) return 0;
    if (typeof spec === 'number') return spec;
    return spec.min + this.rng() * Math.max(0, spec.max - spec.min);
  }

  /** Decides the fault (if any) for one call; consumes throttle tokens. */
  decide(call: CallInfo, now = Date.now()): FaultDecision {
    const c = this.config;
    if (c.hang?.some(m => matches(m, call))) return { kind: 'hang' };
    // A Region the account cannot use answers before any quota applies.
    if (c.regionNotEnabled?.some(m => matches(m, call))) {
      return { kind: 'regionNotEnabled' };
    }
    if (!this.takeToken(call, now)) return { kind: 'throttle' };
    const inScope = matches(c.scope, call);
    if (inScope && c.throttleRate && this.rng() < c.throttleRate) {
      return { kind: 'throttle' };
    }
    const failMatcher = typeof c.failNext === 'object' ? c.failNext : undefined;
    if (this.failRemaining > 0 && matches(failMatcher, call)) {
      this.failRemaining--;
      return { kind: 'internal' };
    }
    if (inScope && c.errorRate && this.rng() < c.errorRate)
      return { kind: 'internal' };
    if (c.accessDenied?.some(m => matches(m, call)))
      return { kind: 'accessDenied' };
    return undefined;
  }

  private takeToken(call: CallInfo, now: number): boolean {
    const t = this.config.throttling;
    if (!t || (typeof t === 'object' && t.enabled === false)) return true;
    const quotas = typeof t === 'object' ? t.quotas ?? {} : {};
    const rate = quotas[call.api] ?? DEFAULT_QUOTAS[call.api];
    if (!rate || rate <= 0) return true;
    const key = `${call.account}|${call.region}|${call.api}`;
    const capacity = Math.max(1, rate);
    const b = this.buckets.get(key) ?? { tokens: capacity, at: now };
    b.tokens = Math.min(capacity, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

export interface Counters {
  total: number;
  byApi: Record<string, number>;
  byAccount: Record<string, number>;
  byAccountApi: Record<string, Record<string, number>>;
  /** Calls answered with a throttling error (token bucket or random). */
  throttled: number;
  /** Calls answered with any error, including throttling and injected faults. */
  errors: number;
  /** Calls that hit an injected fault (throttle, 5xx, AccessDenied, hang). */
  injected: number;
}

export class CallCounters {
  private c: Counters = CallCounters.empty();

  static empty(): Counters {
    return {
      total: 0,
      byApi: {},
      byAccount: {},
      byAccountApi: {},
      throttled: 0,
      errors: 0,
      injected: 0,
    };
  }

  record(call: CallInfo): void {
    const c = this.c;
    c.total++;
    c.byApi[call.api] = (c.byApi[call.api] ?? 0) + 1;
    c.byAccount[call.account] = (c.byAccount[call.account] ?? 0) + 1;
    const per = (c.byAccountApi[call.account] ??= {});
    per[call.api] = (per[call.api] ?? 0) + 1;
  }

  note(kind: 'throttled' | 'errors' | 'injected'): void {
    this.c[kind]++;
  }

  snapshot(): Counters {
    return structuredClone(this.c);
  }

  reset(): void {
    this.c = CallCounters.empty();
  }
}
