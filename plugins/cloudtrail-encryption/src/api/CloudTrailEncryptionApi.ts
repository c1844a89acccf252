import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  AccountListResponse,
  AccountReport,
  AccountStatus,
  AccountSummary,
  EstateSummary,
  FindingCode,
  FullScanResponse,
  ScanRunListResponse,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/**
 * The columns the backend sorts the fleet list on.
 *
 * @public
 */
export const ACCOUNT_SORT_KEYS = [
  'accountId',
  'name',
  'status',
  'worstSeverity',
  'trailCount',
  'readersCount',
  'scannedAt',
] as const;
/** @public */
export type AccountSortKey = (typeof ACCOUNT_SORT_KEYS)[number];

/**
 * Filters and sort of the fleet list.
 *
 * @public
 */
export interface AccountFilters {
  status?: AccountStatus;
  finding?: FindingCode;
  /** Free text matched against the account id and name. */
  q?: string;
  /** Only accounts whose logs principals outside the organization can read. */
  outsideReaders?: boolean;
  /** Without it, the most severe accounts come first. */
  sort?: AccountSortKey;
  order?: 'asc' | 'desc';
}

/**
 * Filters, sort and paging of the fleet list; `page` is 1-based.
 *
 * @public
 */
export interface ListAccountsRequest extends AccountFilters {
  page?: number;
  pageSize?: number;
}

/**
 * A downloaded export of the fleet list.
 *
 * @public
 */
export interface AccountExport {
  blob: Blob;
  filename: string;
}

/**
 * Client of the `cloudtrail-encryption` backend.
 *
 * @public
 */
export interface CloudTrailEncryptionApi {
  listAccounts(request?: ListAccountsRequest): Promise<AccountListResponse>;
  /**
   * The fleet-list summaries of the given accounts, in one request. Accounts
   * never scanned, outside the estate or not visible to the user are left out.
   */
  lookupAccounts(accountIds: string[]): Promise<AccountSummary[]>;
  /** Every account matching the filters (all pages), as CSV or JSON. */
  exportAccounts(
    format: 'csv' | 'json',
    filters?: AccountFilters,
  ): Promise<AccountExport>;
  /** Rejects with a `ResponseError` (status 404) for an account never scanned. */
  getAccountReport(accountId: string): Promise<AccountReport>;
  /**
   * The report of the account annotated on a catalog entity. Rejects with a
   * `ResponseError` (status 404) when the entity is unknown or its account has
   * not been scanned yet; the error's `cause.name` is `NotInEstateError` when
   * the annotated account is outside the scanned estate (see
   * `isNotInEstateError`).
   */
  getEntityReport(entityRef: CompoundEntityRef): Promise<AccountReport>;
  /** Scans the account now and resolves to the fresh report. */
  rescanAccount(accountId: string): Promise<AccountReport>;
  /**
   * Makes the full scan due now; needs `scan.trigger` on every account.
   * Follow it with `listScanRuns({ requestId })`.
   */
  triggerFullScan(): Promise<FullScanResponse>;
  /** Whether the user may start a full scan (`scan.trigger` on every account). */
  canTriggerFullScan(): Promise<boolean>;
  /** Scan runs, newest first; with `requestId`, those of one on-demand full scan. */
  listScanRuns(options?: {
    limit?: number;
    requestId?: string;
  }): Promise<ScanRunListResponse>;
  /** How the scanned estate is defined (AWS Organization or explicit list) and its size. */
  getEstate(): Promise<EstateSummary>;
}

/** @public */
export const cloudtrailEncryptionApiRef = createApiRef<CloudTrailEncryptionApi>(
  { id: 'plugin.cloudtrail-encryption.service' },
);
