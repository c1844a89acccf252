import { stableHex } from './stableHex';
import { defaultKeyPolicy } from '../policy';
import { consoleBucketPolicy } from '../services/s3BucketPolicy';
import type { BucketSpec, KeySpec, Scenario } from '../scenario/types';
import { AccountIamRecord, buildAccountIam } from './iam';
import { buildOrganizationPolicies } from './organizationPolicies';

export { stableHex };
import {
  AccountRecord,
  AliasRecord,
  BucketRecord,
  CredentialRecord,
  GrantRecord,
  KeyRecord,
  OrganizationalUnitRecord,
  OrganizationPolicyRecord,
  OrganizationRecord,
  TrailRecord,
  keyArn,
  trailArn,
} from './records';

const UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Resolves an ISO date or a relative offset such as -15m or +7d. */
export function resolveDate(
  value: string | undefined,
  now: Date,
  fallback?: Date,
): Date | undefined {
  if (!value) return fallback;
  const rel = /^([+-]\d+)([smhd])$/.exec(value);
  if (rel) return new Date(now.getTime() + Number(rel[1]) * UNITS[rel[2]]);
  return new Date(value);
}

function publicAccessBlock(
  spec: BucketSpec['publicAccessBlock'],
): BucketRecord['publicAccessBlock'] {
  if (spec === undefined || spec === false) return undefined;
  const all = spec === true;
  const o = spec === true ? {} : spec;
  return {
    blockPublicAcls: all || o.blockPublicAcls === true,
    ignorePublicAcls: all || o.ignorePublicAcls === true,
    blockPublicPolicy: all || o.blockPublicPolicy === true,
    restrictPublicBuckets: all || o.restrictPublicBuckets === true,
  };
}

function bucketPolicyText(
  b: BucketSpec,
  writers: TrailRecord[],
  organizationId?: string,
): string | undefined {
  if (b.policy === null) return undefined;
  if (typeof b.policy === 'object') return JSON.stringify(b.policy, null, 2);
  return b.policy ?? consoleBucketPolicy(b.name, writers, organizationId);
}

function policyText(account: string, policy: KeySpec['policy']): string {
  if (policy === undefined) return defaultKeyPolicy(account);
  return typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2);
}

/** The mutable in-memory AWS estate the services read and write. */
export class SandboxState {
  readonly accounts = new Map<string, AccountRecord>();
  readonly credentials = new Map<string, CredentialRecord>();
  organization?: OrganizationRecord;
  readonly organizationalUnits = new Map<string, OrganizationalUnitRecord>();
  readonly keys = new Map<string, KeyRecord>();
  readonly aliases: AliasRecord[] = [];
  readonly buckets = new Map<string, BucketRecord>();
  readonly trails = new Map<string, TrailRecord>();
  /** IAM per account, built on first use: large generated estates rarely read it all. */
  readonly #iamSpecs = new Map<string, () => AccountIamRecord>();
  readonly #iam = new Map<string, AccountIamRecord>();
  /** SCPs and RCPs by policy id. */
  readonly organizationPolicies = new Map<string, OrganizationPolicyRecord>();
  listTrailsPageSize = 50;

  constructor(readonly scenarioName: string) {}

