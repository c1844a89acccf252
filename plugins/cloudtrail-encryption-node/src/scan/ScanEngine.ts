import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import pMap from 'p-map';
import type { AwsAccess } from '../aws/AwsAccess';
import { BucketPolicyReader } from '../aws/BucketPolicyReader';
import { BucketReader } from '../aws/BucketReader';
import { IamReader } from '../aws/IamReader';
import { KeyReader } from '../aws/KeyReader';
import { OrganizationPolicyReader } from '../aws/OrganizationPolicyReader';
import { TrailReader } from '../aws/TrailReader';
import type { ReaderResult, ScanAccount, TrailFacts } from './facts';
import { Spill, type Spilled } from './spill';
import { analysable } from './readerBatch';
import { ReaderScan } from './ReaderScan';
import { ScanRun, type CollectedAccount } from './ScanRun';

export type { KeyFacts, ScanAccount, TrailFacts } from './facts';

/** @public */
export interface ScanProgress {
  done: number;
  total: number;
  accountId: string;
  report: AccountReport;
}

/** @public */
export interface ScanEngineOptions {
  aws: AwsAccess;
  /** Accounts scanned at the same time. */
  concurrency?: number;
  /** Region for the Region-agnostic calls (ListTrails, HeadBucket). */
  defaultRegion?: string;
  /** Deadline of one AWS call including its retries, in milliseconds. */
  callTimeoutMs?: number;
  /**
   * The organization's management (or delegated administrator) account,
   * whose scan role reads the SCPs and RCPs; without it (and without
   * {@link ScanOptions.managementAccountId}) guardrails are not read.
   */
  managementAccountId?: string;
  /**
   * Where a scan keeps what waits for the readers analysis (see the spill
   * file in docs/scaling.md); default the system's temporary directory.
   */
  spillDirectory?: string;
}

/** @public */
export interface ScanOptions {
  onProgress?: (progress: ScanProgress) => void | Promise<void>;
  /**
   * Called as each account's trails, keys and buckets have been read. The
   * report of an account with a KMS-encrypted trail (`onProgress`) follows
   * once every account is read, because who can read a trail's logs may
   * depend on other accounts' IAM; this is the progress people watching a
   * long scan see in the meantime.
   */
  onAccountRead?: (progress: {
    done: number;
    total: number;
    accountId: string;
  }) => void;
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
  /**
   * Names of accounts beyond the scanned ones (the estate's), so that a
   * reader in another account is named even by a rescan of one account.
   */
  accountNames?: ReadonlyMap<string, string>;
  /** Overrides {@link ScanEngineOptions.managementAccountId} (the estate read names it). */
  managementAccountId?: string;
}

/**
 * An account whose report waits for the readers of its KMS-encrypted trails.
 * The facts of its own trails are spilled (see {@link Spill}) until its
 * report is made; those of trails it does not own (an organization trail
 * seen from a member) are one object for all the accounts that see them.
 */
interface WaitingAccount extends Omit<CollectedAccount, 'facts'> {
  facts: (TrailFacts | Spilled<TrailFacts>)[];
  /** The KMS-encrypted trails whose readers the report waits for. */
  trails: string[];
}

/**
 * The trails of one scan whose readers are analysed: each one's facts,
 * spilled once, as the first account showing it read them.
 */
type AnalysedTrails = Map<string, Spilled<TrailFacts>>;

function waitFor(
  c: CollectedAccount,
  analysed: AnalysedTrails,
  spill: Spill,
): WaitingAccount {
  const own = (f: TrailFacts) => f.trail.ownerAccountId === c.account.accountId;
  const trails = new Set<string>();
  const facts = c.facts.map(f => {
    const kept = own(f) ? spill.put(f) : f;
    if (analysable(f)) {
      // The ARN string of the record read (shared by the accounts showing
      // a trail they do not own), not a copy.
      trails.add(f.trail.trailArn);
      if (!analysed.has(f.trail.trailArn)) {
        analysed.set(f.trail.trailArn, isFacts(kept) ? spill.put(f) : kept);
      }
    }
    return kept;
  });
  return { ...c, facts, trails: [...trails] };
}

function isFacts(f: TrailFacts | Spilled<TrailFacts>): f is TrailFacts {
  return typeof f === 'object' && !Buffer.isBuffer(f);
}

function collectedOf(w: WaitingAccount, spill: Spill): CollectedAccount {
  const { trails: _, ...c } = w;
  return { ...c, facts: w.facts.map(f => (isFacts(f) ? f : spill.get(f))) };
}

