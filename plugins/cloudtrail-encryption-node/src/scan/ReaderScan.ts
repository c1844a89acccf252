import pMap from 'p-map';
import type { BucketPolicyReader } from '../aws/BucketPolicyReader';
import { describeAwsError, formatAwsError } from '../aws/errors';
import type { IamReader } from '../aws/IamReader';
import type {
  OrganizationPolicyReader,
  OrganizationPolicyRecord,
} from '../aws/OrganizationPolicyReader';
import type { OrganizationPolicies, ReaderAccountInput } from '../readers';
import { readerFindings } from '../readers/findings';
import {
  AccountIdMap,
  AccountIdSet,
  AccountIndex,
} from '../policy/accountIdSet';
import { EventLoopTurns } from './eventLoopTurns';
import { mergedReaderResult } from './mergeReaders';
import { ScanCache, settle, type Outcome } from './ScanCache';
import { isSpilled, type Spill, type Spilled } from './spill';
import type { BucketFacts, ReaderResult, TrailFacts } from './facts';
import {
  analysable,
  analyseAccount,
  analyseBatch,
  closeAnalysis,
  parsed,
  plan,
  type ReaderContext,
  type ResolvedAccounts,
} from './readerBatch';

export interface ReaderScanOptions {
  /** Whether the scan may sign as this account (scanned or known, credentials resolved). */
  canUse: (accountId: string) => Promise<boolean>;
  /** Why an account's IAM cannot be read without trying (no credentials). */
  unusableReason: (accountId: string) => Promise<string>;
  /** The accounts scanned in this run: "every account" when the organization is admitted. */
  scannedAccountIds: string[];
  /**
   * An index of the scanned accounts, in their order (others may follow),
   * when the caller has one to share.
   */
  accountIndex?: AccountIndex;
  /** Names by account: a look-up, so that the scan's own accounts need no map of their own. */
  accountNames: Pick<ReadonlyMap<string, string>, 'get'>;
  trustedAccountIds: string[];
  organizationId?: string;
  organizationAccountIds: string[];
  managementAccountId?: string;
  /** Parents (root first) the estate read already knows, by account. */
  knownParents: Pick<ReadonlyMap<string, string[]>, 'get'>;
  defaultRegion: string;
  /** Accounts whose IAM is read at once (each one's details live until analysed). */
  iamConcurrency?: number;
  /** Where the scan keeps what waits (bucket policies, trails' plans). */
  spill: Spill;
  /**
   * Lets go of what the scan holds to sign as an account (its credentials):
   * called once nothing more is to be read as it.
   */
  release?: (accountId: string) => void;
}

/** A KMS-encrypted trail, planned: the accounts whose IAM it needs. */
interface TrailPlan extends TrailNeeds {
  trailArn: string;
  /**
   * The trail's facts and its log bucket's policy as read, spilled (see
   * Spill) until the trail's context is made: the scan's look-up lets the
   * bucket go once every trail is planned.
   */
  facts: Spilled<TrailFacts>;
  /** Made when the first of its accounts is read. */
  context?: Promise<ReaderContext>;
}

/** A plan waiting for an account's IAM: spilled when that account alone needs it. */
type Needed = TrailPlan | Spilled<TrailPlan>;

/** What planning a trail found, without its facts (see ReaderScan.readAhead). */
interface TrailNeeds {
  bucket: Spilled<BucketFacts>;
  /** As {@link ReaderContext.accountIds}. */
  accountIds: string[];
  namedAccountIds: string[];
  wholeOrganization: boolean;
  keyAccountId: string;
  bucketOwnerAccountId?: string;
  /** IAM reads the trail waits for. */
  remaining: number;
}

/**
 * Sorts account ids in the scan's order, the others after them by id: the
 * scan's index gives each scanned account's place (its first
 * `scannedCount` positions are the scanned accounts, in order).
 */
