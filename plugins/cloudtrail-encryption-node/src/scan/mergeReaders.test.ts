import type {
  EffectiveReader,
  Finding,
  TrailReaders,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { ReaderResult } from './facts';
import {
  addBatchResult,
  foldReaderResults,
  mergedReaderResult,
  mergeReaderResults,
  type BatchResults,
} from './mergeReaders';
import { Spill } from './spill';

function reader(principal: string): EffectiveReader {
  return {
    principal,
    kind: 'iam-role',
    accountId: principal.split(':')[4],
    crossAccount: false,
    outsideOrganization: false,
    via: [],
    conditions: [],
  };
}

/** One batch: it calls every named account it was not given unresolved. */
function batch(
  given: string,
  others: string[],
  readers: TrailReaders['readers'],
  partial: TrailReaders['partial'] = [],
): ReaderResult {
  return {
    readers: {
      readers,
      partial,
      unresolved: others
        .filter(id => id !== given)
        .map(accountId => ({ accountId, reason: 'not in the scanned estate' })),
      ineffective: [
        { policy: 'key policy', statement: '#3', reason: 'no Resource' },
      ],
    },
    findings: [
      {
        code: 'READERS_UNRESOLVED',
        severity: 'medium',
        message: `batch of ${given}`,
        remediation: '',
      },
    ],
  };
}

describe('mergeReaderResults', () => {
  const named = ['100000000001', '100000000002', '999999999999'];
  const findingsOf = (merged: TrailReaders): Finding[] =>
    merged.unresolved.map(u => ({
      code: 'READERS_UNRESOLVED',
      severity: 'medium',
      message: u.accountId,
      remediation: '',
    }));

  it('joins the batches and drops what a batch wrongly calls unresolved', () => {
    const merged = mergeReaderResults(
      [
        batch('100000000001', named, [
          reader('arn:aws:iam::100000000001:role/A'),
        ]),
        batch(
          '100000000002',
          named,
          [reader('arn:aws:iam::100000000002:role/B')],
          [
            {
              ...reader('arn:aws:iam::100000000002:role/C'),
              lacks: 's3:GetObject',
            },
          ],
        ),
      ],
      new Set(['100000000001', '100000000002']),
      findingsOf,
    );
    expect(merged.readers.readers.map(r => r.principal)).toEqual([
      'arn:aws:iam::100000000001:role/A',
      'arn:aws:iam::100000000002:role/B',
    ]);
    expect(merged.readers.partial.map(r => r.principal)).toEqual([
      'arn:aws:iam::100000000002:role/C',
    ]);
    expect(merged.readers.unresolved.map(u => u.accountId)).toEqual([
      '999999999999',
    ]);
    expect(merged.readers.ineffective).toHaveLength(1);
    // Findings come from the merged readers, not from any one batch.
    expect(merged.findings.map(f => f.message)).toEqual(['999999999999']);
  });

  it('keeps a single analysis as it is', () => {
    const only = batch('100000000001', named, []);
    expect(mergeReaderResults([only], new Set(), findingsOf)).toBe(only);
  });

  it('adds up the partial readers each batch left out', () => {
    const first = batch('100000000001', named, []);
    const second = batch('100000000002', named, []);
    first.readers.partialOmitted = 3;
    second.readers.partialOmitted = 4;
    const merged = mergeReaderResults(
      [first, second, batch('999999999999', named, [])],
      new Set(named),
      findingsOf,
    );
    expect(merged.readers.partialOmitted).toBe(7);
  });

  it('gives, batches folded as they come, what one merge of them all gives', () => {
    // Twenty batches of one account each; every batch calls the others,
    // and an account outside the scan, unresolved. An account is resolved
    // once its batch is analysed, as the reader scan does.
    const accounts = Array.from({ length: 20 }, (_, i) =>
      String(100000000100 + i),
    );
    const all = [...accounts, '999999999999'];
    const batches = accounts.map((id, i) => {
      const b = batch(
        id,
        all,
        i % 3 ? [] : [reader(`arn:aws:iam::${id}:role/Reader`)],
        i % 2
          ? [
              {
                ...reader(`arn:aws:iam::${id}:role/Half`),
                lacks: 'kms:Decrypt',
              },
            ]
          : [],
      );
      if (i % 5 === 0) b.readers.partialOmitted = i;
      return b;
    });
    const atOnce = mergeReaderResults(batches, new Set(accounts), findingsOf);

    const resolved = new Set<string>();
    const folding: BatchResults = { results: [], resolved };
    batches.forEach((b, i) => {
      folding.results.push(b);
      resolved.add(accounts[i]);
      if (folding.results.length >= 8) foldReaderResults(folding);
    });
    expect(folding.folded).toBe(true);
    expect(mergedReaderResult(folding, findingsOf)).toEqual(atOnce);

    // The same, given one by one to a trail with a spill, each account
    // resolved once its batch is analysed; `kept` is how many batch results
    // the trail held after each.
    const spill = new Spill();
    const give = (fold?: number) => {
      const into: BatchResults = {
        results: [],
        resolved: new Set<string>(),
        spill,
        ...(fold ? { fold } : {}),
      };
      const kept = batches.map((b, i) => {
        addBatchResult(into, b);
        (into.resolved as Set<string>).add(accounts[i]);
        return into.results.length;
      });
      return { into, kept };
    };
    // Each fold of eight spilled until the end: two in the spill, four
    // batches not.
    const spilling = give().into;
    expect(spilling.spilled).toHaveLength(2);
    expect(spilling.results).toHaveLength(4);
    expect(mergedReaderResult(spilling, findingsOf)).toEqual(atOnce);
    // Sixteen batches: both folds spilled, none left in memory.
    const sixteen: BatchResults = {
      results: [],
      resolved: new Set(accounts.slice(0, 16)),
      spill,
    };
    batches.slice(0, 16).forEach(b => addBatchResult(sixteen, b));
    expect(sixteen.results).toHaveLength(0);
    expect(mergedReaderResult(sixteen, findingsOf)).toEqual(
      mergeReaderResults(
        batches.slice(0, 16),
        new Set(accounts.slice(0, 16)),
        findingsOf,
      ),
    );
    // A fold of one (the trails that admit the organization, whose batches
    // fill in step): every batch goes to the spill as it comes.
    const each = give(1);
    expect(each.kept.every(n => n === 0)).toBe(true);
    expect(each.into.spilled).toHaveLength(20);
    expect(mergedReaderResult(each.into, findingsOf)).toEqual(atOnce);
    spill.close();
    expect(atOnce.readers.unresolved.map(u => u.accountId)).toEqual([
      '999999999999',
    ]);
    expect(atOnce.readers.partialOmitted).toBe(0 + 5 + 10 + 15);
    expect(atOnce.findings.map(f => f.message)).toEqual(['999999999999']);
  });
});
