import type {
  Finding,
  TrailReaders,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { ReaderResult } from './facts';
import type { Spill, Spilled } from './spill';

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (!seen.has(k)) seen.set(k, item);
  }
  return [...seen.values()];
}

/**
 * One trail's readers from analyses of separate batches of accounts, or
 * from the lists one analysis handed over as it went (a trail whose key
 * admits the whole organization is given one account at a time, so that
 * the IAM of thousands of accounts is never held at once). Each principal belongs to one account, so the lists are disjoint; what
 * every analysis repeats (statements left out, bucket errors) is kept once.
 * A batch calls the accounts it was not given unresolved: those `resolved`
 * in another batch are not. The findings are drawn from the merged readers.
 */
export function mergeReaderResults(
  results: ReaderResult[],
  resolved: { has(accountId: string): boolean },
  findingsOf: (readers: TrailReaders) => Finding[],
): ReaderResult {
  if (results.length === 1) return results[0];
  const all = (pick: (r: TrailReaders) => unknown[] | undefined) =>
    results.flatMap(r => pick(r.readers) ?? []);
  const readers = uniqueBy(
    all(r => r.readers) as TrailReaders['readers'],
    r => r.principal,
  );
  const named = new Set(readers.map(r => r.principal));
  const partial = uniqueBy(
    all(r => r.partial) as TrailReaders['partial'],
    r => r.principal,
  ).filter(r => !named.has(r.principal));
  const unresolved = uniqueBy(
    all(r => r.unresolved) as TrailReaders['unresolved'],
    u => u.accountId,
  ).filter(u => !resolved.has(u.accountId));
  const ineffective = uniqueBy(
    all(r => r.ineffective) as NonNullable<TrailReaders['ineffective']>,
    s => `${s.policy}\n${s.statement}\n${s.reason}`,
  );
  const bucketPolicyError = results.find(r => r.readers.bucketPolicyError)
    ?.readers.bucketPolicyError;
  const partialOmitted = results.reduce(
    (n, r) => n + (r.readers.partialOmitted ?? 0),
    0,
  );
  const merged: TrailReaders = {
    readers,
    partial,
    ...(partialOmitted ? { partialOmitted } : {}),
    unresolved,
    ...(ineffective.length ? { ineffective } : {}),
    ...(bucketPolicyError ? { bucketPolicyError } : {}),
  };
  return { readers: merged, findings: findingsOf(merged) };
}

/** One trail's batch results as they come (a {@link ReaderContext} is one). */
export interface BatchResults {
  results: ReaderResult[];
  resolved: { has(accountId: string): boolean };
  /** Whether `results` holds batches merged into one. */
  folded?: boolean;
  /**
   * Where a trail that admits the organization keeps its folded results
   * until its last batch (see {@link Spill}): the readers such a trail lists
   * are held until then, for every such trail at once.
   */
  spill?: Spill;
  spilled?: Spilled<ReaderResult>[];
  /**
   * Batch results kept in memory before they are folded into one (and
   * spilled, with a spill); FOLD unless set. The trails that admit the
   * organization take their accounts in step, each account given to all
   * of them at once, so what each keeps is kept for every such trail at
   * once: the reader scan has them spill every list handed over.
   */
  fold?: number;
  /**
   * Whether the batch results come without findings: the trail's findings
   * are drawn from its merged readers at the end, however many batches it
   * took (the reader scan sets it with `fold: 1`, whose batches are merged
   * in any case).
   */
  findingsAtEnd?: boolean;
}

/** Batch results a trail keeps before they are merged into one. */
const FOLD = 8;

/** Adds a batch's result; every `fold` of them are folded into one (and spilled, with a spill). */
export function addBatchResult(
  batches: BatchResults,
  result: ReaderResult,
): void {
  batches.results.push(result);
  if (batches.results.length < (batches.fold ?? FOLD)) return;
  foldReaderResults(batches);
  if (batches.spill) {
    (batches.spilled ??= []).push(batches.spill.put(batches.results[0]));
    batches.results.length = 0;
  }
}

/** No readers: merged with one result, it makes the merge run in full. */
const NOTHING: ReaderResult = {
  readers: { readers: [], partial: [], unresolved: [] },
  findings: [],
};

/**
 * Merges a trail's batch results so far into one, so that a trail whose
 * key admits an organization of thousands keeps one list of readers rather
 * than one per batch. Merging is associative: what a merge of every batch
 * at the end gives, {@link mergedReaderResult} gives after any number of
 * folds (findings are drawn from the merged readers at the end; accounts
 * resolved later leave the unresolved list then).
 */
export function foldReaderResults(batches: BatchResults): void {
  // The same list, emptied in place (see analyseBatch): a list replaced
  // would keep the results it held until V8's next full collection.
  const merged = mergeReaderResults(
    batches.results,
    batches.resolved,
    () => [],
  );
  batches.results.length = 0;
  batches.results.push(merged);
  batches.folded = true;
}

/** The trail's readers from all its batches, folded or not, with their findings. */
export function mergedReaderResult(
  batches: BatchResults,
  findingsOf: (readers: TrailReaders) => Finding[],
): ReaderResult {
  // In the order the batches came: the spilled ones first.
  const { spill, spilled = [] } = batches;
  const all = [...spilled.map(r => spill!.get(r)), ...batches.results];
  const results =
    (batches.folded || batches.findingsAtEnd) && all.length === 1
      ? [...all, NOTHING]
      : all;
  return mergeReaderResults(results, batches.resolved, findingsOf);
}
