import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import pLimit from 'p-limit';
import type { AwsAccess } from '../aws/AwsAccess';
import { BucketReader } from '../aws/BucketReader';
import { KeyReader } from '../aws/KeyReader';
import { TrailReader } from '../aws/TrailReader';
import type { ScanAccount } from './facts';
import { ScanRun } from './ScanRun';

export type { KeyFacts, ScanAccount, TrailFacts } from './facts';

export interface ScanProgress {
  done: number;
  total: number;
  accountId: string;
  report: AccountReport;
}

export interface ScanEngineOptions {
  aws: AwsAccess;
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
  /**
   * Accounts whose decrypt access is not "cross-account": the estate's
   * accounts and the configured trusted accounts. The scanned accounts are
   * always trusted.
   */
  trustedAccountIds?: string[];
  /**
   * The estate's organization id, which decides aws:PrincipalOrgID,
   * aws:PrincipalOrgPaths, aws:ResourceOrgID and aws:SourceOrgID. Unset
   * (accounts mode), a decrypt grant pinned to an organization is unverified.
   */
  organizationId?: string;
  /**
   * Members of that organization besides the scanned accounts whose
   * membership says so (a rescan of one account names the others here).
   */
  organizationAccountIds?: string[];
  /**
   * Other accounts whose credentials are configured, so that a key or
   * organization trail they own is read as its owner even when only some
   * accounts are scanned (a rescan of one account).
   */
  knownAccountIds?: string[];
}

/**
 * Scans accounts with the minimal plan of AWS calls: one ListTrails per
 * account (it names the trails of every Region), DescribeTrails once per home
 * Region an account owns trails in, GetTrailStatus once per trail, and the
 * KMS and S3 look-ups once per distinct key and bucket across the whole scan.
 * A failure is confined to the account it belongs to.
 */
export class ScanEngine {
  readonly #aws: AwsAccess;
  readonly #trails: TrailReader;
  readonly #keys: KeyReader;
  readonly #buckets: BucketReader;
  readonly #concurrency: number;

  constructor(options: ScanEngineOptions) {
    const defaultRegion = options.defaultRegion ?? 'us-east-1';
    const callTimeoutMs = options.callTimeoutMs ?? 60_000;
    this.#aws = options.aws;
    this.#concurrency = Math.max(1, options.concurrency ?? 8);
    this.#trails = new TrailReader(this.#aws, {
      defaultRegion,
      callTimeoutMs,
    });
    this.#keys = new KeyReader(this.#aws, { callTimeoutMs });
    this.#buckets = new BucketReader(this.#aws, {
      defaultRegion,
      callTimeoutMs,
    });
  }

  async scan(
    accounts: ScanAccount[],
    options: ScanOptions = {},
  ): Promise<AccountReport[]> {
    const organizationId = options.organizationId;
    const members = organizationId
      ? accounts
          .filter(
            a =>
              a.membership?.source === 'organization' &&
              (a.membership.organizationId ?? organizationId) ===
                organizationId,
          )
          .map(a => a.accountId)
      : [];
    const run = new ScanRun(
      this.#aws,
      this.#trails,
      this.#keys,
      this.#buckets,
      {
        accountIds: [
          ...accounts.map(a => a.accountId),
          ...(options.knownAccountIds ?? []),
        ],
        trustedAccountIds: options.trustedAccountIds ?? [],
        organizationId,
        organizationAccountIds: [
          ...new Set([...members, ...(options.organizationAccountIds ?? [])]),
        ],
      },
    );
    const limit = pLimit(this.#concurrency);
    const reports: AccountReport[] = [];
    let done = 0;
    try {
      await this.#scanAll(accounts, options, run, limit, reports, () => ++done);
    } finally {
      this.#aws.forget(run.touchedAccounts());
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
