import type { AccountSpec, KeySpec, Scenario, TrailSpec } from './types';

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

export interface CallPlanOptions {
  /**
   * Whether the scan reads the organization's SCPs and RCPs (the management
   * account is configured); default: when the scenario has an organization.
   */
  organizationPolicies?: boolean;
  /** The estate read gave every account's parents, so no ListParents. */
  parentsKnown?: boolean;
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
 * - s3:HeadBucket once per distinct bucket those trails write to;
 * - the readers (see {@link addReaderCalls}).
 */
export function computeMinimalCallPlan(
  s: Scenario,
  options: CallPlanOptions = {},
): CallPlan {
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
  addReaderCalls(s, [...seen.values()], existing, byApi, options);
  return plan(byApi, accounts.length);
}

/** Organizations' largest page for its List calls. */
const ORGANIZATIONS_PAGE = 20;
/** The page size the scan asks GetAccountAuthorizationDetails for. */
const IAM_PAGE = 1000;

function document(policy: unknown): Record<string, unknown> | undefined {
  if (policy && typeof policy === 'object') {
    return policy as Record<string, unknown>;
  }
  if (typeof policy !== 'string') return undefined;
  try {
    const value = JSON.parse(policy);
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

function list(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}
const ACCOUNT = /^(?:arn:aws[\w-]*:iam::)?(\d{12})(?::|$)/;

const wildcard = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );

function actionApplies(st: Record<string, any>, action: string): boolean {
  if (st.NotAction !== undefined) {
    return !list(st.NotAction).some(a => wildcard(String(a)).test(action));
  }
  return list(st.Action).some(a => wildcard(String(a)).test(action));
}

/** Values an operator pins a key to: StringEquals/StringLike without wildcards. */
function pinnedValues(st: Record<string, any>, keys: string[]): string[] {
  const out: string[] = [];
  for (const [operator, body] of Object.entries(st.Condition ?? {})) {
    if (!/^String(Equals|Like)$/.test(operator)) continue;
    for (const [key, value] of Object.entries(body as object)) {
      if (!keys.includes(key.toLowerCase())) continue;
      const values = list(value).map(String);
      if (values.some(v => /[*?]/.test(v))) continue;
      out.push(...values);
    }
  }
  return out;
}

/**
 * The accounts whose principals a key or bucket policy lets in for the
 * action: accounts named by AWS principals of Allow statements or pinned
 * by kms:CallerAccount / aws:PrincipalAccount; `org` when `*` is pinned to
 * the organization or not pinned at all (then every account is asked).
 */
function admittedAccounts(
  policy: unknown,
  action: string,
  orgId?: string,
): Set<string> {
  const out = new Set<string>();
  const doc = document(policy);
  for (const st of list(doc?.Statement) as Record<string, any>[]) {
    if (st?.Effect !== 'Allow' || !actionApplies(st, action)) continue;
    const principal = st.Principal;
    const aws =
      principal === '*' || (principal === undefined && st.NotPrincipal)
        ? ['*']
        : list(principal?.AWS).map(String);
    for (const p of aws) {
      const m = ACCOUNT.exec(p);
      if (m) out.add(m[1]);
      if (p !== '*') continue;
      const accounts = pinnedValues(st, [
        'kms:calleraccount',
        'aws:principalaccount',
      ]);
      const orgs = pinnedValues(st, ['aws:principalorgid']);
      accounts.forEach(a => out.add(a));
      if (
        (!accounts.length && !orgs.length) ||
        (orgId && orgs.includes(orgId))
      ) {
        out.add('org');
      }
    }
  }
  return out;
}

/** The OU path prefixes of an account: `Workloads`, `Workloads/Prod`. */
function ouNodes(a: AccountSpec): string[] {
  const parts = (a.ou ?? '').split('/').filter(Boolean);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/**
 * The readers' calls, for every trail whose key exists and whose policy is
 * a JSON document:
 * - s3:GetBucketPolicy once per distinct log bucket, as the trail's owner
 *   and then the key's account until the bucket's owner answers (each try
 *   counts), then one s3:GetPublicAccessBlock as the owner;
 * - iam:GetAccountAuthorizationDetails (one page per 1,000 entities) once
 *   per reachable scanned account the key policy, the grants or the bucket
 *   policy lets in (the key's and the bucket's accounts among them; every
 *   scanned account when aws:PrincipalOrgID admits the organization);
 * - with the organization's policies: organizations:ListPolicies once per
 *   type (SCP, RCP), ListTargetsForPolicy (pages of 20) and DescribePolicy
 *   once per policy (AWS's FullAWSAccess and RCPFullAWSAccess included,
 *   attached to the root, every OU and every account), and, unless the
 *   estate read gave the tree, ListParents once per member account those
 *   readers, keys and buckets belong to (the management account aside) and
 *   once per OU above them.
 */
function addReaderCalls(
  s: Scenario,
  trails: TrailSpec[],
  existingKeys: Set<string>,
  byApi: Record<string, number>,
  options: CallPlanOptions,
) {
  const accounts = orgAccounts(s);
  const usable = new Set(
    accounts.filter(a => !a.assumeRoleDenied).map(a => a.id),
  );
  const orgId = s.organization?.id;
  const keys = new Map<string, KeySpec>(
    (s.keys ?? []).flatMap(k =>
      [k.region, ...(k.replicaRegions ?? [])].map(
        r => [`arn:aws:kms:${r}:${k.account}:key/${k.id}`, k] as const,
      ),
    ),
  );
  const buckets = new Map((s.buckets ?? []).map(b => [b.name, b]));
  const bucketsSeen = new Set<string>();
  const admitted = new Set<string>();
  let policyReads = 0;
  let blockReads = 0;
  for (const t of trails) {
    if (!t.kmsKey) continue;
    const keyArn = resolveAlias(s, t.kmsKey);
    const key = keys.get(keyArn);
    if (!key || !existingKeys.has(keyArn) || !document(key.policy)) continue;
    const bucket = buckets.get(t.bucket);
    if (!bucketsSeen.has(t.bucket)) {
      bucketsSeen.add(t.bucket);
      for (const candidate of [...new Set([t.account, key.account])]) {
        if (!usable.has(candidate)) continue;
        policyReads++;
        if (!bucket || bucket.account === candidate) {
          if (bucket) blockReads++;
          break;
        }
      }
    }
    const bucketPolicy =
      bucket?.policy === undefined || bucket.policy === null
        ? undefined
        : bucket.policy;
    const named = new Set([
      key.account,
      ...(bucket ? [bucket.account] : []),
      ...admittedAccounts(key.policy, 'kms:Decrypt', orgId),
      ...admittedAccounts(bucketPolicy, 's3:GetObject', orgId),
      ...(key.grants ?? []).flatMap(g => {
        const m = ACCOUNT.exec(g.granteePrincipal);
        return m && g.operations.includes('Decrypt') ? [m[1]] : [];
      }),
    ]);
    if (named.has('org')) for (const a of accounts) named.add(a.id);
    named.delete('org');
    for (const id of named) admitted.add(id);
  }
  byApi['s3:GetBucketPolicy'] = policyReads;
  byApi['s3:GetPublicAccessBlock'] = blockReads;
  const byId = new Map(s.accounts.map(a => [a.id, a]));
  byApi['iam:GetAccountAuthorizationDetails'] = [...admitted]
    .filter(id => usable.has(id))
    .reduce((n, id) => {
      const iam = byId.get(id)?.iam;
      const entities =
        (iam?.roles?.length ?? 0) +
        (iam?.users?.length ?? 0) +
        (iam?.groups?.length ?? 0) +
        (iam?.policies?.length ?? 0) +
        (byId.get(id)?.roles?.length ?? 0);
      return n + Math.max(1, Math.ceil(entities / IAM_PAGE));
    }, 0);

  const org = s.organization;
  if (!org || !(options.organizationPolicies ?? true)) return;
  const ous = new Set(accounts.flatMap(ouNodes));
  // Root, every OU and every account carry the FullAWSAccess policies.
  const everywhere = 1 + ous.size + accounts.length;
  const pages = (n: number) => Math.max(1, Math.ceil(n / ORGANIZATIONS_PAGE));
  let targets = 0;
  let policies = 0;
  for (const type of ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY']) {
    const custom = (org.policies ?? []).filter(p => p.type === type);
    byApi['organizations:ListPolicies'] =
      (byApi['organizations:ListPolicies'] ?? 0) + pages(custom.length + 1);
    policies += custom.length + 1;
    targets += pages(everywhere);
    for (const p of custom) targets += pages(p.targets.length);
  }
  byApi['organizations:DescribePolicy'] = policies;
  byApi['organizations:ListTargetsForPolicy'] = targets;
  if (options.parentsKnown) return;
  const members = new Set(accounts.map(a => a.id));
  const asked = [...admitted].filter(
    id => members.has(id) && id !== org.managementAccount,
  );
  const above = new Set(asked.flatMap(id => ouNodes(byId.get(id)!)));
  byApi['organizations:ListParents'] = asked.length + above.size;
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
