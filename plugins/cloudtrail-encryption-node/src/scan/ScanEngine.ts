import type { KeyMetadata } from '@aws-sdk/client-kms';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import pLimit from 'p-limit';
import type { AwsClientFactory } from '../aws/AwsClientFactory';
import { accountIdFromArn, regionFromArn } from '../arn';
import { BucketReader } from '../aws/BucketReader';
import { describeAwsError, formatAwsError } from '../aws/errors';
import { KeyReader, type GrantRecord } from '../aws/KeyReader';
import {
  TrailReader,
  type TrailRecord,
  type TrailStatusRecord,
} from '../aws/TrailReader';
import { buildAccountReport, buildErrorReport } from './buildReport';
import { ScanCache, settle, type Outcome } from './ScanCache';

export interface ScanAccount {
  accountId: string;
  name?: string;
}

export interface ScanProgress {
  done: number;
  total: number;
  accountId: string;
  report: AccountReport;
}

export interface ScanEngineOptions {
  clients: AwsClientFactory;
  /** Accounts scanned at the same time. */
  concurrency?: number;
  /** Region for the Region-agnostic calls (ListTrails, HeadBucket). */
  defaultRegion?: string;
  /** Deadline of one AWS call including its retries, in milliseconds. */
  callTimeoutMs?: number;
}

export interface ScanOptions {
  onProgress?: (progress: ScanProgress) => void | Promise<void>;
  /** Keep reports in the returned array (default true). */
  collect?: boolean;
  /** Accounts whose decrypt access is not "cross-account" (e.g. the organization). */
  trustedAccountIds?: string[];
  /**
   * Other accounts whose credentials are configured, so that a key or
   * organization trail they own is read as its owner even when only some
   * accounts are scanned (a rescan of one account).
   */
  knownAccountIds?: string[];
}

/** Everything read about one KMS key. */
export interface KeyFacts {
  keyArn: string;
  region: string;
  accountId: string;
  metadata: Outcome<KeyMetadata>;
  policy?: Outcome<string>;
  rotation?: Outcome<boolean>;
  grants?: Outcome<GrantRecord[]>;
}

/** Everything read about one trail. */
export interface TrailFacts {
  trail: TrailRecord;
  status: Outcome<TrailStatusRecord>;
  bucketRegion: Outcome<string>;
  key?: KeyFacts;
}

/** The look-ups of one scan, shared by all its accounts. */
class ScanRun {
  readonly #targets: Set<string>;
  readonly #ownedTrails = new ScanCache<TrailRecord[]>();
  readonly #foreignTrails = new ScanCache<TrailRecord | undefined>();
  readonly #statuses = new ScanCache<Outcome<TrailStatusRecord>>();
  readonly #keyFacts = new ScanCache<KeyFacts>();
  readonly #bucketRegions = new ScanCache<Outcome<string>>();
  readonly #access = new ScanCache<Outcome<void>>();

  constructor(
    private readonly clients: AwsClientFactory,
    private readonly trails: TrailReader,
    private readonly keys: KeyReader,
    private readonly buckets: BucketReader,
    accountIds: string[],
    private readonly trustedAccountIds: string[],
  ) {
    this.#targets = new Set(accountIds);
  }

  async scanAccount(account: ScanAccount): Promise<AccountReport> {
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
      const records = await this.#describe(accountId, summaries);
      const facts = await Promise.all(
        records.map(trail => this.#trailFacts(accountId, trail)),
      );
      return buildAccountReport(account, scannedAt, facts, [
        ...this.trustedAccountIds,
        ...this.#targets,
      ]);
    } catch (error) {
      return buildErrorReport(
        account,
        scannedAt,
        `Scan of account ${accountId} failed: ${formatAwsError(error)}`,
      );
    }
  }