/**
 * Which accounts wait for which trail's readers, and for how many trails
 * each. The accounts are taken out of `collected`, so that these maps hold
 * each one until it is reported and nothing after. This is a function of
 * its own because an async function keeps its locals (a loop's list
 * included) until it returns, which would keep every account's facts until
 * the last report.
 */
function waitingAccounts(collected: WaitingAccount[]): {
  waiting: Map<string, WaitingAccount[]>;
  missing: Map<WaitingAccount, number>;
} {
  const waiting = new Map<string, WaitingAccount[]>();
  const missing = new Map<WaitingAccount, number>();
  for (const c of collected.splice(0)) {
    missing.set(c, c.trails.length);
    for (const arn of c.trails) {
      const list = waiting.get(arn) ?? [];
      list.push(c);
      waiting.set(arn, list);
    }
  }
  return { waiting, missing };
}

/**
 * Scans accounts with the minimal plan of AWS calls: one ListTrails per
 * account (it names the trails of every Region), DescribeTrails once per home
 * Region an account owns trails in, GetTrailStatus once per trail, and the
 * KMS and S3 look-ups once per distinct key and bucket across the whole scan.
 * Then the readers: IAM once per account a key or bucket policy lets in, and
 * the organization's guardrails once. A failure is confined to the account
 * it belongs to.
 *
 * An account without a KMS-encrypted trail is reported as soon as it is
 * read. The others wait until every account's trails are read, because a
 * trail's readers may live in any account (an organization trail whose key
 * admits the organization); until then only the compact facts are kept.
 * Each is then reported as soon as the readers of its trails are known, and
 * its facts let go.
 *
 * @public
 */
