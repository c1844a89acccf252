import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import pMap from 'p-map';
import type { AwsAccess } from '../aws/AwsAccess';
import { AccountIndex } from '../policy/accountIdSet';
import { BucketPolicyReader } from '../aws/BucketPolicyReader';
import { BucketReader } from '../aws/BucketReader';
import { IamReader } from '../aws/IamReader';
import { KeyReader } from '../aws/KeyReader';
import { OrganizationPolicyReader } from '../aws/OrganizationPolicyReader';
import { TrailReader } from '../aws/TrailReader';
import type { ReaderResult, ScanAccount, TrailFacts } from './facts';
import { isSpilled, Spill, type Spilled } from './spill';
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
 * What an account's report is made from, spilled (see {@link Spill}) as one
 * value until the report is made. The facts of trails it does not own (an
 * organization trail seen from a member) are not copied into it: each is a
 * `null` in `facts`, kept once for all the accounts that show it (see
 * {@link WaitingAccount.shared}).
 */
interface WaitingBody extends Omit<CollectedAccount, 'facts'> {
  facts: (TrailFacts | null)[];
  /** The KMS-encrypted trails whose readers the report waits for. */
  trails: string[];
}

/**
 * An account whose report waits for the readers of its KMS-encrypted
 * trails. Thousands wait at once (every account that shows an organization
 * trail), so each keeps a spilled value, the facts it shares with other
 * accounts (one list for all the accounts showing the same trails), and,
 * until the scan's waiting lists are made from them, its trails.
 */
interface WaitingAccount {
  body: Spilled<WaitingBody>;
  /** The facts of trails it does not own, in the order of the `null`s of its body. */
  shared?: readonly TrailFacts[];
  /** Until {@link waitingAccounts} has listed the account under each. */
  trails?: string[];
  /**
   * Once listed: how many of its trails' readers it still waits for; -1
   * once reported. On the account rather than in a map of every account.
   */
  missing?: number;
  /**
   * A trail no other account waits for (most trails: an account's own) and
   * its readers, once analysed: spilled while the account waits for other
   * trails. A second such trail's readers are kept as a shared trail's.
   */
  ownTrail?: string;
  ownReaders?: ReaderResult | Spilled<ReaderResult>;
}

/**
 * The trails of one scan whose readers are analysed: each one's facts,
 * spilled once, as the first account showing it read them.
 */
type AnalysedTrails = Map<string, Spilled<TrailFacts>>;

/**
 * The lists of facts the waiting accounts share, by trail, for the usual
 * case of one trail an account does not own (the organization trail): the
 * accounts showing it read the same record, status, key and bucket Region
 * (the scan's look-ups), so they keep one list between them.
 */
type SharedLists = Map<string, readonly TrailFacts[]>;

const sameFacts = (a: TrailFacts, b: TrailFacts) =>
  a.trail === b.trail &&
  a.status === b.status &&
  a.bucketRegion === b.bucketRegion &&
  a.key === b.key;

function waitFor(
  c: CollectedAccount,
  analysed: AnalysedTrails,
  spill: Spill,
  sharedLists: SharedLists,
): WaitingAccount {
  const own = (f: TrailFacts) => f.trail.ownerAccountId === c.account.accountId;
  const trails = new Set<string>();
  const shared: TrailFacts[] = [];
  const facts = c.facts.map(f => {
    if (analysable(f)) {
      // The ARN string of the record read (shared by the accounts showing
      // a trail they do not own), not a copy.
      trails.add(f.trail.trailArn);
      if (!analysed.has(f.trail.trailArn)) {
        analysed.set(f.trail.trailArn, spill.put(f));
      }
    }
    if (own(f)) return f;
    shared.push(f);
    return null;
  });
  const waitedFor = [...trails];
  // Every field made here, so that each is in the object itself.
  const waiting: WaitingAccount = {
    body: spill.put<WaitingBody>({ ...c, facts, trails: waitedFor }),
    shared: undefined,
    trails: waitedFor,
    missing: 0,
    ownTrail: undefined,
    ownReaders: undefined,
  };
  if (shared.length === 1) {
    const arn = shared[0].trail.trailArn;
    const known = sharedLists.get(arn);
    if (known && sameFacts(known[0], shared[0])) waiting.shared = known;
    else {
      sharedLists.set(arn, shared);
      waiting.shared = shared;
    }
  } else if (shared.length) waiting.shared = shared;
  return waiting;
}

