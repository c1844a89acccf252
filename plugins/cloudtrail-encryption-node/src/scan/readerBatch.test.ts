import { analyzeReaders } from '../readers/analyze';
import { readerFindings } from '../readers/findings';
import { input } from '../readers/__fixtures__/crossAccount';
import { mergedReaderResult } from './mergeReaders';
import { analyseBatch, type ReaderContext } from './readerBatch';

/** A trail's context as the reader scan makes it, given every account in batches of `size`. */
function analysedInBatches(size: number, findingsAtEnd: boolean, fold = 1) {
  const { accounts, ...rest } = input();
  const ctx: ReaderContext = {
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

  it('draws the same findings from one batch as from the whole analysis', () => {
    const whole = analyzeReaders(input());
    expect(merged(analysedInBatches(100, true))).toEqual(whole);
    // Kept in memory unfolded (no fold of one), the one batch is the result.
    expect(merged(analysedInBatches(100, true, 0))).toEqual(whole);
    const ctx = analysedInBatches(100, false);
    expect(ctx.results.flatMap(r => r.findings)).toEqual(whole.findings);
  });
});
