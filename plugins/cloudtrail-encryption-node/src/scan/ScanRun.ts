import type { KeyMetadataRecord } from '../aws/KeyReader';
import type {
  AccountReport,
  RegionFailure,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { AwsAccess } from '../aws/AwsAccess';
import { accountIdFromArn, regionFromArn } from '../policy/arn';
import type { BucketReader } from '../aws/BucketReader';
import { describeAwsError, formatAwsError } from '../aws/errors';
import type { KeyReader } from '../aws/KeyReader';
import type {
  TrailReader,
  TrailRecord,
  TrailStatusRecord,
  TrailSummaryRecord,
} from '../aws/TrailReader';
import {
  AccountIdMap,
  AccountIdSet,
  AccountIndex,
} from '../policy/accountIdSet';
import { buildAccountReport, buildErrorReport } from './buildReport';
import type { ReaderScan } from './ReaderScan';
import { ScanCache, settle, type Outcome } from './ScanCache';
import type { Spill } from './spill';
import type {
  KeyFacts,
  ReaderResult,
  ScanAccount,
  TrailFacts,
  UnreadTrail,
} from './facts';

/** A credentials check that succeeded: one object for every such account. */
const ACCESS_OK: Outcome<void> = Object.freeze({ ok: true, value: undefined });

export interface ScanRunOptions {
  /** Accounts scanned in this run, plus others whose credentials are configured. */
  accountIds: string[];
  /** An index of the same accounts, when the caller has one to share. */
  accountIndex?: AccountIndex;
  trustedAccountIds: string[];
  organizationId?: string;
  organizationAccountIds: string[];
}

/** What was read about one account, waiting for the readers analysis. */
export interface CollectedAccount {
  account: ScanAccount;
  scannedAt: string;
  facts: TrailFacts[];
  unread: UnreadTrail[];
  failures: RegionFailure[];
}

interface Described {
  records: TrailRecord[];
  unread: UnreadTrail[];
  failures: RegionFailure[];
}

/** The look-ups of one scan, shared by all its accounts. */
export class ScanRun {
  /** The accounts the run may sign as, by position (see AccountIdMap). */
  readonly #targets: AccountIndex;
  /** Built once per scan: every report is judged against them. */
  readonly #trusted: ReadonlySet<string>;
  readonly #members: ReadonlySet<string>;
  // The look-ups most of which serve one account are spilled (see
  // ScanCache): every account's would otherwise stay on the heap until every
  // account is read.
  readonly #ownedTrails: ScanCache<Outcome<TrailRecord[]>>;
  readonly #foreignTrails = new ScanCache<Outcome<TrailRecord | undefined>>();
  readonly #statuses: ScanCache<Outcome<TrailStatusRecord>>;
  /** DescribeKey once per way a key is named (ARN, alias ARN…). */
  readonly #keyMetadata: ScanCache<Outcome<KeyMetadataRecord>>;
  /** Everything else once per key, by the key ARN DescribeKey returned. */
  readonly #keyFacts: ScanCache<KeyFacts>;
  readonly #bucketRegions: ScanCache<Outcome<string>>;
  /**
   * One credentials check per account per scan: the check while it runs,
   * then its outcome; every success is the same object, so an account
   * whose credentials resolved costs its slot alone (the map lives until
   * the reports are made, for every account of a fleet).
   */
  readonly #access: AccountIdMap<Promise<Outcome<void>> | Outcome<void>>;

  constructor(
    private readonly aws: AwsAccess,
    private readonly trails: TrailReader,
    private readonly keys: KeyReader,
    private readonly buckets: BucketReader,
    private readonly options: ScanRunOptions,
    private readonly readers?: ReaderScan,
    spill?: Spill,
  ) {
    this.#ownedTrails = new ScanCache({ spill });
    this.#statuses = new ScanCache({ spill });
    this.#keyMetadata = new ScanCache({ spill });
    this.#keyFacts = new ScanCache({ spill });
    this.#bucketRegions = new ScanCache({ spill });
    // Sets of every account of the fleet, kept for the whole scan: held
    // outside the heap.
    this.#targets =
      options.accountIndex ?? new AccountIndex(options.accountIds);
    this.#access = new AccountIdMap(this.#targets);
    this.#trusted = new AccountIdSet([
      ...options.trustedAccountIds,
      ...options.accountIds,
    ]);
    this.#members = new AccountIdSet(options.organizationAccountIds);
  }

  /**
   * Reads an account's trails, their status, keys and buckets (each shared
   * look-up once per scan); an error report when the account cannot be read.
   */
  async collect(
    account: ScanAccount,
  ): Promise<CollectedAccount | AccountReport> {
    const { accountId } = account;
    const scannedAt = new Date().toISOString();
    const access = await this.#verifyAccess(accountId);
    if (!access.ok) {
      return buildErrorReport(
        account,
        scannedAt,
        `Could not obtain credentials for account ${accountId}: ${formatAwsError(
          access.error,
        )}`,
      );
    }
    try {
      const summaries = await this.trails.listTrails(accountId);
      const { records, unread, failures } = await this.#describe(
        accountId,
        summaries,
      );
      const facts = await Promise.all(
        records.map(trail => this.#trailFacts(accountId, trail)),
      );
      for (const f of facts) {
        if (f.status.ok) continue;
        failures.push({
          region: f.trail.homeRegion,
          reason: formatAwsError(f.status.error, 'GetTrailStatus'),
        });
      }
      return { account, scannedAt, facts, unread, failures };
    } catch (error) {
      return buildErrorReport(
        account,
        scannedAt,
        `Scan of account ${accountId} failed: ${formatAwsError(error)}`,
      );
    }
  }

  /** The account's report from what was read and the trails' readers. */
  report(
    collected: CollectedAccount,
    readers?: ReadonlyMap<string, ReaderResult>,
  ): AccountReport {
    return buildAccountReport(
      collected.account,
      collected.scannedAt,
      collected.facts,
      {
        trustedAccountIds: this.#trusted,
        organizationId: this.options.organizationId,
        organizationAccountIds: this.#members,
        unread: collected.unread,
        failedRegions: collected.failures,
        readers,
      },
    );
  }

  /** Why the scan cannot sign as an account, for readers left unresolved. */
  async unusableReason(accountId: string): Promise<string> {
    if (!this.#targets.has(accountId)) {
      return 'the account is not in the scanned estate (no credentials are configured for it)';
    }
    const access = await this.#verifyAccess(accountId);
    return access.ok
      ? 'the account could not be read'
      : `could not obtain credentials: ${formatAwsError(access.error)}`;
  }

  /**
   * DescribeTrails once per owned home Region; foreign trails once per scan.
   * A Region that fails keeps its trails as unread, named by ListTrails.
   */
  async #describe(
    accountId: string,
    summaries: TrailSummaryRecord[],
  ): Promise<Described> {
    const owned = summaries.filter(
      s => (accountIdFromArn(s.trailArn) ?? accountId) === accountId,
    );
    const foreign = summaries.filter(s => !owned.includes(s));
    const regions = [...new Set(owned.map(s => s.homeRegion))];
    const out: Described = { records: [], unread: [], failures: [] };

    const byRegion = new Map(
      await Promise.all(
        regions.map(async r => [r, await this.#ownedIn(accountId, r)] as const),
      ),
    );
    for (const [region, outcome] of byRegion) {
      if (!outcome.ok) {
        out.failures.push({ region, reason: formatAwsError(outcome.error) });
      }
    }
    for (const summary of owned) {
      const outcome = byRegion.get(summary.homeRegion)!;
      this.#place(out, summary, outcome, r =>
        r.find(t => t.trailArn === summary.trailArn),
      );
    }
    const foreignOutcomes = await Promise.all(
      foreign.map(s => this.#foreign(accountId, s.trailArn, s.homeRegion)),
    );
    foreign.forEach((summary, i) => {
      const outcome = foreignOutcomes[i];
      if (!outcome.ok) {
        out.failures.push({
          region: summary.homeRegion,
          reason: formatAwsError(outcome.error),
        });
      }
      this.#place(out, summary, outcome, r => r);
    });
    return out;
  }

  #place<T>(
    out: Described,
    summary: TrailSummaryRecord,
    outcome: Outcome<T>,
    pick: (value: T) => TrailRecord | undefined,
  ) {
    if (!outcome.ok) {
      out.unread.push({
        summary,
        error: formatAwsError(outcome.error, 'DescribeTrails'),
      });
      return;
    }
    const record = pick(outcome.value);
    if (record) out.records.push(record);
    else {
      out.unread.push({
        summary,
        error: `DescribeTrails in ${summary.homeRegion} did not return the trail`,
      });
    }
  }

  #ownedIn(accountId: string, region: string): Promise<Outcome<TrailRecord[]>> {
    return this.#ownedTrails.get(`${accountId}/${region}`, () =>
      settle(this.trails.describeTrails(accountId, region)),
    );
  }

  /**
   * An organization trail seen from a member account is read with its owner's
   * credentials when the owner is scanned too (so all members share one read),
   * otherwise through the member by ARN.
   */
  #foreign(
    viaAccountId: string,
    trailArn: string,
    homeRegion: string,
  ): Promise<Outcome<TrailRecord | undefined>> {
    return this.#foreignTrails.get(trailArn, async () => {
      const owner = accountIdFromArn(trailArn);
      if (owner && (await this.#canUse(owner))) {
        const ownerTrails = await this.#ownedIn(owner, homeRegion);
        const found = ownerTrails.ok
          ? ownerTrails.value.find(t => t.trailArn === trailArn)
          : undefined;
        if (found) return { ok: true, value: found };
      }
      return settle(
        this.trails
          .describeTrails(viaAccountId, homeRegion, [trailArn])
          .then(([record]) => record),
      );
    });
  }

  /**
   * Lets the trail, key and bucket look-ups go once every account is read:
   * what the reports need of them is in each account's facts, which then
   * go as each account is reported. Credentials checks stay.
   */
  releaseLookups(): void {
    this.#ownedTrails.clear();
    this.#foreignTrails.clear();
    this.#statuses.clear();
    this.#keyMetadata.clear();
    this.#keyFacts.clear();
    this.#bucketRegions.clear();
  }

  /** Accounts whose credentials this run resolved. */
  touchedAccounts(): string[] {
    return [...this.#access.keys()];
  }

  /** One credentials check per account per scan, success or failure. */
  #verifyAccess(accountId: string): Outcome<void> | Promise<Outcome<void>> {
    const known = this.#access.get(accountId);
    if (known) return known;
    const checking = settle(this.aws.verifyAccess(accountId)).then(outcome => {
      const settled = outcome.ok ? ACCESS_OK : outcome;
      if (this.#access.get(accountId) === checking) {
        this.#access.set(accountId, settled);
      }
      return settled;
    });
    this.#access.set(accountId, checking);
    return checking;
  }

  /** Whether the scan may sign as the account (configured, credentials resolved). */
  canUse(accountId: string): Promise<boolean> {
    return this.#canUse(accountId);
  }

  async #canUse(accountId: string): Promise<boolean> {
    if (!this.#targets.has(accountId)) return false;
    return (await this.#verifyAccess(accountId)).ok;
  }

  async #trailFacts(
    accountId: string,
    trail: TrailRecord,
  ): Promise<TrailFacts> {
    const reader = (await this.#canUse(trail.ownerAccountId))
      ? trail.ownerAccountId
      : accountId;
    const [status, bucketRegion, key] = await Promise.all([
      this.#statuses.get(trail.trailArn, () =>
        settle(
          this.trails.getTrailStatus(reader, trail.homeRegion, trail.trailArn),
        ),
      ),
      this.#bucketRegions.get(trail.s3BucketName, () =>
        settle(this.buckets.bucketRegion(reader, trail.s3BucketName)),
      ),
      trail.kmsKeyId ? this.#key(reader, trail.kmsKeyId) : undefined,
    ]);
    const facts = { trail, status, bucketRegion, key };
    // Started now so the bucket policy is read while other accounts are.
    this.readers?.startBucket(facts);
    return facts;
  }

  /**
   * The key is read in its own Region, with its owner's credentials when
   * scanned. DescribeKey resolves whatever the trail names (key ARN or alias
   * ARN) to the key ARN, under which everything else is read once.
   */
  async #key(readerAccountId: string, reference: string): Promise<KeyFacts> {
    const region = regionFromArn(reference) ?? 'us-east-1';
    const owner = accountIdFromArn(reference) ?? readerAccountId;
    const via = (await this.#canUse(owner)) ? owner : readerAccountId;
    const metadata = await this.#keyMetadata.get(reference, () =>
      settle(this.keys.describeKey(via, region, reference)),
    );
    const keyArn = (metadata.ok && metadata.value.Arn) || reference;
    return this.#keyFacts.get(keyArn, async () => {
      const facts: KeyFacts = {
        keyArn,
        region: regionFromArn(keyArn) ?? region,
        accountId: accountIdFromArn(keyArn) ?? owner,
        metadata,
      };
      if (!metadata.ok && describeAwsError(metadata.error).notFound) {
        return facts;
      }
      const [policy, rotation, grants] = await Promise.all([
        settle(this.keys.getKeyPolicy(via, region, keyArn)),
        settle(this.keys.getKeyRotationStatus(via, region, keyArn)),
        settle(this.keys.listGrants(via, region, keyArn)),
      ]);
      return { ...facts, policy, rotation, grants };
    });
  }
}