function collectedOf(
  w: WaitingAccount,
  spill: Spill,
): CollectedAccount & { trails: string[] } {
  const body = spill.get(w.body);
  let next = 0;
  return {
    ...body,
    facts: body.facts.map(f => f ?? w.shared![next++]),
  };
}

/**
 * Which accounts wait for which trail's readers; each account counts the
 * trails it waits for. The accounts are taken out of `collected`, so that
 * the lists hold each one until its trails are analysed and nothing after.
 * This is a function of its own because an async function keeps its locals
 * (a loop's list included) until it returns, which would keep every
 * account's facts until the last report. An account's own trail is waited
 * for by it alone: the account is its list. An account that waits for no
 * trail is in `none`.
 */
function waitingAccounts(collected: WaitingAccount[]): {
  waiting: Map<string, WaitingAccount | WaitingAccount[]>;
  none: WaitingAccount[];
} {
  const waiting = new Map<string, WaitingAccount | WaitingAccount[]>();
  const none: WaitingAccount[] = [];
  for (const c of collected.splice(0)) {
    const trails = c.trails ?? [];
    c.trails = undefined;
    c.missing = trails.length;
    if (!trails.length) none.push(c);
    for (const arn of trails) {
      const list = waiting.get(arn);
      if (list === undefined) waiting.set(arn, c);
      else if (Array.isArray(list)) list.push(c);
      else waiting.set(arn, [list, c]);
    }
  }
  return { waiting, none };
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
    // Every account's position, the scanned accounts first in their order:
    // what the run and the reader scan keep per account is kept by it.
    const index = new AccountIndex([
      ...scanned,
      ...(options.knownAccountIds ?? []),
    ]);
    const scannedAccount = (id: string): ScanAccount | undefined => {
      const i = index.indexOf(id);
      return i >= 0 && i < accounts.length ? accounts[i] : undefined;
    };
    const names = options.accountNames;
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
        accountIndex: index,
        accountNames: {
          get: id => scannedAccount(id)?.name ?? names?.get(id),
        },
        trustedAccountIds: [...new Set([...trustedAccountIds, ...known])],
        organizationId,
        organizationAccountIds,
        managementAccountId:
          options.managementAccountId ?? this.#managementAccountId,
        knownParents: {
          get: id => {
            const parents = scannedAccount(id)?.parentIds;
            return parents?.length ? parents : undefined;
          },
        },
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
        accountIndex: index,
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
    const { waiting, none } = waitingAccounts(collected);
    // The readers of a trail several accounts show live until each of them
    // is reported. Those of a trail one account waits for (most trails: an
    // account's own, waiting for the organization trail) go with it.
    const known = new Map<string, ReaderResult>();
    const users = new Map<string, number>();
    const report = async (w: WaitingAccount) => {
      w.missing = -1;
      const { trails, ...account } = collectedOf(w, spill);
      const { ownTrail, ownReaders } = w;
      w.ownTrail = w.ownReaders = undefined;
      const results = new Map<string, ReaderResult>();
      const own =
        ownReaders !== undefined && isSpilled(ownReaders)
          ? spill.get(ownReaders)
          : ownReaders;
      for (const arn of trails) {
        const result = arn === ownTrail ? own : known.get(arn);
        if (result) results.set(arn, result);
      }
      await emit(run.report(account, results));
      for (const arn of trails) {
        const left = users.get(arn);
        if (left === undefined) continue;
        if (left > 1) users.set(arn, left - 1);
        else {
          users.delete(arn);
          known.delete(arn);
        }
      }
    };
    try {
      await readers.analyseEach(analysed, async (trailArn, result) => {
        const list = waiting.get(trailArn) ?? [];
        const accounts = Array.isArray(list) ? list : [list];
        waiting.delete(trailArn);
        const alone = accounts.length === 1 ? accounts[0] : undefined;
        if (result && alone && alone.ownTrail === undefined) {
          alone.ownTrail = trailArn;
          alone.ownReaders = alone.missing! > 1 ? spill.put(result) : result;
        } else if (result) {
          known.set(trailArn, result);
          users.set(trailArn, accounts.length);
        }
        for (const w of accounts) {
          w.missing! -= 1;
          if (w.missing === 0) await report(w);
        }
      });
    } catch {
      // Reported below without the readers that were not analysed.
    }
    // Each account not reported still waits for a trail not analysed.
    for (const list of [...waiting.values(), none]) {
      for (const w of Array.isArray(list) ? list : [list]) {
        if (w.missing !== -1) await report(w);
      }
    }
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
    const sharedLists: SharedLists = new Map();
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
            collected.push(waitFor(result, analysed, spill, sharedLists));
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
