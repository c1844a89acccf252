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

/** The caller's view of the accounts, with a key that identifies it. */
export interface ReadView {
  /** Undefined when the caller may read every account. */
  filter: AccountFilter | undefined;
  /**
   * Equal keys mean the same accounts are visible and the same catalog
   * entities readable, so a response computed for one view can be served to
   * another with the same key (given the same data).
   */
  key: string;
  /** The catalog's accounts the view was worked out from. */
  catalog: Map<string, CatalogAccount>;
  /** The account entities the caller may read; undefined when every one. */
  readable: ReadonlySet<string> | undefined;
}

const NOTHING_HIDDEN: ReadonlySet<string> = new Set();

/** Small ids for objects that are replaced, never changed, when their content changes. */
const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;
function idOf(value: object): number {
  let id = objectIds.get(value);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(value, id);
  }
  return id;
}

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
    return (await this.readView(credentials)).filter;
  }

  /**
   * The caller's read filter and a key for it. The catalog and the entities a
   * user may read are cached for a while and shared between requests, so
   * which accounts they hide is worked out once per catalog and user, not
   * once per request.
   */
  async readView(credentials: BackstageCredentials): Promise<ReadView> {
    const decision = await this.#authorize(
      cloudTrailEncryptionReportReadPermission,
      credentials,
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(
        `Not allowed: ${cloudTrailEncryptionReportReadPermission.name}`,
      );
    }
    const { directory } = this.deps;
    // Both are usually cached: then the view costs no further async step.
    let catalog = directory.accountsNow();
    const readableNow = directory.readableEntityRefsNow(credentials);
    let readable = readableNow?.refs;
    if (!catalog || !readableNow) {
      [catalog, readable] = await Promise.all([
        directory.accounts(),
        directory.readableEntityRefs(credentials),
      ]);
    }
    if (decision.result === AuthorizeResult.ALLOW) {
      return this.#allowView(catalog, readable);
    }
    const hidden = this.#hidden(catalog, readable);
    const known = catalog;
    return {
      filter: (accountId, membership) =>
        !hidden.has(accountId) &&
        this.#allows(
          decision,
          toResource(accountId, known.get(accountId), membership),
        ),
      // The rules are pure, so the conditions decide the rest.
      key: `${viewKey(catalog, readable)}:${JSON.stringify(decision)}`,
      catalog,
      readable,
    };
  }

  /**
   * Views of callers allowed every account, per catalog and readable set:
   * they depend on nothing else, so one is made per catalog and user.
   */
  readonly #allowViews = new WeakMap<object, ReadView>();

  #allowView(
    catalog: Map<string, CatalogAccount>,
    readable: ReadonlySet<string> | undefined,
  ): ReadView {
    const known = this.#allowViews.get(readable ?? catalog);
    if (known?.catalog === catalog) return known;
    const hidden = this.#hidden(catalog, readable);
    const view: ReadView = {
      filter: hidden.size ? accountId => !hidden.has(accountId) : undefined,
      key: viewKey(catalog, readable),
      catalog,
      readable,
    };
    this.#allowViews.set(readable ?? catalog, view);
    return view;
  }

  readonly #hiddenByReadable = new WeakMap<
    ReadonlySet<string>,
    { catalog: Map<string, CatalogAccount>; hidden: ReadonlySet<string> }
  >();

  /** Accounts claimed by at least one entity the user may not read. */
  #hidden(
    catalog: Map<string, CatalogAccount>,
    readable: ReadonlySet<string> | undefined,
  ): ReadonlySet<string> {
    if (!readable) return NOTHING_HIDDEN;
    const known = this.#hiddenByReadable.get(readable);
    if (known?.catalog === catalog) return known.hidden;
    const hidden = new Set<string>();
    for (const [accountId, entry] of catalog) {
      if (!entry.claims.every(c => readable.has(c.entityRef))) {
        hidden.add(accountId);
      }
    }
    this.#hiddenByReadable.set(readable, { catalog, hidden });
    return hidden;
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
    const decision = await this.#authorize(permission, credentials);
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
    const decision = await this.#authorize(permission, credentials);
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
    return decision;
  }

  readonly #pending = new Map<string, Promise<PolicyDecision>>();

  /**
   * The policy's decision for the caller. Requests of one caller that arrive
   * while the same decision is being asked share it: a page that loads the
   * fleet, the estate and a report at once, or a client polling in
   * parallel, costs the permission backend one call, not one per request.
   * Nothing is kept once the decision is answered.
   */
  #authorize(
    permission: ResourcePermission,
    credentials: BackstageCredentials,
  ): Promise<PolicyDecision> {
    const key = decisionKey(permission, credentials);
    let pending = key === undefined ? undefined : this.#pending.get(key);
    if (!pending) {
      const settle = () => {
        if (key !== undefined) this.#pending.delete(key);
      };
      pending = this.deps.permissions
        .authorizeConditional([{ permission }], { credentials })
        .then(
          ([decision]) => {
            settle();
            return decision;
          },
          error => {
            settle();
            throw error;
          },
        );
      if (key !== undefined) this.#pending.set(key, pending);
    }
    return pending;
  }
}

/** Names a catalog and readable set, for view keys. */
function viewKey(
  catalog: Map<string, CatalogAccount>,
  readable: ReadonlySet<string> | undefined,
): string {
  return `${idOf(catalog)}:${readable ? idOf(readable) : '*'}`;
}

/**
 * Names one caller's request for one permission: the principal and the
 * expiry of its token (which tells two sign-ins apart). Undefined when the
 * caller cannot be told apart from others (no principal).
 */
function decisionKey(
  permission: ResourcePermission,
  credentials: BackstageCredentials,
): string | undefined {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  let who: string | undefined;
  if (principal.type === 'user') who = principal.userEntityRef;
  if (principal.type === 'service') who = principal.subject;
  if (!who) return undefined;
  return `${permission.name}\u0000${principal.type}\u0000${who}\u0000${
    credentials.expiresAt?.getTime() ?? ''
  }`;
}