  /** DescribeTrails once per owned home Region; foreign trails once per scan. */
  async #describe(
    accountId: string,
    summaries: { trailArn: string; homeRegion: string }[],
  ): Promise<TrailRecord[]> {
    const owned = summaries.filter(
      s => (accountIdFromArn(s.trailArn) ?? accountId) === accountId,
    );
    const foreign = summaries.filter(s => !owned.includes(s));
    const regions = [...new Set(owned.map(s => s.homeRegion))];

    const ownedRecords = (
      await Promise.all(regions.map(r => this.#ownedIn(accountId, r)))
    ).flat();
    const wanted = new Set(owned.map(s => s.trailArn));
    const records = ownedRecords.filter(r => wanted.has(r.trailArn));

    const foreignRecords = await Promise.all(
      foreign.map(s => this.#foreign(accountId, s.trailArn, s.homeRegion)),
    );
    for (const record of foreignRecords) if (record) records.push(record);
    return records;
  }

  #ownedIn(accountId: string, region: string): Promise<TrailRecord[]> {
    return this.#ownedTrails.get(`${accountId}/${region}`, () =>
      this.trails.describeTrails(accountId, region),
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
  ): Promise<TrailRecord | undefined> {
    return this.#foreignTrails.get(trailArn, async () => {
      const owner = accountIdFromArn(trailArn);
      if (owner && (await this.#canUse(owner))) {
        try {
          const ownerTrails = await this.#ownedIn(owner, homeRegion);
          const found = ownerTrails.find(t => t.trailArn === trailArn);
          if (found) return found;
        } catch {
          // Fall back to reading it through the member account.
        }
      }
      const [record] = await this.trails.describeTrails(
        viaAccountId,
        homeRegion,
        [trailArn],
      );
      return record;
    });
  }

  /** Accounts whose credentials this run resolved. */
  touchedAccounts(): string[] {
    return this.#access.keys();
  }

  /** One credentials check per account per scan, success or failure. */
  #verifyAccess(accountId: string): Promise<Outcome<void>> {
    return this.#access.get(accountId, () =>
      settle(this.clients.verifyAccess(accountId)),
    );
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
    return { trail, status, bucketRegion, key };
  }

  /** The key is read in its own Region, with its owner's credentials when scanned. */
  #key(readerAccountId: string, keyArn: string): Promise<KeyFacts> {
    return this.#keyFacts.get(keyArn, async () => {
      const region = regionFromArn(keyArn) ?? 'us-east-1';
      const owner = accountIdFromArn(keyArn) ?? readerAccountId;
      const via = (await this.#canUse(owner)) ? owner : readerAccountId;
      const metadata = await settle(this.keys.describeKey(via, region, keyArn));
      const facts: KeyFacts = { keyArn, region, accountId: owner, metadata };
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

/**
 * Scans accounts with the minimal plan of AWS calls: one ListTrails per
 * account (it names the trails of every Region), DescribeTrails once per home
 * Region an account owns trails in, GetTrailStatus once per trail, and the
 * KMS and S3 look-ups once per distinct key and bucket across the whole scan.
 * A failure is confined to the account it belongs to.
 */
export class ScanEngine {
  readonly #clients: AwsClientFactory;
  readonly #trails: TrailReader;
  readonly #keys: KeyReader;
  readonly #buckets: BucketReader;
  readonly #concurrency: number;

  constructor(options: ScanEngineOptions) {
    const defaultRegion = options.defaultRegion ?? 'us-east-1';
    const callTimeoutMs = options.callTimeoutMs ?? 60_000;
    this.#clients = options.clients;
    this.#concurrency = Math.max(1, options.concurrency ?? 8);
    this.#trails = new TrailReader(this.#clients, {
      defaultRegion,
      callTimeoutMs,
    });
    this.#keys = new KeyReader(this.#clients, { callTimeoutMs });
    this.#buckets = new BucketReader(this.#clients, {
      defaultRegion,
      callTimeoutMs,
    });
  }

  async scan(
    accounts: ScanAccount[],
    options: ScanOptions = {},
  ): Promise<AccountReport[]> {
    const run = new ScanRun(
      this.#clients,
      this.#trails,
      this.#keys,
      this.#buckets,
      [...accounts.map(a => a.accountId), ...(options.knownAccountIds ?? [])],
      options.trustedAccountIds ?? [],
    );
    const limit = pLimit(this.#concurrency);
    const reports: AccountReport[] = [];
    let done = 0;
    try {
      await this.#scanAll(accounts, options, run, limit, reports, () => ++done);
    } finally {
      this.#clients.forget(run.touchedAccounts());
    }
    const order = new Map(accounts.map((a, i) => [a.accountId, i]));
    return reports.sort(
      (a, b) => order.get(a.accountId)! - order.get(b.accountId)!,
    );
  }

  async #scanAll(
    accounts: ScanAccount[],
    options: ScanOptions,
    run: ScanRun,
    limit: ReturnType<typeof pLimit>,
    reports: AccountReport[],
    next: () => number,
  ): Promise<void> {
    await Promise.all(
      accounts.map(account =>
        limit(async () => {
          const report = await run.scanAccount(account);
          this.#clients.release(account.accountId);
          const done = next();
          if (options.collect !== false) reports.push(report);
          await options.onProgress?.({
            done,
            total: accounts.length,
            accountId: account.accountId,
            report,
          });
        }),
      ),
    );
  }
}
