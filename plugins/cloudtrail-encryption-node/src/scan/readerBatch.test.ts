import { analyzeReaders } from '../readers/analyze';
import { readerFindings } from '../readers/findings';
import { input } from '../readers/__fixtures__/crossAccount';
import { mergedReaderResult } from './mergeReaders';
import {
  analyseAccount,
  analyseBatch,
  closeAnalysis,
  type ReaderContext,
} from './readerBatch';

/**
 * The fixture's trail as the reader scan makes the context of a trail that
 * admits the organization.
 */
function trailContext(
  accounts: ReturnType<typeof input>['accounts'],
  findingsAtEnd: boolean,
  fold: number,
): ReaderContext {
  const { accounts: _all, ...rest } = input();
  return {
    trailArn: rest.trail.trailArn,
    input: rest,
    accountIds: accounts.map(a => a.accountId),
    namedAccountIds: [],
    wholeOrganization: true,
    pending: [],
    remaining: accounts.length,
    resolved: new Set<string>(),
    results: [],
    ...(fold ? { fold } : {}),
    findingsAtEnd,
  };
}

/** The fixture's trail given every account in batches of `size`. */
function analysedInBatches(size: number, findingsAtEnd: boolean, fold = 1) {
  const { accounts } = input();
  const ctx = trailContext(accounts, findingsAtEnd, fold);
  for (let i = 0; i < accounts.length; i += size) {
    ctx.pending = accounts.slice(i, i + size);
    analyseBatch(ctx);
  }
  return ctx;
}

const merged = (ctx: ReaderContext) =>
  mergedReaderResult(ctx, readers =>
    readerFindings({ ...ctx.input, accounts: [] }, readers),
  );

describe('analyseBatch', () => {
  it.each([1, 2, 100])(
    'leaves the findings of batches of %i accounts to the merged readers',
    size => {
      const ctx = analysedInBatches(size, true);
      expect(ctx.results.flatMap(r => r.findings)).toEqual([]);
      const drawnEachBatch = merged(analysedInBatches(size, false));
      expect(drawnEachBatch.findings.length).toBeGreaterThan(0);
      expect(merged(ctx)).toEqual(drawnEachBatch);
    },
  );

  it('empties the batch it took and folds its results into the same list', () => {
    // Both outlive the batch (the list is the trail's, and may be in V8's
    // old generation by then): what they held would be kept until a full
    // collection, so they are emptied rather than replaced.
    const { accounts } = input();
    const ctx = trailContext(accounts, true, 1);
    const results = ctx.results;
    const batch = accounts.slice();
    ctx.pending = batch;
    analyseBatch(ctx);
    expect(batch).toEqual([]);
    expect(ctx.pending).toEqual([]);
    expect(ctx.results).toBe(results);
    expect(results).toHaveLength(1);
    expect(merged(ctx)).toEqual(analyzeReaders(input()));
  });

  it('draws the same findings from one batch as from the whole analysis', () => {
    const whole = analyzeReaders(input());
    expect(merged(analysedInBatches(100, true))).toEqual(whole);
    // Kept in memory unfolded (no fold of one), the one batch is the result.
    expect(merged(analysedInBatches(100, true, 0))).toEqual(whole);
    const ctx = analysedInBatches(100, false);
    expect(ctx.results.flatMap(r => r.findings)).toEqual(whole.findings);
  });
});

/** The same trail's context given each account as it comes. */
function analysedOneByOne(
  accounts: ReturnType<typeof input>['accounts'],
  held?: number,
) {
  const ctx = trailContext(accounts, true, 1);
  for (const account of accounts) analyseAccount(ctx, account, held);
  closeAnalysis(ctx);
  return ctx;
}

describe('analyseAccount', () => {
  it.each([undefined, 1, 2])(
    'gives the whole analysis when each account is given as it comes (lists handed over at %s)',
    held => {
      const whole = analyzeReaders(input());
      expect(whole.readers.readers.length).toBeGreaterThan(0);
      expect(whole.readers.partial.length).toBeGreaterThan(0);
      const ctx = analysedOneByOne(input().accounts, held);
      expect(ctx.analysis).toBeUndefined();
      expect(ctx.pending).toEqual([]);
      expect(merged(ctx)).toEqual(whole);
    },
  );

  it('leaves the readers of the other accounts when one account cannot be analysed', () => {
    const accounts = input().accounts;
    const [broken, ...others] = accounts;
    const throwing = {
      ...broken,
      details: {
        get RoleDetailList(): unknown[] {
          throw new Error('an unforeseen document');
        },
      },
    };
    const result = merged(analysedOneByOne([throwing, ...others]));
    const expected = analyzeReaders({ ...input(), accounts: others });
    expect(result.readers.readers).toEqual(expected.readers.readers);
    expect(result.readers.unresolved).toContainEqual({
      accountId: broken.accountId,
      reason: 'the reader analysis failed: an unforeseen document',
    });
    expect(
      result.readers.readers.some(r => r.accountId === broken.accountId),
    ).toBe(false);
  });
});