  static fromScenario(s: Scenario, now = new Date()): SandboxState {
    const st = new SandboxState(s.name ?? 'scenario');
    const created = new Date(now.getTime() - 400 * UNITS.d);
    if (s.settings?.listTrailsPageSize) {
      st.listTrailsPageSize = s.settings.listTrailsPageSize;
    }
    if (s.organization) {
      st.organization = {
        ...s.organization,
        rootId: `r-${stableHex(`${s.organization.id}/root`, 4)}`,
      };
    }
    for (const a of s.accounts) {
      const inOrganization = s.organization
        ? a.inOrganization !== false
        : false;
      st.accounts.set(a.id, {
        id: a.id,
        name: a.name,
        email: a.email ?? `aws+${a.name}@example.com`,
        roles: (a.roles ?? []).map(r =>
          typeof r === 'string'
            ? { name: r, readOnly: false, maxSessionDuration: 3600 }
            : {
                name: r.name,
                readOnly: r.readOnly === true,
                externalId: r.externalId,
                maxSessionDuration: r.maxSessionDuration ?? 3600,
              },
        ),
        assumeRoleDenied: a.assumeRoleDenied === true,
        inOrganization,
        joinedTimestamp: created,
        state: a.state ?? 'ACTIVE',
        parentId: inOrganization ? st.ouPath(a.ou) : undefined,
      });
    }
    const trusted =
      s.organization?.managementAccount ??
      s.credentials?.[0]?.accountId ??
      s.accounts[0]?.id;
    const permissionSets = s.identityCenter?.permissionSets ?? [];
    for (const a of s.accounts) {
      st.#iamSpecs.set(a.id, () =>
        buildAccountIam(
          a,
          trusted,
          created,
          v => resolveDate(v, now)!,
          permissionSets.filter(
            ps => ps.accounts === 'all' || ps.accounts.includes(a.id),
          ),
        ),
      );
    }
    for (const c of s.credentials ?? [])
      st.credentials.set(c.accessKeyId, { ...c });
    for (const k of s.keys ?? []) {
      const state = k.state ?? 'Enabled';
      const creationDate = resolveDate(k.creationDate, now, created)!;
      const base: KeyRecord = {
        account: k.account,
        region: k.region,
        id: k.id,
        arn: keyArn(k.region, k.account, k.id),
        state,
        keySpec: k.keySpec ?? 'SYMMETRIC_DEFAULT',
        keyUsage: k.keyUsage ?? 'ENCRYPT_DECRYPT',
        multiRegion: k.multiRegion === true,
        multiRegionType: k.multiRegion ? 'PRIMARY' : undefined,
        primaryRegion: k.multiRegion ? k.region : undefined,
        replicaRegions: k.replicaRegions ?? [],
        rotation: k.rotation === true,
        rotationPeriodInDays: 365,
        policy: policyText(k.account, k.policy),
        description: k.description ?? '',
        creationDate,
        grants: (k.grants ?? []).map(
          (g, i): GrantRecord => ({
            grantId: stableHex(`${k.id}/grant/${i}`, 64),
            name: g.name,
            creationDate,
            granteePrincipal: g.granteePrincipal,
            retiringPrincipal: g.retiringPrincipal,
            issuingAccount: `arn:aws:iam::${k.account}:root`,
            operations: g.operations,
            encryptionContextSubset: g.encryptionContextSubset,
            encryptionContextEquals: g.encryptionContextEquals,
          }),
        ),
        tags: k.tags ?? {},
      };
      if (state === 'PendingDeletion') {
        base.pendingWindowInDays = k.pendingWindowInDays ?? 30;
        base.deletionDate = resolveDate(
          k.deletionDate,
          now,
          new Date(now.getTime() + base.pendingWindowInDays * UNITS.d),
        );
      }
      st.keys.set(base.arn, base);
      for (const r of base.replicaRegions) {
        const replica: KeyRecord = {
          ...structuredClone(base),
          region: r,
          arn: keyArn(r, k.account, k.id),
          multiRegionType: 'REPLICA',
          replicaRegions: [],
        };
        st.keys.set(replica.arn, replica);
      }
      for (const alias of k.aliases ?? []) {
        st.aliases.push({
          account: k.account,
          region: k.region,
          name: alias,
          targetKeyId: k.id,
          creationDate,
        });
      }
    }
    for (const b of s.buckets ?? []) {
      st.buckets.set(b.name, {
        name: b.name,
        account: b.account,
        region: b.region,
        readers: (b.readers ?? []).map(String),
        algorithm: b.encryption?.algorithm ?? 'AES256',
        kmsKey: b.encryption?.kmsKey,
        bucketKeyEnabled: b.encryption?.bucketKeyEnabled ?? false,
        creationDate: created,
      });
    }
    for (const t of s.trails ?? []) {
      const isLogging = t.isLogging !== false;
      const arn = trailArn(t.homeRegion, t.account, t.name);
      st.trails.set(arn, {
        account: t.account,
        name: t.name,
        homeRegion: t.homeRegion,
        arn,
        multiRegion: t.multiRegion === true,
        organization: t.organization === true,
        bucket: t.bucket,
        s3KeyPrefix: t.s3KeyPrefix,
        kmsKeyArn: t.kmsKey,
        isLogging,
        latestDeliveryError: t.latestDeliveryError,
        latestDeliveryTime: resolveDate(
          t.latestDeliveryTime,
          now,
          isLogging ? new Date(now.getTime() - 5 * UNITS.m) : undefined,
        ),
        startLoggingTime: created,
        stopLoggingTime: isLogging
          ? undefined
          : new Date(now.getTime() - UNITS.d),
        logFileValidation: t.logFileValidation !== false,
        includeGlobalServiceEvents: t.includeGlobalServiceEvents !== false,
      });
    }
    if (st.organization) {
      buildOrganizationPolicies(st, s.organization?.policies ?? []);
    }
    // Buckets get the policy the CloudTrail console writes for the trails
    // that deliver to them, unless the scenario gives one (or null: none).
    const writers = new Map<string, TrailRecord[]>();
    for (const t of st.trails.values()) {
      writers.set(t.bucket, [...(writers.get(t.bucket) ?? []), t]);
    }
    for (const b of s.buckets ?? []) {
      const record = st.buckets.get(b.name)!;
      record.policy = bucketPolicyText(
        b,
        writers.get(b.name) ?? [],
        st.organization?.id,
      );
      record.publicAccessBlock = publicAccessBlock(b.publicAccessBlock);
    }
    return st;
  }

  /** The account's IAM, or undefined for an account outside the scenario. */
  iamOf(account: string): AccountIamRecord | undefined {
    let iam = this.#iam.get(account);
    if (!iam) {
      const build = this.#iamSpecs.get(account);
      if (!build) return undefined;
      iam = build();
      this.#iam.set(account, iam);
    }
    return iam;
  }

  /** Marks the trails a write may have repaired or broken for delivery. */
  touchDelivery(affects: (trail: TrailRecord) => boolean): void {
    for (const t of this.trails.values()) {
      if (affects(t)) t.deliveryDirty = true;
    }
  }

  /** The id of the OU at `path` under the root, creating the OUs on the way. */
  ouPath(path: string | undefined): string {
    let parentId = this.organization!.rootId;
    for (const name of (path ?? '').split('/').filter(Boolean)) {
      parentId = this.#childOu(parentId, name);
    }
    return parentId;
  }

  #childOu(parentId: string, name: string): string {
    const org = this.organization!;
    const existing = [...this.organizationalUnits.values()].find(
      ou => ou.parentId === parentId && ou.name === name,
    );
    if (existing) return existing.id;
    const id = `ou-${org.rootId.slice(2)}-${stableHex(
      `${org.id}/${parentId}/${name}`,
      8,
    )}`;
    this.organizationalUnits.set(id, { id, name, parentId });
    return id;
  }

  isOrgMember(account: string): boolean {
    return (
      !!this.organization && this.accounts.get(account)?.inOrganization === true
    );
  }

  /**
   * Whether `viewer` sees `trail` from `region`: its own trails homed there or
   * multi-Region, and organization trails of its organization.
   */
  trailVisible(trail: TrailRecord, viewer: string, region?: string): boolean {
    const related =
      trail.account === viewer ||
      (trail.organization && this.isOrgMember(viewer));
    if (!related) return false;
    return !region || trail.homeRegion === region || trail.multiRegion;
  }

  visibleTrails(viewer: string, region?: string): TrailRecord[] {
    return [...this.trails.values()].filter(t =>
      this.trailVisible(t, viewer, region),
    );
  }

  keysIn(account: string, region: string): KeyRecord[] {
    return [...this.keys.values()].filter(
      k => k.account === account && k.region === region,
    );
  }

  /** A JSON-friendly dump for the admin endpoint and debugging. */
  toJSON() {
    return {
      scenario: this.scenarioName,
      organization: this.organization,
      organizationalUnits: [...this.organizationalUnits.values()],
      accounts: [...this.accounts.values()],
      credentials: [...this.credentials.values()].map(c => ({
        accessKeyId: c.accessKeyId,
        accountId: c.accountId,
        userName: c.userName,
      })),
      keys: [...this.keys.values()],
      aliases: this.aliases,
      buckets: [...this.buckets.values()],
      trails: [...this.trails.values()],
      organizationPolicies: [...this.organizationPolicies.values()].map(p => ({
        ...p,
        targets: [...p.targets],
      })),
    };
  }
}
