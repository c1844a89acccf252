import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  type PolicyDecision,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  cloudTrailEncryptionReportReadPermission,
  type AccountMembership,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { CloudTrailAccountResource } from '../permissions/rules';
import type { AccountDirectory, CatalogAccount } from './AccountDirectory';

/** Whether the caller may see an account: one call per account, no I/O. */
export type AccountFilter = (
  accountId: string,
  membership?: AccountMembership,
) => boolean;

/** An account as a permission resource, from what the catalog says about it. */
export function toResource(
  accountId: string,
  catalog: CatalogAccount | undefined,
  membership?: AccountMembership,
): CloudTrailAccountResource {
  return {
    accountId,
    ownerRefs: catalog?.entity?.ownerRefs ?? [],
    entityRef: catalog?.entity?.entityRef,
    membership,
  };
}

/**
 * Who may do what to which account. A decision is asked once per request
 * (conditional decisions included) and applied in memory to each account
 * with the registered rules, so filtering a fleet costs no call per account.
 *
 * Reading an account needs both the report permission on the account and,
 * when catalog entities claim the account, read access to every one of them
 * (so that a second entity claiming an account can narrow who sees it but
 * never widen it).
 */
export class AccountAccess {
  constructor(
    private readonly deps: {
      permissions: PermissionsService;
      directory: AccountDirectory;
      /** Applies a conditional decision to a resource with this plugin's rules. */
      applyConditions: (
        decision: PolicyDecision,
        resource: CloudTrailAccountResource,
      ) => boolean;
    },
  ) {}

  /** The account as a permission resource. */
  async resource(
    accountId: string,
    membership?: AccountMembership,
  ): Promise<CloudTrailAccountResource> {
    const catalog = await this.deps.directory.accounts();
    return toResource(accountId, catalog.get(accountId), membership);
  }

  /** The caller's read filter; a definitive deny is a 403. */
  async readFilter(credentials: BackstageCredentials): Promise<AccountFilter> {
    return (await this.readFilterOrAll(credentials)) ?? (() => true);
  }

  /**
   * Like `readFilter`, but undefined when the caller may read every account,
   * so that lists can skip filtering altogether.
   */
  async readFilterOrAll(
    credentials: BackstageCredentials,
  ): Promise<AccountFilter | undefined> {
    const decision = await this.#decide(
      cloudTrailEncryptionReportReadPermission,
      credentials,
    );
    const [catalog, readable] = await Promise.all([
      this.deps.directory.accounts(),
      this.deps.directory.readableEntityRefs(credentials),
    ]);
    const hidden = new Set<string>();
    if (readable) {
      for (const [accountId, entry] of catalog) {
        if (!entry.claims.every(c => readable.has(c.entityRef))) {
          hidden.add(accountId);
        }
      }
    }
    if (decision.result === AuthorizeResult.ALLOW) {
      return hidden.size ? accountId => !hidden.has(accountId) : undefined;
    }
    return (accountId, membership) =>
      !hidden.has(accountId) &&
      this.#allows(
        decision,
        toResource(accountId, catalog.get(accountId), membership),
      );
  }

  /** Whether the caller holds `permission` on the account (403 when definitively denied). */
  async allowed(
    permission: ResourcePermission,
    credentials: BackstageCredentials,
    resource: CloudTrailAccountResource,
  ): Promise<boolean> {
    const decision = await this.#decide(permission, credentials);
    return this.#allows(decision, resource);
  }

  /** Unconditional permission (e.g. a full scan, which covers every account). */
  async allowedEverywhere(
    permission: ResourcePermission,
    credentials: BackstageCredentials,
  ): Promise<boolean> {
    const [decision] = await this.deps.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  #allows(
    decision: PolicyDecision,
    resource: CloudTrailAccountResource,
  ): boolean {
    if (decision.result === AuthorizeResult.ALLOW) return true;
    if (decision.result === AuthorizeResult.DENY) return false;
    return this.deps.applyConditions(decision, resource);
  }

  async #decide(
    permission: ResourcePermission,
    credentials: BackstageCredentials,
  ): Promise<PolicyDecision> {
    const [decision] = await this.deps.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
    return decision;
  }
}
