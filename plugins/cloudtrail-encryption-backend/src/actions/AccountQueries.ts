import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  cloudTrailEncryptionScanTriggerPermission,
  type AccountReport,
  type AccountStatus,
  type AccountSummary,
  type FindingCode,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { AccountAccess } from '../service/AccountAccess';
import type { AccountAudit } from '../service/AccountAudit';
import type { AccountDirectory } from '../service/AccountDirectory';
import { estateMembers, type EstateService } from '../service/EstateService';
import type { ScanService } from '../service/ScanService';
import type { ReportStore } from '../store/ReportStore';

export interface AccountQueriesOptions {
  store: ReportStore;
  access: AccountAccess;
  directory: AccountDirectory;
  estate: EstateService;
  scans: ScanService;
  /** Records reads and rescans of accounts the caller does not own. */
  audit: AccountAudit;
}

/**
 * What the actions may ask on behalf of a caller, authorized as the HTTP
 * routes authorize it: the report-read permission (conditions and entity
 * visibility included) decides which accounts exist for the caller, and
 * `scan.trigger` on the account decides whether it may be rescanned. An
 * account the caller may not see is "not found", never "forbidden", so that
 * its existence does not leak. Reads and rescans of an account the caller
 * does not own are audited as the HTTP routes audit them, under the name of
 * the action.
 */
export class AccountQueries {
  constructor(private readonly deps: AccountQueriesOptions) {}

  /** The account an entity ref stands for, when the caller may read the entity. */
  async accountIdOfEntity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<string> {
    let ref;
    try {
      ref = parseEntityRef(entityRef, { defaultKind: 'resource' });
    } catch (error) {
      throw new InputError(`Invalid entity ref: ${(error as Error).message}`);
    }
    const name = stringifyEntityRef(ref);
    const [claim, readable] = await Promise.all([
      this.deps.directory.claimOf(name),
      this.deps.directory.readableEntityRefs(credentials),
    ]);
    if (claim && (!readable || readable.has(claim.entityRef))) {
      return claim.accountId;
    }
    const entity = await this.deps.directory.getEntity(ref, credentials);
    if (!entity) throw new NotFoundError(`Entity ${name} not found`);
    const accountId = this.deps.directory.accountIdOf(entity);
    if (!accountId) {
      throw new NotFoundError(
        `Entity ${name} is not an AWS account entity (a Resource of type cloud-account or aws-account with the amazonaws.com/account-id annotation)`,
      );
    }
    return accountId;
  }

  /**
   * Serves the stored report of an account the caller may read, through
   * `serve` (what the action makes of it); the read is audited as `action`'s,
   * and fails when `serve` throws.
   */
  async readReport<T>(
    action: string,
    accountId: string,
    credentials: BackstageCredentials,
    serve: (read: { report: AccountReport; entityRef?: string }) => T,
  ): Promise<T> {
    const read = await this.#report(accountId, credentials);
    const event = await this.deps.audit.ofForeignAccess({
      eventId: 'account-report-read',
      accountId,
      credentials,
      action,
    });
    let served: T;
    try {
      served = serve(read);
    } catch (error) {
      await event?.fail({ error: error as Error });
      throw error;
    }
    await event?.success();
    return served;
  }

  async #report(
    accountId: string,
    credentials: BackstageCredentials,
  ): Promise<{ report: AccountReport; entityRef?: string }> {
    const [{ filter }, stored] = await Promise.all([
      this.deps.access.readView(credentials),
      this.deps.estate.current(),
    ]);
    const member = estateMembers(stored.estate).get(accountId);
    if (filter && !filter(accountId, member?.membership)) {
      throw new NotFoundError(`No report for account ${accountId}`);
    }
    const report = await this.deps.store.getReport(accountId);
    if (!report) throw new NotFoundError(`No report for account ${accountId}`);
    const catalog = await this.deps.directory.accounts();
    return { report, entityRef: catalog.get(accountId)?.entity?.entityRef };
  }

  /** A page of the accounts the caller may read, worst first. */
  async list(
    query: {
      status?: AccountStatus;
      finding?: FindingCode;
      page: number;
      pageSize: number;
    },
    credentials: BackstageCredentials,
  ): Promise<{ items: AccountSummary[]; totalCount: number }> {
    const filter = await this.deps.access.readFilterOrAll(credentials);
    const [page, catalog] = await Promise.all([
      this.deps.store.listSummaries({
        page: query.page,
        pageSize: query.pageSize,
        status: query.status,
        finding: query.finding,
        visible:
          filter && ((s: AccountSummary) => filter(s.accountId, s.membership)),
      }),
      this.deps.directory.accounts(),
    ]);
    const readable = await this.deps.directory.readableEntityRefs(credentials);
    return {
      totalCount: page.totalCount,
      items: page.items.map(item => {
        const entity = catalog.get(item.accountId)?.entity;
        return entity && (!readable || readable.has(entity.entityRef))
          ? { ...item, entityRef: entity.entityRef }
          : item;
      }),
    };
  }

  /**
   * Rescans an account the caller may see and holds `scan.trigger` on;
   * returns the report stored afterwards. The rescan is audited as
   * `action`'s.
   */
  async rescan(
    action: string,
    accountId: string,
    credentials: BackstageCredentials,
    requestedBy: string | undefined,
  ): Promise<AccountReport> {
    const member = estateMembers((await this.deps.estate.current()).estate).get(
      accountId,
    );
    const filter = await this.deps.access.readFilter(credentials);
    if (!filter(accountId, member?.membership)) {
      throw new NotFoundError(`No report for account ${accountId}`);
    }
    const allowed = await this.deps.access.allowed(
      cloudTrailEncryptionScanTriggerPermission,
      credentials,
      await this.deps.access.resource(accountId, member?.membership),
    );
    if (!allowed) {
      throw new NotAllowedError(
        `Not allowed: ${cloudTrailEncryptionScanTriggerPermission.name} on account ${accountId}`,
      );
    }
    const event = await this.deps.audit.ofForeignAccess({
      eventId: 'account-rescan',
      accountId,
      credentials,
      action,
    });
    let report;
    try {
      report = await this.deps.scans.rescan(accountId, {
        trigger: 'manual',
        requestedBy,
      });
    } catch (error) {
      await event?.fail({ error: error as Error });
      throw error;
    }
    await event?.success();
    return report;
  }
}
