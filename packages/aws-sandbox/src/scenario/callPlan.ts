import type { Scenario, TrailSpec } from './types';

export interface CallPlan {
  total: number;
  byApi: Record<string, number>;
  /** Organization accounts the plan covers. */
  accounts: number;
}

const KEY_APIS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
];

function plan(byApi: Record<string, number>, accounts: number): CallPlan {
  const clean = Object.fromEntries(
    Object.entries(byApi).filter(([, n]) => n > 0),
  );
  const total = Object.values(clean).reduce((a, b) => a + b, 0);
  return { total, byApi: clean, accounts };
}

const trailArn = (t: TrailSpec) =>
  `arn:aws:cloudtrail:${t.homeRegion}:${t.account}:trail/${t.name}`;

/** The key ARN an alias ARN points at; other references unchanged. */
function resolveAlias(s: Scenario, reference: string): string {
  const m = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/.exec(reference);
  if (!m) return reference;
  const [, region, account, alias] = m;
  const key = (s.keys ?? []).find(
    k =>
      k.account === account &&
      k.region === region &&
      (k.aliases ?? []).includes(alias),
  );
  return key ? `arn:aws:kms:${region}:${account}:key/${key.id}` : reference;
}

function orgAccounts(s: Scenario) {
  return s.accounts.filter(a =>
    s.organization ? a.inOrganization !== false : true,
  );
}

/** Trails an account sees: its own and its organization's organization trails. */
function trailsOf(s: Scenario, account: string, inOrg: boolean): TrailSpec[] {
  return (s.trails ?? []).filter(
    t => t.account === account || (inOrg && t.organization),
  );
}

/**
 * The fewest calls a scan of the whole organization needs, derived from the
 * scenario alone:
 * - organizations:ListAccounts: one page per 20 accounts;
 * - sts:AssumeRole: one per organization account;
 * - for each account whose role can be assumed: one cloudtrail:ListTrails,
 *   and one cloudtrail:DescribeTrails per home Region of the trails it owns;
 * - cloudtrail:GetTrailStatus once per distinct trail seen;
 * - DescribeKey, GetKeyPolicy, GetKeyRotationStatus and ListGrants once per
 *   distinct key those trails use (only DescribeKey when the key is gone);
 * - s3:HeadBucket once per distinct bucket those trails write to.
 */
export function computeMinimalCallPlan(s: Scenario): CallPlan {
  const accounts = orgAccounts(s);
  const reachable = accounts.filter(a => !a.assumeRoleDenied);
  const byApi: Record<string, number> = {
    'organizations:ListAccounts': Math.max(1, Math.ceil(accounts.length / 20)),
    'sts:AssumeRole': accounts.length,
    'cloudtrail:ListTrails': reachable.length,
  };
  const seen = new Map<string, TrailSpec>();
  let describe = 0;
  for (const a of reachable) {
    const owned = (s.trails ?? []).filter(t => t.account === a.id);
    describe += new Set(owned.map(t => t.homeRegion)).size;
    for (const t of trailsOf(s, a.id, !!s.organization))
      seen.set(trailArn(t), t);
  }
  byApi['cloudtrail:DescribeTrails'] = describe;
  byApi['cloudtrail:GetTrailStatus'] = seen.size;
  const existing = new Set(
    (s.keys ?? []).flatMap(k =>
      [k.region, ...(k.replicaRegions ?? [])].map(
        r => `arn:aws:kms:${r}:${k.account}:key/${k.id}`,
      ),
    ),
  );
  const references = new Set(
    [...seen.values()].map(t => t.kmsKey).filter((k): k is string => !!k),
  );
  // DescribeKey once per way a key is named; the rest once per key it resolves to.
  const keys = new Set([...references].map(k => resolveAlias(s, k)));
  for (const api of KEY_APIS) {
    byApi[api] =
      api === 'kms:DescribeKey'
        ? references.size
        : [...keys].filter(k => existing.has(k)).length;
  }
  byApi['s3:HeadBucket'] = new Set([...seen.values()].map(t => t.bucket)).size;
  return plan(byApi, accounts.length);
}

/** The 17 Regions enabled by default in a commercial AWS account. */
export const DEFAULT_ENABLED_REGIONS = 17;

/**
 * What a per-Region sweep (the way Prowler and similar tools scan) costs:
 * for every reachable account and every enabled Region, one DescribeTrails,
 * then GetTrailStatus, the four key calls and a HeadBucket for every trail
 * visible in that Region (multi-Region and organization trails appear in
 * every Region, so they are inspected again and again).
 */
export function computeRegionSweepCallPlan(
  s: Scenario,
  options: { regions?: number | string[] } = {},
): CallPlan {
  let regionList: string[];
  if (Array.isArray(options.regions)) {
    regionList = options.regions;
  } else {
    // The scenario's own Regions, padded with stand-ins up to the count.
    const count = options.regions ?? DEFAULT_ENABLED_REGIONS;
    regionList = [...new Set((s.trails ?? []).map(t => t.homeRegion))].slice(
      0,
      count,
    );
    while (regionList.length < count)
      regionList.push(`other-region-${regionList.length}`);
  }
  const accounts = orgAccounts(s);
  const reachable = accounts.filter(a => !a.assumeRoleDenied);
  const byApi: Record<string, number> = {
    'organizations:ListAccounts': Math.max(1, Math.ceil(accounts.length / 20)),
    'sts:AssumeRole': accounts.length,
    'cloudtrail:DescribeTrails': reachable.length * regionList.length,
  };
  const add = (api: string, n: number) => (byApi[api] = (byApi[api] ?? 0) + n);
  for (const a of reachable) {
    const trails = trailsOf(s, a.id, !!s.organization);
    for (const region of regionList) {
      const visible = trails.filter(
        t => t.multiRegion || t.homeRegion === region,
      );
      const keyed = visible.filter(t => t.kmsKey).length;
      add('cloudtrail:GetTrailStatus', visible.length);
      add('s3:HeadBucket', visible.length);
      for (const api of KEY_APIS) add(api, keyed);
    }
  }
  return plan(byApi, accounts.length);
}
