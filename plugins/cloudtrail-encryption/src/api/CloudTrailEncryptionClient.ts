import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import type {
  AccountListResponse,
  AccountReport,
  AccountSummary,
  EstateSummary,
  FullScanResponse,
  ScanRunListResponse,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type {
  AccountExport,
  AccountFilters,
  CloudTrailEncryptionApi,
  ListAccountsRequest,
} from './CloudTrailEncryptionApi';

const PLUGIN_ID = 'cloudtrail-encryption';

/**
 * Talks to the backend through `fetchApi`, so requests carry the user's token.
 *
 * @public
 */
export class CloudTrailEncryptionClient implements CloudTrailEncryptionApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listAccounts(
    request: ListAccountsRequest = {},
  ): Promise<AccountListResponse> {
    const query = new URLSearchParams();
    if (request.page !== undefined) query.set('page', String(request.page));
    if (request.pageSize !== undefined) {
      query.set('pageSize', String(request.pageSize));
    }
    return this.request('GET', '/accounts', withFilters(query, request));
  }

  async lookupAccounts(accountIds: string[]): Promise<AccountSummary[]> {
    const ids = [...new Set(accountIds)];
    if (ids.length === 0) return [];
    const query = new URLSearchParams();
    for (const id of ids) query.append('accountId', id);
    const body = await this.request<{ items: AccountSummary[] }>(
      'GET',
      '/accounts',
      query,
    );
    return body.items;
  }

  async exportAccounts(
    format: 'csv' | 'json',
    filters: AccountFilters = {},
  ): Promise<AccountExport> {
    const query = withFilters(new URLSearchParams({ format }), filters);
    const response = await this.fetch('GET', '/accounts/export', query);
    const disposition = response.headers.get('content-disposition') ?? '';
    const filename =
      /filename="([^"]+)"/.exec(disposition)?.[1] ??
      `cloudtrail-encryption-accounts.${format}`;
    return { blob: await response.blob(), filename };
  }

  async triggerFullScan(): Promise<FullScanResponse> {
    return this.request('POST', '/scans');
  }

  async canTriggerFullScan(): Promise<boolean> {
    const body = await this.request<{ triggerFullScan: boolean }>(
      'GET',
      '/scans/permissions',
    );
    return body.triggerFullScan === true;
  }

  async getAccountReport(accountId: string): Promise<AccountReport> {
    return this.request('GET', `/accounts/${encodeURIComponent(accountId)}`);
  }

  async getEntityReport(entityRef: CompoundEntityRef): Promise<AccountReport> {
    const path = [entityRef.namespace, entityRef.kind, entityRef.name]
      .map(encodeURIComponent)
      .join('/');
    return this.request('GET', `/entity/${path}`);
  }

  async rescanAccount(accountId: string): Promise<AccountReport> {
    return this.request(
      'POST',
      `/accounts/${encodeURIComponent(accountId)}/rescan`,
    );
  }

  async listScanRuns(
    options: { limit?: number; requestId?: string } = {},
  ): Promise<ScanRunListResponse> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.requestId) query.set('requestId', options.requestId);
    return this.request('GET', '/scans', query);
  }

  async getEstate(): Promise<EstateSummary> {
    return this.request('GET', '/estate');
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    query?: URLSearchParams,
  ): Promise<T> {
    const response = await this.fetch(method, path, query);
    return (await response.json()) as T;
  }

  private async fetch(
    method: 'GET' | 'POST',
    path: string,
    query?: URLSearchParams,
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl(PLUGIN_ID);
    const search = query?.toString();
    const url = `${baseUrl}${path}${search ? `?${search}` : ''}`;
    const response = await this.fetchApi.fetch(url, {
      method,
      headers: { Accept: 'application/json' },
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}

function withFilters(
  query: URLSearchParams,
  filters: AccountFilters,
): URLSearchParams {
  if (filters.status) query.set('status', filters.status);
  if (filters.finding) query.set('finding', filters.finding);
  // Whitespace-only text would match nothing useful and only defeat caching.
  const q = filters.q?.trim();
  if (q) query.set('q', q);
  if (filters.outsideReaders) query.set('outsideReaders', 'true');
  if (filters.sort) query.set('sort', filters.sort);
  if (filters.sort && filters.order) query.set('order', filters.order);
  return query;
}
