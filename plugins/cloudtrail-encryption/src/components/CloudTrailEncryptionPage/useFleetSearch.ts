import {
  ACCOUNT_STATUSES,
  FINDING_CODES,
  type AccountStatus,
  type FindingCode,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  ACCOUNT_SORT_KEYS,
  type AccountFilters,
  type AccountSortKey,
} from '../../api';

export const PAGE_SIZES = [20, 50, 100];

/** What the fleet table shows; `page` is 0-based, as the table counts. */
export interface FleetSearch {
  page: number;
  pageSize: number;
  status: AccountStatus | '';
  finding: FindingCode | '';
  q: string;
  /** Only accounts with readers outside the organization. */
  outsideReaders: boolean;
  sort?: AccountSortKey;
  order: 'asc' | 'desc';
}

const oneOf = <T extends string>(
  values: readonly T[],
  value: string | null,
): T | undefined =>
  value !== null && (values as readonly string[]).includes(value)
    ? (value as T)
    : undefined;

/**
 * Reads the view from the URL. A hand-edited or outdated link must still open
 * the page: unknown values fall back to the defaults instead of failing.
 */
export function parseFleetSearch(params: URLSearchParams): FleetSearch {
  const page = Number(params.get('page'));
  const pageSize = Number(params.get('pageSize'));
  return {
    page: Number.isInteger(page) && page >= 1 && page <= 100_000 ? page - 1 : 0,
    pageSize: PAGE_SIZES.includes(pageSize) ? pageSize : PAGE_SIZES[0],
    status: oneOf(ACCOUNT_STATUSES, params.get('status')) ?? '',
    finding: oneOf(FINDING_CODES, params.get('finding')) ?? '',
    q: (params.get('q') ?? '').trim().slice(0, 100),
    outsideReaders: params.get('outsideReaders') === 'true',
    sort: oneOf(ACCOUNT_SORT_KEYS, params.get('sort')),
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
  };
}

/** The URL form of a view, leaving out defaults so that links stay short. */
export function formatFleetSearch(search: FleetSearch): URLSearchParams {
  const params = new URLSearchParams();
  if (search.status) params.set('status', search.status);
  if (search.finding) params.set('finding', search.finding);
  if (search.q) params.set('q', search.q);
  if (search.outsideReaders) params.set('outsideReaders', 'true');
  if (search.sort) {
    params.set('sort', search.sort);
    params.set('order', search.order);
  }
  if (search.page > 0) params.set('page', String(search.page + 1));
  if (search.pageSize !== PAGE_SIZES[0]) {
    params.set('pageSize', String(search.pageSize));
  }
  return params;
}

/** The filters and sort of a view, as the API takes them. */
export function filtersOf(search: FleetSearch): AccountFilters {
  return {
    status: search.status || undefined,
    finding: search.finding || undefined,
    q: search.q || undefined,
    outsideReaders: search.outsideReaders || undefined,
    sort: search.sort,
    order: search.sort ? search.order : undefined,
  };
}

/** The fleet view kept in the URL, so that a reload or a shared link keeps it. */
export function useFleetSearch(): [
  FleetSearch,
  (change: Partial<FleetSearch>) => void,
] {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const search = useMemo(() => parseFleetSearch(params), [key]);
  const update = useCallback(
    (change: Partial<FleetSearch>) =>
      setParams(
        current =>
          formatFleetSearch({ ...parseFleetSearch(current), ...change }),
        { replace: true },
      ),
    [setParams],
  );
  return [search, update];
}
