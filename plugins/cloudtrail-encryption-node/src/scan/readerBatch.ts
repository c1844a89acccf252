import type { Finding } from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  analyzeReadersCounted,
  PARTIAL_LIMIT,
  trailReaderAnalysis,
  type TrailReaderAnalysis,
} from '../readers/analyze';
import {
  readerAccountsFor,
  type OrganizationPolicies,
  type ReaderAccountInput,
  type ReaderAnalysisInput,
} from '../readers';
import type { TrailFacts } from './facts';
import { memberSetOf } from '../readers/organization';
import { addBatchResult, type BatchResults } from './mergeReaders';
import { ObjectMemo } from '../policy/objectMemo';

// The pure steps of the reader scan: what one trail's analysis is given and
// how a batch of accounts is analysed. ReaderScan does the I/O around them.

/** Accounts whose IAM was read for one trail (see {@link ReaderContext}). */
export interface ResolvedAccounts {
  add(accountId: string): void;
  has(accountId: string): boolean;
}

/**
 * One KMS-encrypted trail waiting for the IAM of its accounts, and its
 * batch results so far.
 */
export interface ReaderContext extends BatchResults {
  trailArn: string;
  input: Omit<ReaderAnalysisInput, 'accounts'>;
  /**
   * The accounts whose IAM the trail needs; for a trail that admits the
   * organization, those besides the scanned accounts, which it needs too
   * (kept once for all such trails, not once per trail).
   */
  accountIds: string[];
  /** The accounts the policies name (without the organization's). */
  namedAccountIds: string[];
  wholeOrganization: boolean;
  /** Inputs waiting for analysis: all of a bounded context's, or one batch. */
  pending: ReaderAccountInput[];
  remaining: number;
  /** Accounts whose IAM was read, so that no batch calls them unresolved. */
  resolved: ResolvedAccounts;
  /** Partial readers of other accounts still to be listed (see analyzeReaders). */
  partialBudget?: number;
  /**
   * A trail that admits the organization: its analysis, set up once and
   * given each account as it comes (see {@link analyseAccount}).
   */
  analysis?: TrailReaderAnalysis;
}

/**
 * Readers an analysis given every account holds before they are handed to
 * the trail's results (and spilled, with a spill): most accounts add none,
 * and the partial readers of other accounts are listed up to a limit.
 */
const HELD = 16;

/**
 * Analyses one account for a trail that admits the organization, as soon
 * as it is given: the trail's documents are worked out once (not once per
 * batch), and nothing of the account waits for other accounts, so that
 * what its IAM makes lives for one turn rather than for a batch of them,
 * for every such trail at once. Should the analysis throw on a document
 * nobody foresaw, the account is reported unresolved with the reason.
 */
export function analyseAccount(
  ctx: ReaderContext,
  account: ReaderAccountInput,
  held = HELD,
): void {
  try {
    const analysis = (ctx.analysis ??= trailReaderAnalysis({
      ...ctx.input,
      accounts: [],
      partialLimit: PARTIAL_LIMIT,
    }));
    analysis.account(account);
    if (account.details) ctx.resolved.add(account.accountId);
    if (analysis.held() >= held) {
      addBatchResult(ctx, { readers: analysis.take(), findings: [] });
    }
  } catch (error) {
    addBatchResult(ctx, failed(ctx, [account], error));
  }
}

/**
 * What the analysis of {@link analyseAccount} found once every account was
 * given: the accounts the policies let in whose IAM was read for none of
 * the trail's accounts (readers may hide there), and the rest of its lists.
 */
export function closeAnalysis(ctx: ReaderContext): void {
  const analysis = ctx.analysis;
  if (!analysis) return;
  ctx.analysis = undefined;
  try {
    const { readers } = analysis.finish(id => ctx.resolved.has(id));
    addBatchResult(ctx, { readers, findings: [] });
  } catch (error) {
    addBatchResult(ctx, failed(ctx, [], error));
  }
}

/** The accounts of an analysis that threw, unresolved with the reason. */
function failed(
  ctx: ReaderContext,
  accounts: ReaderAccountInput[],
  error: unknown,
) {
  const reason = `the reader analysis failed: ${(error as Error).message}`;
  return {
    readers: {
      readers: [],
      partial: [],
      unresolved: (accounts.length
        ? accounts
        : [{ accountId: ctx.input.key.accountId }]
      ).map(a => ({ accountId: a.accountId, reason })),
    },
    findings: [],
  };
}

/**
 * Analyses the accounts waiting for a trail and lets their details go.
 * Should the analysis throw on a document nobody foresaw, those accounts
 * are reported unresolved with the reason, and every other trail and
 * account keeps its answer.
 */
export function analyseBatch(ctx: ReaderContext): void {
  const accounts = ctx.pending;
  ctx.pending = [];
  try {
    const out = analyzeReadersCounted(
      {
        ...ctx.input,
        organization: membersFor(ctx, accounts),
        accounts,
        // The limit is the trail's, across its batches.
        partialLimit: ctx.partialBudget ?? PARTIAL_LIMIT,
      },
      { findings: !ctx.findingsAtEnd },
    );
    ctx.partialBudget =
      (ctx.partialBudget ?? PARTIAL_LIMIT) - out.partialListedUnderLimit;
    const result = {
      readers: out.readers,
      findings: out.findings as Finding[],
    };
    for (const a of accounts) if (a.details) ctx.resolved.add(a.accountId);
    addBatchResult(ctx, result);
  } catch (error) {
    ctx.results.push(failed(ctx, accounts, error));
  } finally {
    // Emptied, not only replaced: a list that outlived a scavenge is in the
    // old generation, where it would keep its accounts' IAM details (and
    // V8 promote them) until the next full collection.
    accounts.length = 0;
  }
}

/** A trail's plan from its policies, or undefined when they cannot be planned. */
export function plan(
  input: Parameters<typeof readerAccountsFor>[0],
): ReturnType<typeof readerAccountsFor> | undefined {
  try {
    return readerAccountsFor(input);
  } catch {
    return undefined;
  }
}

/**
 * The organization as one analysis needs it: membership is asked only of
 * the accounts analysed, named by the policies, or owning the key or the
 * bucket, so a batch of an organization of thousands does not carry (and
 * search) every member. Accounts outside it stay "inside" through the
 * trusted accounts, which hold the whole estate.
 */
function membersFor(
  ctx: ReaderContext,
  accounts: ReaderAccountInput[],
): OrganizationPolicies | undefined {
  const org = ctx.input.organization;
  if (!org) return undefined;
  const members = memberSetOf(org.memberAccountIds);
  const relevant = new Set([
    ...accounts.map(a => a.accountId),
    ...ctx.namedAccountIds,
    ctx.input.key.accountId,
    ...(ctx.input.bucket.ownerAccountId
      ? [ctx.input.bucket.ownerAccountId]
      : []),
  ]);
  return {
    ...org,
    memberAccountIds: [...relevant].filter(id => members.has(id)),
  };
}

/** Whether each key's policy parses, asked once per key (many trails share one). */
const readableKeys = new ObjectMemo<object, boolean>();

/** A KMS-encrypted trail whose key policy was read and parses. */
export function analysable(facts: TrailFacts): boolean {
  const key = facts.key;
  if (!key?.metadata.ok || !key.policy?.ok || !facts.trail.s3BucketName) {
    return false;
  }
  let readable = readableKeys.get(key);
  if (readable === undefined) {
    readable = parsed(key.policy.value) !== undefined;
    readableKeys.set(key, readable);
  }
  return readable;
}

export function parsed(text: string | null): unknown {
  if (text === null) return null;
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}