export class ScanEngine {
  readonly #aws: AwsAccess;
  readonly #trails: TrailReader;
  readonly #keys: KeyReader;
  readonly #buckets: BucketReader;
  readonly #iam: IamReader;
  readonly #bucketPolicies: BucketPolicyReader;
  readonly #orgPolicies: OrganizationPolicyReader;
  readonly #concurrency: number;
  readonly #defaultRegion: string;
  readonly #managementAccountId?: string;
  readonly #spillDirectory?: string;

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
    this.#iam = new IamReader(this.#aws, { callTimeoutMs });
    this.#bucketPolicies = new BucketPolicyReader(this.#aws, { callTimeoutMs });
    this.#orgPolicies = new OrganizationPolicyReader(this.#aws, {
      callTimeoutMs,
    });
    this.#defaultRegion = defaultRegion;
    this.#managementAccountId = options.managementAccountId;
    this.#spillDirectory = options.spillDirectory;
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
    const scanned = accounts.map(a => a.accountId);
    const known = [
      ...new Set([...scanned, ...(options.knownAccountIds ?? [])]),
    ];
    const organizationAccountIds = [
      ...new Set([...members, ...(options.organizationAccountIds ?? [])]),
    ];
    const trustedAccountIds = options.trustedAccountIds ?? [];
    // The run and the reader scan refer to each other: the readers sign as
    // the accounts whose credentials the run resolved.
    const link: { run?: ScanRun } = {};
    const spill = new Spill({ directory: this.#spillDirectory });
    const readers = new ReaderScan(
      this.#iam,
      this.#bucketPolicies,
      this.#orgPolicies,
      {
        canUse: id => link.run!.canUse(id),
        unusableReason: id => link.run!.unusableReason(id),
        scannedAccountIds: scanned,
        accountNames: new Map([
          ...(options.accountNames ?? []),
          ...accounts.flatMap(a =>
            a.name ? [[a.accountId, a.name] as [string, string]] : [],
          ),
        ]),
        trustedAccountIds: [...new Set([...trustedAccountIds, ...known])],
        organizationId,
        organizationAccountIds,
        managementAccountId:
          options.managementAccountId ?? this.#managementAccountId,
        knownParents: new Map(
          accounts.flatMap(a =>
            a.parentIds?.length ? [[a.accountId, a.parentIds]] : [],
          ),
        ),
        defaultRegion: this.#defaultRegion,
        // As many as may be in flight: the reads are small and the limiter
        // on requests bounds the rest.
        iamConcurrency: this.#aws.options.maxInFlight,
        spill,
        // Its session is assumed again by the next scan in any case.
        release: id => this.#aws.forget([id]),
      },
    );
    const run = new ScanRun(
      this.#aws,
      this.#trails,
      this.#keys,
      this.#buckets,
      {
        accountIds: known,
        trustedAccountIds,
        organizationId,
        organizationAccountIds,
      },
      readers,
      spill,
    );
    link.run = run;
    const reports: AccountReport[] = [];
    let done = 0;
    const emit = async (report: AccountReport) => {
      const count = ++done;
      if (options.collect !== false) reports.push(report);
      await options.onProgress?.({
        done: count,
        total: accounts.length,
        accountId: report.accountId,
        report,
      });
    };
    try {
      readers.start();
      let read = 0;
      const { collected, analysed } = await this.#collectAll(
        accounts,
        run,
        readers,
        spill,
        emit,
        accountId =>
          options.onAccountRead?.({
            done: ++read,
            total: accounts.length,
            accountId,
          }),
      );
      run.releaseLookups();
      await this.#reportAll(collected, analysed, run, readers, spill, emit);
    } finally {
      this.#aws.forget(run.touchedAccounts());
      spill.close();
    }
    const order = new Map(accounts.map((a, i) => [a.accountId, i]));
    return reports.sort(
      (a, b) => order.get(a.accountId)! - order.get(b.accountId)!,
    );
  }

  /**
   * Reports each account once the readers of all its KMS-encrypted trails
   * are known, and lets its facts and those readers go. Readers are an
   * addition: should their analysis fail as a whole, the accounts not yet
   * reported go out with what the trails and keys said.
   */
  async #reportAll(
    collected: WaitingAccount[],
    analysed: AnalysedTrails,
    run: ScanRun,
    readers: ReaderScan,
    spill: Spill,
    emit: (report: AccountReport) => Promise<void>,
  ): Promise<void> {
    const { waiting, missing } = waitingAccounts(collected);
    // A trail's readers live until every account showing it is reported;
    // spilled while a single account waits for them and for other trails
    // (most trails: an account's own, waiting for the organization trail).
    const known = new Map<string, ReaderResult>();
    const held = new Map<string, Spilled<ReaderResult>>();
    const users = new Map<string, number>();
    const report = async (w: WaitingAccount) => {
      missing.delete(w);
      const results = new Map<string, ReaderResult>();
      for (const arn of w.trails) {
        const spilled = held.get(arn);
        const result =
          spilled !== undefined ? spill.get(spilled) : known.get(arn);
        if (result) results.set(arn, result);
      }
      await emit(run.report(collectedOf(w, spill), results));
      for (const arn of w.trails) {
        const left = (users.get(arn) ?? 0) - 1;
        if (left > 0) users.set(arn, left);
        else {
          users.delete(arn);
          known.delete(arn);
          held.delete(arn);
        }
      }
    };
    try {
      await readers.analyseEach(analysed, async (trailArn, result) => {
        const accounts = waiting.get(trailArn) ?? [];
        waiting.delete(trailArn);
        if (result) {
          if (accounts.length === 1 && missing.get(accounts[0])! > 1) {
            held.set(trailArn, spill.put(result));
          } else known.set(trailArn, result);
          users.set(trailArn, accounts.length);
        }
        for (const w of accounts) {
          const left = missing.get(w)! - 1;
          missing.set(w, left);
          if (left === 0) await report(w);
        }
      });
    } catch {
      // Reported below without the readers that were not analysed.
    }
    for (const w of [...missing.keys()]) await report(w);
  }

  /** Reads every account; an account that cannot be read is reported at once. */
  async #collectAll(
    accounts: ScanAccount[],
    run: ScanRun,
    readers: ReaderScan,
    spill: Spill,
    emit: (report: AccountReport) => Promise<void>,
    read: (accountId: string) => void,
  ): Promise<{ collected: WaitingAccount[]; analysed: AnalysedTrails }> {
    const collected: WaitingAccount[] = [];
    const analysed: AnalysedTrails = new Map();
    let started = false;
    let tail = false;
    // p-map takes the accounts as it goes: nothing is made per account
    // before its turn (p-limit would hold a closure and a promise for each
    // of thousands from the start).
    await pMap(
      accounts,
      async (account, index) => {
        if (index === accounts.length - 1) started = true;
        const result = await run.collect(account);
        read(account.accountId);
        if (!('facts' in result)) await emit(result);
        else {
          readers.readAhead(account.accountId, result.facts);
          // Without a KMS-encrypted trail to analyse, nothing in the
          // report waits for other accounts.
          if (result.facts.some(analysable)) {
            collected.push(waitFor(result, analysed, spill));
          } else await emit(run.report(result));
        }
        // Every account has started: the trails no read-ahead took (the
        // spill holding them in memory) are planned now, as requests in
        // flight thin out.
        if (!tail && started) {
          tail = true;
          readers.prefetch(analysed);
        }
      },
      { concurrency: this.#concurrency },
    );
    return { collected, analysed };
  }
}