function sortInScanOrder(
  ids: string[],
  index: AccountIndex,
  scannedCount: number,
): void {
  const rank = (id: string) => {
    const i = index.indexOf(id);
    return i >= 0 && i < scannedCount ? i : scannedCount;
  };
  ids.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** IAM reads at once by default: each account's details live until analysed. */
const IAM_CONCURRENCY = 16;
/**
 * Trails admitting the organization analysed at once, in one pass over the
 * accounts: each holds about 25 kB (its parsed policies, its analysis and
 * the readers it has not handed over) until every account has been given
 * to it.
 */
export const WHOLE_ORGANIZATION_GROUP = 64;
/**
 * Accounts whose IAM may be read ahead of the analysis when the spill keeps
 * it in memory (see ReaderScan.readAhead); with the spill file, each costs
 * a reference.
 */
const PREFETCH_LIMIT = 1024;

/**
 * The reader half of one scan: bucket policies once per bucket, the
 * organization's SCPs and RCPs once, IAM authorization details once per
 * account that a key or bucket policy lets in, and the analysis of every
 * KMS-encrypted trail against them.
 */
export class ReaderScan {
  /** Spilled: each bucket's policy is held until its last trail is planned. */
  readonly #buckets: ScanCache<BucketFacts>;
  readonly #parents = new ScanCache<Outcome<string | undefined>>();
  #organization?: Promise<Outcome<OrganizationPolicyRecord[]> | undefined>;
  /**
   * IAM read ahead of the analysis, spilled until it takes it: the read
   * while it runs, then only where it was spilled (an account's entry is
   * held until the analysis gets to it, for every account of a fleet).
   */
  readonly #iam: AccountIdMap<
    Promise<Spilled<ReaderAccountInput>> | Spilled<ReaderAccountInput>
  >;
  /**
   * The trails planned ahead, each with what its planning found (spilled),
   * so that the analysis does not plan it again: the planning while it is
   * under way, null when the analysis is to plan the trail itself (its
   * planning failed and the analysis reports why).
   */
  readonly #plannedAhead = new Map<
    string,
    Promise<Spilled<TrailNeeds> | undefined> | Spilled<TrailNeeds> | null
  >();
  /** Trails being planned for the reads ahead. */
  #planning = 0;
  /** A trail planned so far admits the organization: every account's IAM is needed. */
  #wholeOrganization = false;
  /** The analysis has begun: it reads what was not read ahead itself. */
  #analysing = false;
  /** The scan's accounts by position: what is kept per account is kept by it. */
  readonly #index: AccountIndex;
  /** The scanned accounts, in the scan's order: the index's first positions. */
  readonly #scanned: ReadonlySet<string>;

  constructor(
    private readonly iam: IamReader,
    private readonly bucketPolicies: BucketPolicyReader,
    private readonly orgPolicies: OrganizationPolicyReader,
    private readonly options: ReaderScanOptions,
  ) {
    this.#buckets = new ScanCache({ spill: options.spill, copies: true });
    this.#index =
      options.accountIndex ?? new AccountIndex(options.scannedAccountIds);
    this.#scanned = this.#index.first(options.scannedAccountIds.length);
    this.#iam = new AccountIdMap(this.#index);
  }

  /** Starts reading the guardrails, so they overlap the trail reads. */
  start(): void {
    const { managementAccountId, organizationId } = this.options;
    if (!managementAccountId || !organizationId || this.#organization) return;
    this.#organization = settle(this.orgPolicies.policies(managementAccountId));
  }

  /**
   * The log bucket's policy, read with its owner's credentials: first the
   * trail owner's, then the key's account, each with ExpectedBucketOwner,
   * so that S3 answers only its owner.
   */
  #bucket(facts: TrailFacts): Promise<BucketFacts> | undefined {
    // Asked only for trails known to be analysable (their facts may be
    // copies read back from the spill, for which analysable would parse the
    // key policy again).
    if (!facts.key) return undefined;
    return this.#buckets.get(facts.trail.s3BucketName, () =>
      this.#readBucket(facts),
    );
  }

  /** Starts reading the trail's bucket policy, so that it overlaps the other reads. */
  startBucket(facts: TrailFacts): void {
    if (!analysable(facts)) return;
    this.#buckets.start(facts.trail.s3BucketName, () =>
      this.#readBucket(facts),
    );
  }

  async #readBucket(facts: TrailFacts): Promise<BucketFacts> {
    const keyAccount = facts.key!.accountId;
    const region = facts.bucketRegion.ok
      ? facts.bucketRegion.value
      : this.options.defaultRegion;
    const bucket = facts.trail.s3BucketName;
    const candidates = [...new Set([facts.trail.ownerAccountId, keyAccount])];
    for (const accountId of candidates) {
      if (!(await this.options.canUse(accountId))) continue;
      const policy = await settle(
        this.bucketPolicies.bucketPolicy(accountId, region, bucket),
      );
      if (!policy.ok && describeAwsError(policy.error).accessDenied) {
        continue;
      }
      if (!policy.ok) {
        return {
          policyError: formatAwsError(policy.error, 'GetBucketPolicy'),
        };
      }
      const publicAccessBlock = await settle(
        this.bucketPolicies.publicAccessBlock(accountId, region, bucket),
      );
      return {
        ownerAccountId: accountId,
        policy: policy.value,
        publicAccessBlock,
      };
    }
    return {
      policyError: `Bucket ${bucket} is owned by neither the trail's account nor the key's account (${candidates.join(
        ', ',
      )}) among the scanned accounts, so its policy could not be read`,
    };
  }

  /**
   * Analyses the readers of every KMS-encrypted trail the facts name, once
   * per trail. IAM is read once per account across all trails; an account's
   * details live only until every trail that needs them is analysed. Each
   * trail's readers are handed over as soon as the IAM of all its accounts
   * is analysed (a trail whose key admits one account is done when that
   * account is), so that the reports waiting for it need not wait for the
   * whole organization. A trail whose policies
   * cannot be planned is handed over without readers. Nothing is kept once
   * handed over. Run once per scan: it lets the scan's bucket look-ups go.
   */
  async analyseEach(
    trails: Map<string, Spilled<TrailFacts>>,
    onTrail: (
      trailArn: string,
      result: ReaderResult | undefined,
    ) => void | Promise<void>,
  ): Promise<void> {
    this.#analysing = true;
    const turns = new EventLoopTurns();
    const scanned = this.#scanned;
    const { plans, unplanned, resolvedFor } = await this.#plans(trails, turns);
    // Every bucket policy has been read and is held by the plans that need
    // it, so each goes with the last trail that uses it.
    this.#buckets.clear();
    for (const trailArn of unplanned) await onTrail(trailArn, undefined);
    // The accounts each trail needs beyond the scanned ones; a trail that
    // admits the organization needs every scanned account too, which is
    // not written out per trail (trails × accounts). Most trails wait for
    // one account, their own: such a plan is taken once, when that account
    // is analysed, so it waits in the spill (about 400 bytes on the heap
    // each, for every account of a fleet, at the start of the analysis).
    // A plan that several accounts share stays an object: they count down
    // its `remaining` and share its context.
    const { spill } = this.options;
    const needers = new AccountIdMap<Needed | Needed[]>(this.#index);
    // The accounts besides the scanned ones that trails admitting the
    // organization name (given to them in the passes after the first, below).
    const wholeNamed = new Set<string>();
    for (const p of plans) {
      if (p.wholeOrganization) {
        for (const id of p.accountIds) wholeNamed.add(id);
        continue;
      }
      const alone = p.remaining === 1 && p.accountIds.length === 1;
      const entry: Needed = alone ? spill.put(p) : p;
      for (const id of p.accountIds) {
        const known = needers.get(id);
        if (known === undefined) needers.set(id, entry);
        else if (Array.isArray(known)) known.push(entry);
        else needers.set(id, [known, entry]);
      }
    }
    const whole = plans.filter(p => p.wholeOrganization);
    const organization = await this.#organizationFor(
      plans,
      whole.length ? scanned : undefined,
    );
    // A trail's parsed policies live only while it waits for IAM: from the
    // first of its accounts read to the last (a trail that admits the
    // organization, the whole read), not from the start of the analysis.
    const open = new Set<ReaderContext>();
    const contextOf = (p: TrailPlan): Promise<ReaderContext> =>
      (p.context ??= this.#contextOf(p, resolvedFor(p), organization).then(
        ctx => {
          open.add(ctx);
          return ctx;
        },
      ));
    const finish = async (ctx: ReaderContext) => {
      open.delete(ctx);
      closeAnalysis(ctx);
      const result = mergedReaderResult(ctx, merged =>
        readerFindings({ ...ctx.input, accounts: [] }, merged),
      );
      ctx.results.length = 0;
      ctx.spilled = undefined;
      await onTrail(ctx.trailArn, result);
    };
    // The plans that wait for IAM are held by `needers` alone from here, so
    // that each goes with its last account. (A `for…of` over the list would
    // keep all of them, and their trails' facts, until this function
    // returns: an async function keeps its locals until then.)
    const ready = plans.filter(p => p.remaining === 0).reverse();
    plans.length = 0;
    for (let p = ready.pop(); p; p = ready.pop()) {
      const ctx = await contextOf(p);
      analyseBatch(ctx);
      await finish(ctx);
    }
    // Passes over the accounts: first the trails bounded to a few accounts
    // (most trails: their own account's), then those that admit the
    // organization, a group of them per pass. The latter's contexts live
    // through a whole pass; made beside thousands of short-lived ones, they
    // had V8 make the short-lived ones in its old generation too (it
    // tenures what an allocation site makes once most of it outlives a
    // scavenge), where they stayed until the next full collection. An
    // account several passes need has its IAM taken from the spill in each.
    /** The group of trails admitting the organization under way, once the first pass is done. */
    let wholeContexts: ReaderContext[] = [];
    /** What the group's trails name besides the scanned accounts, by account. */
    let wholeNeeders = new Map<string, TrailPlan[]>();
    const anyWhole = whole.length > 0;
    /** Whether a pass after the first needs the account. */
    const neededLater = (accountId: string) =>
      wholeNamed.has(accountId) || (anyWhole && scanned.has(accountId));
    // Each account's IAM goes to its trails in the scan's order of
    // accounts, one account at a time, whatever order the reads complete
    // in: a trail that admits the organization is given its accounts one
    // at a time and lists its first partial readers, so its report must
    // not depend on which read answered first. Only the reads not made
    // ahead wait on AWS (as many at once as may be in flight); what was
    // read ahead is taken from the spill when its turn comes, so few
    // analyses are in progress.
    const first = [...needers.keys()];
    const scannedCount = this.options.scannedAccountIds.length;
    sortInScanOrder(first, this.#index, scannedCount);
    const analyse = async (
      accountId: string,
      input: ReaderAccountInput,
      organizationWide: boolean,
    ): Promise<void> => {
      let entries: Needed[];
      if (organizationWide) {
        entries = wholeNeeders.get(accountId) ?? [];
        wholeNeeders.delete(accountId);
      } else {
        const entry = needers.get(accountId) ?? [];
        needers.delete(accountId);
        entries = Array.isArray(entry) ? entry : [entry];
      }
      const named = await Promise.all(
        entries.map(n => contextOf(isSpilled(n) ? spill.get(n) : n)),
      );
      const done: ReaderContext[] = [];
      const give = (ctx: ReaderContext) => {
        ctx.remaining -= 1;
        // A bounded trail is analysed once, with all its accounts; one
        // that admits the organization, an account at a time as it comes.
        if (ctx.wholeOrganization) analyseAccount(ctx, input);
        else {
          ctx.pending.push(input);
          if (ctx.remaining === 0) analyseBatch(ctx);
        }
        if (ctx.remaining === 0) done.push(ctx);
      };
      // The trails that admit the organization are given every scanned
      // account without a list of them per account (such a list, hundreds
      // of trails long, would be made for every account).
      named.forEach(give);
      if (organizationWide && scanned.has(accountId)) {
        wholeContexts.forEach(give);
      }
      for (const ctx of done) await finish(ctx);
    };
    const pass = async (
      ids: string[],
      organizationWide: boolean,
      keep: (accountId: string) => boolean,
    ) => {
      const turnsOf = new Map<number, () => Promise<void>>();
      let next = 0;
      let handed: Promise<void> = Promise.resolve();
      const inOrder = (index: number, work: () => Promise<void>) => {
        turnsOf.set(index, work);
        for (let w = turnsOf.get(next); w; w = turnsOf.get(next)) {
          turnsOf.delete(next);
          next += 1;
          handed = handed.then(w);
        }
        return handed;
      };
      // Taken as they go (see the scan's accounts): nothing per account waits.
      await pMap(
        ids,
        async (accountId, index) => {
          // Kept (spilled) for a later pass when it needs the account.
          const kept = keep(accountId);
          const ahead = this.#iam.get(accountId);
          if (!kept) this.#iam.delete(accountId);
          const read =
            ahead === undefined ? await this.#account(accountId) : undefined;
          if (read && kept) this.#iam.set(accountId, spill.put(read));
          await inOrder(index, async () => {
            await turns.maybeYield();
            const input = read ?? spill.get(await ahead!);
            // Every bucket policy is read (the trails are planned) and so
            // is the account's IAM: nothing more is read as the account.
            // Its read-ahead may not have got to let it go.
            this.#release(accountId);
            await analyse(accountId, input, organizationWide);
          });
        },
        { concurrency: this.options.iamConcurrency ?? IAM_CONCURRENCY },
      );
      ids.length = 0;
    };
    await pass(first, false, neededLater);
    // Then those admitting the organization, a group at a time, each in a
    // pass over the accounts in the scan's order: what each holds until it
    // has every account (about 25 kB) is held for a group, not for every
    // such trail of a fleet at once (hundreds, in a fleet of thousands
    // whose accounts share a key policy template that admits the
    // organization). Each pass after the first takes the accounts' IAM
    // from the spill again. Every pass takes the scanned accounts in the
    // same order, the index's (see sortInScanOrder), then the group's own.
    const scannedInOrder = anyWhole ? [...scanned] : [];
    while (whole.length) {
      // Taken out of the list, so that each group's plans (and, through
      // them, their contexts) go once it is done.
      const plansOfGroup = whole.splice(0, WHOLE_ORGANIZATION_GROUP);
      wholeNeeders = new Map();
      for (const p of plansOfGroup) {
        for (const id of p.accountIds) {
          const known = wholeNeeders.get(id);
          if (known) known.push(p);
          else wholeNeeders.set(id, [p]);
        }
      }
      // Those admitting the organization name no scanned account (see
      // #needsOf): theirs come after the scanned ones, by id.
      const named = [...wholeNeeders.keys()];
      sortInScanOrder(named, this.#index, scannedCount);
      wholeContexts = await Promise.all(plansOfGroup.map(contextOf));
      plansOfGroup.length = 0;
      const later = whole.length > 0;
      await pass([...scannedInOrder, ...named], true, () => later);
      wholeContexts = [];
    }
    // Every context is done once each of its accounts was; should one
    // name an account twice, it still gets its answer.
    for (const ctx of [...open]) {
      if (ctx.pending.length) analyseBatch(ctx);
      await finish(ctx);
    }
  }

  /**
   * Called as each account is read: plans its KMS-encrypted trails and
   * starts reading the IAM their policies name (each trail's own accounts),
   * and the account's own once a trail admits the organization. The
   * analysis reads them all in any case; read now, while the account's
   * session is fresh, they wait in the spill. Once the account's IAM is
   * held, nothing more is read as it (its trails, keys and bucket policies
   * are read), so its credentials are let go rather than kept for
   * thousands of accounts until the end of the scan. (Another account's
   * trail that names its key or bucket later assumes its role again.)
   */
  readAhead(accountId: string, facts: TrailFacts[]): void {
    void (async () => {
      await Promise.all(facts.map(f => this.#planAhead(f)));
      // A scanned account: one a trail admitting the organization needs.
      if (this.#wholeOrganization) this.#readIam(accountId);
      const ahead = this.#iam.get(accountId);
      if (ahead === undefined) return;
      await ahead;
      this.#release(accountId);
    })().catch(() => undefined);
  }

  /**
   * At the end of the trail reads, plans for the reads ahead the trails no
   * account's read-ahead took (see readAhead: only while the spill keeps
   * its values in memory are reads ahead limited). A trail already planned
   * is not read back from the spill.
   */
  prefetch(trails: ReadonlyMap<string, Spilled<TrailFacts>>): void {
    for (const [trailArn, spilled] of trails) {
      // Once the reads ahead are as many as may be held, the rest of the
      // trails are not even looked at.
      if (this.#full()) return;
      if (this.#plannedAhead.has(trailArn)) continue;
      void this.#planAhead(this.options.spill.get(spilled));
    }
  }

  async #planAhead(f: TrailFacts): Promise<void> {
    if (
      this.#analysing ||
      this.#full() ||
      this.#plannedAhead.has(f.trail.trailArn) ||
      !analysable(f)
    ) {
      return;
    }
    const trailArn = f.trail.trailArn;
    this.#planning += 1;
    const planning = this.#needsAhead(f).finally(() => {
      this.#planning -= 1;
    });
    this.#plannedAhead.set(trailArn, planning);
    const needs = await planning;
    // Unless the analysis has taken it (it waits for the planning).
    if (this.#plannedAhead.get(trailArn) === planning) {
      this.#plannedAhead.set(trailArn, needs ?? null);
    }
  }

  /** Plans a trail and starts reading the IAM it needs; what it found, spilled. */
  async #needsAhead(f: TrailFacts): Promise<Spilled<TrailNeeds> | undefined> {
    try {
      const needs = this.#needsOf(await this.#planOf(f));
      if (!needs) return undefined;
      if (needs.wholeOrganization) this.#wholeOrganization = true;
      for (const id of needs.namedAccountIds) this.#readIam(id);
      return this.options.spill.put(needs);
    } catch {
      // Planned again, and its failure reported, by the analysis.
      return undefined;
    }
  }

  /** Starts reading an account's IAM ahead of the analysis, once per scan. */
  #readIam(accountId: string): void {
    if (
      this.#analysing ||
      this.#iam.has(accountId) ||
      (this.options.spill.inMemory && this.#iam.size >= PREFETCH_LIMIT)
    ) {
      return;
    }
    const { spill } = this.options;
    const reading = this.#account(accountId).then(input => {
      const spilled = spill.put(input);
      if (this.#iam.get(accountId) === reading) {
        this.#iam.set(accountId, spilled);
      }
      return spilled;
    });
    this.#iam.set(accountId, reading);
  }

  /** Whether no more trails are planned ahead (only while the spill is in memory). */
  #full(): boolean {
    return (
      this.options.spill.inMemory &&
      this.#iam.size + this.#planning >= PREFETCH_LIMIT
    );
  }

  /** The account is read and its IAM held: nothing else is read as it. */
  #release(accountId: string): void {
    // The management account reads the organization's guardrails and parents.
    if (accountId === this.options.managementAccountId) return;
    this.options.release?.(accountId);
  }

  /** What the planner makes of a trail's key, bucket policy and grants. */
  async #planOf(facts: TrailFacts) {
    const documents = await this.#documentsOf(facts);
    const { bucket, key, policy, grants, bucketPolicy } = documents;
    const planned = plan({
      key: { accountId: key.accountId, policy },
      bucket: { ownerAccountId: bucket.ownerAccountId, policy: bucketPolicy },
      grants,
      organizationId: this.options.organizationId,
      // Named accounts only: an admitted organization means the accounts
      // of this scan, not every account a one-account rescan knows of.
      estateAccountIds: [],
    });
    return { ...documents, planned };
  }

  /** A trail's key policy, grants and bucket policy, parsed for it alone. */
  async #documentsOf(facts: TrailFacts, read?: BucketFacts) {
    const bucket = read ?? (await this.#bucket(facts)) ?? {};
    const key = facts.key!;
    // A copy of its own: the analysis keeps per-trail verdicts with it.
    const policy = JSON.parse(key.policy!.ok ? key.policy!.value : '{}');
    const grants = key.grants?.ok ? key.grants.value : undefined;
    const bucketPolicy =
      bucket.policy === undefined ? undefined : parsed(bucket.policy);
    const policyError =
      bucket.policyError ??
      (bucket.policy !== undefined && bucketPolicy === undefined
        ? `The policy of bucket ${facts.trail.s3BucketName} is not a JSON document`
        : undefined);
    return { bucket, key, policy, grants, bucketPolicy, policyError };
  }

  /**
   * Which accounts each KMS-encrypted trail needs, from its policies; the
   * parsed policies themselves are let go until the trail's context is
   * made (see {@link ReaderScan.#contextOf}).
   */
  async #plans(
    trails: Map<string, Spilled<TrailFacts>>,
    turns: EventLoopTurns,
  ): Promise<{
    plans: TrailPlan[];
    unplanned: string[];
    resolvedFor: (p: TrailPlan) => ResolvedAccounts;
  }> {
    // Whether a scanned account's IAM was read is the same for every trail
    // that admits the organization: they are all given the same read.
    const scanned = this.#scanned;
    const scannedResolved = new Set<string>();
    const resolvedFor = (p: TrailPlan): ResolvedAccounts => {
      if (!p.wholeOrganization) return new Set<string>();
      const others = new Set<string>();
      return {
        add: id => (scanned.has(id) ? scannedResolved : others).add(id),
        has: id => scannedResolved.has(id) || others.has(id),
      };
    };
    const { spill } = this.options;
    const plans: TrailPlan[] = [];
    const unplanned: string[] = [];
    // Taken out of the scan's map as they are planned, so that each trail's
    // facts are held by its plan alone.
    for (const [trailArn, spilled] of trails) {
      await turns.maybeYield();
      trails.delete(trailArn);
      // Planned while its account was read (or being planned: the planning
      // is waited for): its facts are not read back.
      const ahead = await this.#plannedAhead.get(trailArn);
      this.#plannedAhead.delete(trailArn);
      const needs =
        ahead !== undefined && ahead !== null
          ? spill.get(ahead)
          : this.#needsOf(await this.#planOf(spill.get(spilled)));
      // A policy the planner cannot read leaves the trail without readers,
      // as before reader analysis, and the other trails as they are.
      if (!needs) unplanned.push(trailArn);
      else plans.push({ trailArn, facts: spilled, ...needs });
    }
    // Planned ahead but shown by no account reported here (not expected).
    this.#plannedAhead.clear();
    return { plans, unplanned, resolvedFor };
  }

  /** The accounts a planned trail waits for (undefined: its policies do not plan). */
  #needsOf({
    bucket,
    key,
    planned,
  }: {
    bucket: BucketFacts;
    key: { accountId: string };
    planned: ReturnType<typeof plan>;
  }): TrailNeeds | undefined {
    if (!planned) return undefined;
    const scanned = this.#scanned;
    const accountIds = planned.wholeOrganization
      ? [...new Set(planned.accountIds)].filter(id => !scanned.has(id))
      : planned.accountIds;
    return {
      bucket: this.options.spill.put(bucket),
      accountIds,
      namedAccountIds: planned.accountIds,
      wholeOrganization: planned.wholeOrganization,
      keyAccountId: key.accountId,
      ...(bucket.ownerAccountId
        ? { bucketOwnerAccountId: bucket.ownerAccountId }
        : {}),
      remaining:
        accountIds.length + (planned.wholeOrganization ? scanned.size : 0),
    };
  }

  /** A trail's context: its policies parsed again for the analysis (planned already). */
  async #contextOf(
    p: TrailPlan,
    resolved: ResolvedAccounts,
    organization: OrganizationPolicies | undefined,
  ): Promise<ReaderContext> {
    const { spill } = this.options;
    const facts = spill.get(p.facts);
    const { bucket, key, policy, grants, bucketPolicy, policyError } =
      await this.#documentsOf(facts, spill.get(p.bucket));
    const { trail } = facts;
    return {
      trailArn: trail.trailArn,
      input: {
        trail: {
          trailArn: trail.trailArn,
          ownerAccountId: trail.ownerAccountId,
          isOrganizationTrail: trail.isOrganizationTrail,
          s3BucketName: trail.s3BucketName,
          ...(trail.s3KeyPrefix ? { s3KeyPrefix: trail.s3KeyPrefix } : {}),
          ...(facts.bucketRegion.ok
            ? { bucketRegion: facts.bucketRegion.value }
            : {}),
        },
        key: { arn: key.keyArn, accountId: key.accountId, policy },
        bucket: {
          ...(bucket.ownerAccountId
            ? { ownerAccountId: bucket.ownerAccountId }
            : {}),
          ...(bucketPolicy !== undefined ? { policy: bucketPolicy } : {}),
          ...(policyError ? { policyError } : {}),
        },
        ...(grants ? { grants } : {}),
        ...(this.options.organizationId
          ? { organizationId: this.options.organizationId }
          : {}),
        trustedAccountIds: this.options.trustedAccountIds,
        ...(organization ? { organization } : {}),
      },
      accountIds: p.accountIds,
      namedAccountIds: p.namedAccountIds,
      wholeOrganization: p.wholeOrganization,
      pending: [],
      remaining: p.remaining,
      resolved,
      results: [],
      ...(p.wholeOrganization
        ? { spill: this.options.spill, fold: 1, findingsAtEnd: true }
        : {}),
    };
  }

  /** One account's IAM, or why it could not be read. */
  async #account(accountId: string): Promise<ReaderAccountInput> {
    const accountName = this.options.accountNames.get(accountId);
    const base = { accountId, ...(accountName ? { accountName } : {}) };
    if (!(await this.options.canUse(accountId))) {
      return { ...base, error: await this.options.unusableReason(accountId) };
    }
    const details = await settle(this.iam.authorizationDetails(accountId));
    return details.ok
      ? { ...base, details: details.value }
      : {
          ...base,
          error: formatAwsError(
            details.error,
            'iam:GetAccountAuthorizationDetails',
          ),
        };
  }

  /**
   * The guardrails with the OU path of every account they may bear on: the
   * accounts whose principals are analysed and those owning a key or bucket.
   */
  async #organizationFor(
    plans: TrailPlan[],
    scanned: ReadonlySet<string> | undefined,
  ): Promise<OrganizationPolicies | undefined> {
    const read = await this.#organization;
    const { managementAccountId, organizationId } = this.options;
    if (!read?.ok || !managementAccountId || !organizationId) return undefined;
    const members = new AccountIdSet(this.options.organizationAccountIds);
    const accounts = new Set<string>();
    for (const id of scanned ?? []) {
      if (id !== managementAccountId && members.has(id)) accounts.add(id);
    }
    for (const p of plans) {
      for (const id of [
        ...p.accountIds,
        p.keyAccountId,
        p.bucketOwnerAccountId,
      ]) {
        if (id && id !== managementAccountId && members.has(id)) {
          accounts.add(id);
        }
      }
    }
    const parentsByAccount: Record<string, string[]> = {};
    await Promise.all(
      [...accounts].map(async id => {
        const parents = await this.#pathOf(managementAccountId, id);
        if (parents) parentsByAccount[id] = parents;
      }),
    );
    return {
      organizationId,
      managementAccountId,
      memberAccountIds: [...members],
      parentsByAccount,
      policies: read.value,
    };
  }

  /** Root first; from the estate read when it walked the tree, else ListParents up to the root. */
  async #pathOf(
    managementAccountId: string,
    accountId: string,
  ): Promise<string[] | undefined> {
    const known = this.options.knownParents.get(accountId);
    if (known) return known;
    const path: string[] = [];
    let child = accountId;
    for (let depth = 0; depth < 10; depth++) {
      const parent = await this.#parentOf(managementAccountId, child);
      if (!parent.ok || !parent.value) return undefined;
      path.unshift(parent.value);
      if (!parent.value.startsWith('ou-')) return path;
      child = parent.value;
    }
    return undefined;
  }

  /** ListParents once per account or OU per scan. */
  #parentOf(
    managementAccountId: string,
    childId: string,
  ): Promise<Outcome<string | undefined>> {
    return this.#parents.get(childId, () =>
      settle(this.orgPolicies.parent(managementAccountId, childId)),
    );
  }
}
