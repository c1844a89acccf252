import type { AccountSummary } from '@trailguard/plugin-cloudtrail-encryption-common';
import { FleetSnapshot, type FleetEntry } from './FleetSnapshot';
import { readerCountsOf, trailRegionsOf } from './TrailRegionCache';

function entry(
  accountId: string,
  accountName: string | undefined,
  trailCount: number,
  worstRank = 9,
): FleetEntry {
  const summary: AccountSummary = {
    accountId,
    accountName,
    scannedAt: `2026-12-0${trailCount + 1}T00:00:00Z`,
    scanStatus: 'ok',
    status: worstRank < 9 ? 'non-compliant' : 'compliant',
    trailCount,
    findingCodes: [],
  };
  return {
    summary,
    worstRank,
    haystack: `${accountId} ${accountName ?? ''}`.toLowerCase(),
  };
}

const ids = (page: { items: AccountSummary[] }) =>
  page.items.map(i => i.accountId);

describe('FleetSnapshot sorting', () => {
  const fleet = () =>
    new FleetSnapshot([
      entry('100000000003', 'Beta', 2, 1),
      entry('100000000001', 'alpha', 1),
      entry('100000000002', undefined, 2, 0),
      entry('100000000004', 'gamma', 1, 3),
    ]);

  it('sorts names case-insensitively, an unnamed account by its id', () => {
    expect(ids(fleet().page({ page: 1, pageSize: 10, sort: 'name' }))).toEqual([
      '100000000002',
      '100000000001',
      '100000000003',
      '100000000004',
    ]);
  });

  it('breaks ties by account id and reverses them when descending', () => {
    const f = fleet();
    expect(ids(f.page({ page: 1, pageSize: 10, sort: 'trailCount' }))).toEqual([
      '100000000001',
      '100000000004',
      '100000000002',
      '100000000003',
    ]);
    expect(
      ids(f.page({ page: 1, pageSize: 10, sort: 'trailCount', order: 'desc' })),
    ).toEqual(['100000000003', '100000000002', '100000000004', '100000000001']);
  });

  it('puts the most severe account first when severity is descending', () => {
    expect(
      ids(
        fleet().page({
          page: 1,
          pageSize: 10,
          sort: 'worstSeverity',
          order: 'desc',
        }),
      ),
    ).toEqual(['100000000002', '100000000003', '100000000004', '100000000001']);
  });

  it('pages and filters the sorted list, and re-sorts after a write', () => {
    const f = fleet();
    const query = {
      pageSize: 1,
      sort: 'name' as const,
      status: 'compliant' as const,
    };
    expect(ids(f.page({ ...query, page: 1 }))).toEqual(['100000000001']);
    expect(f.page({ ...query, page: 1 }).totalCount).toBe(1);
    f.upsert(entry('100000000005', 'aardvark', 0));
    expect(ids(f.page({ ...query, page: 1 }))).toEqual(['100000000005']);
    expect(f.all({ sort: 'name' }).map(s => s.accountId)).toHaveLength(5);
  });
});

describe('trailRegionsOf', () => {
  it('lists the distinct key and bucket Regions', () => {
    expect(
      trailRegionsOf({
        trails: [
          { kmsKey: { region: 'eu-west-1' }, bucketRegion: 'us-east-1' },
          { kmsKey: { region: 'eu-west-1' }, bucketRegion: 'eu-west-1' },
          { bucketRegion: 'us-east-1' },
        ] as never,
      }),
    ).toEqual({
      keyRegions: ['eu-west-1'],
      bucketRegions: ['eu-west-1', 'us-east-1'],
    });
  });
});

describe('readers outside the organization', () => {
  const reader = (principal: string, extra: object = {}) => ({
    principal,
    kind: 'iam-role',
    accountId: principal.split(':')[4],
    crossAccount: false,
    outsideOrganization: false,
    via: [],
    conditions: [],
    ...extra,
  });
  const analysed = (...readers: object[]) => ({
    decryptPrincipals: [],
    readers: { readers, partial: [], unresolved: [] },
  });

  it('counts each effective reader once and those outside the organization', () => {
    const shared = reader('arn:aws:iam::100000000001:role/Audit');
    const counts = readerCountsOf([
      analysed(
        shared,
        reader('arn:aws:iam::999999999999:role/Vendor', {
          outsideOrganization: true,
        }),
      ),
      analysed(
        shared,
        reader('arn:aws:iam::100000000001:role/Partner', {
          trustedBy: [
            {
              principal: 'arn:aws:iam::999999999999:root',
              kind: 'account-root',
              outsideOrganization: true,
              conditions: [],
            },
          ],
        }),
      ),
    ] as never);
    expect(counts).toEqual({ readersCount: 3, outsideReadersCount: 2 });
  });

  it('counts decrypt principals for reports without reader analysis', () => {
    const counts = readerCountsOf([
      {
        decryptPrincipals: [
          {
            principal: 'arn:aws:iam::100000000001:root',
            kind: 'account-root',
            accountId: '100000000001',
            via: 'key-policy',
            conditions: [],
          },
        ],
      },
    ] as never);
    expect(counts).toEqual({ readersCount: 1 });
  });

  it('lists only accounts with outside readers when asked', () => {
    const withOutside = entry('100000000006', 'exposed', 1);
    withOutside.summary.outsideReadersCount = 2;
    const none = entry('100000000007', 'internal', 1);
    none.summary.outsideReadersCount = 0;
    const f = new FleetSnapshot([
      withOutside,
      none,
      entry('100000000008', 'unanalysed', 1),
    ]);
    const page = f.page({ page: 1, pageSize: 10, outsideReaders: true });
    expect(ids(page)).toEqual(['100000000006']);
    expect(page.totalCount).toBe(1);
    expect(f.page({ page: 1, pageSize: 10 }).totalCount).toBe(3);
    expect(
      f.all({ outsideReaders: true, sort: 'outsideReadersCount' }),
    ).toHaveLength(1);
  });
});
