import type {
  AuditorService,
  AuditorServiceEvent,
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { Request } from 'express';
import type { AccountDirectory } from './AccountDirectory';

/** The audited actions on an account, as auditor event ids. */
export type AccountAuditEventId = 'account-report-read' | 'account-rescan';

const OWNERSHIP_TTL_MS = 30_000;
const OWNERSHIP_CACHE_LIMIT = 1_000;
/** A caller's reads of one account within this window make one event. */
const READ_WINDOW_MS = 60_000;
const READ_WINDOW_LIMIT = 50_000;

// The same as 'en-US' lower-casing (which has no tailoring), at a tenth of
// the cost: this runs on the request path.
const lower = (s: string) => s.toLowerCase();

const NO_EVENT: Promise<undefined> = Promise.resolve(undefined);

/** The caller's user entity ref or service subject. */
function callerOf(credentials: BackstageCredentials): string | undefined {
  const principal = credentials.principal as {
    userEntityRef?: string;
    subject?: string;
  };
  return principal.userEntityRef ?? principal.subject;
}

/** Who accessed which account, and through what (an HTTP request or an action). */
type AccessOptions = {
  accountId: string;
  credentials: BackstageCredentials;
} & ({ request: Request } | { action: string });

/**
 * Records, through the auditor, reads and rescans of an account by a caller
 * who is not among the owners of the account's entity: what one team learns
 * about another team's account. Owners acting on their own account are not
 * recorded, and neither are lists, which show summaries only.
 *
 * A user's ownership refs are cached briefly, as the catalog's view is, so
 * that an audited read costs no extra round trip. Reads are recorded once
 * per caller, account and channel (HTTP, or an action of the actions
 * registry) a minute: a page or script reading the same report over and over
 * would otherwise bury the events that matter (each rescan is recorded).
 */
export class AccountAudit {
  readonly #ownership = new Map<
    string,
    { expires: number; value: Promise<ReadonlySet<string>> }
  >();

  /**
   * When each caller's last recorded read of each account expires, per
   * channel and caller (nested, so that a read looks up strings it already
   * has instead of building a key).
   */
  readonly #recentReads = {
    http: new Map<string, Map<string, number>>(),
    action: new Map<string, Map<string, number>>(),
  };
  #recentReadCount = 0;

  constructor(
    private readonly deps: {
      auditor: AuditorService;
      userInfo: UserInfoService;
      directory: Pick<AccountDirectory, 'accounts'>;
    },
  ) {}

  /**
   * Starts an audit event for `eventId` on the account when the caller does
   * not own it; undefined (nothing recorded) when the caller is an owner.
   *
   * Either `request` (an HTTP route) or `action` (an action of the actions
   * registry, e.g. called over MCP) says where the access came from. An
   * action has no request the auditor could learn the caller from, so its
   * event names the action and the caller in `meta`.
   */
  ofForeignAccess(
    options: AccessOptions & { eventId: AccountAuditEventId },
  ): Promise<AuditorServiceEvent | undefined> {
    if (options.eventId === 'account-report-read') {
      return this.ofForeignRead(options) ?? NO_EVENT;
    }
    return this.#startEvent(options);
  }

  /**
   * `ofForeignAccess` for a report read, undefined at once (no async step)
   * when the read falls in a window already recorded, as most do.
   */
  ofForeignRead(
    options: AccessOptions,
  ): Promise<AuditorServiceEvent | undefined> | undefined {
    if (
      this.#readRecently(
        options.accountId,
        options.credentials,
        'action' in options ? 'action' : 'http',
      )
    ) {
      return undefined;
    }
    return this.#startEvent({ ...options, eventId: 'account-report-read' });
  }

  async #startEvent(
    options: AccessOptions & { eventId: AccountAuditEventId },
  ): Promise<AuditorServiceEvent | undefined> {
    const { accountId, credentials } = options;
    const action = 'action' in options ? options.action : undefined;
    const entity = (await this.deps.directory.accounts()).get(
      accountId,
    )?.entity;
    if (entity && (await this.#owns(credentials, entity.ownerRefs))) {
      return undefined;
    }
    const meta = { accountId, entityRef: entity?.entityRef };
    return this.deps.auditor.createEvent({
      eventId: options.eventId,
      severityLevel: 'low',
      ...('request' in options
        ? { request: options.request, meta }
        : {
            meta: {
              ...meta,
              via: 'mcp-action',
              action,
              initiator: callerOf(credentials),
            },
          }),
    });
  }

  /** Whether this read falls in the window of one already recorded (and if not, opens one). */
  #readRecently(
    accountId: string,
    credentials: BackstageCredentials,
    channel: 'http' | 'action',
  ): boolean {
    const who = callerOf(credentials);
    if (!who) return false;
    const byCaller = this.#recentReads[channel];
    let reads = byCaller.get(who);
    const now = Date.now();
    const until = reads?.get(accountId);
    if (until !== undefined && until > now) return true;
    if (until === undefined && this.#recentReadCount >= READ_WINDOW_LIMIT) {
      this.#dropExpiredReads(now);
      if (this.#recentReadCount >= READ_WINDOW_LIMIT) {
        this.#recentReads.http.clear();
        this.#recentReads.action.clear();
        this.#recentReadCount = 0;
      }
      reads = byCaller.get(who);
    }
    if (!reads) {
      reads = new Map();
      byCaller.set(who, reads);
    }
    if (!reads.has(accountId)) this.#recentReadCount += 1;
    reads.set(accountId, now + READ_WINDOW_MS);
    return false;
  }

  #dropExpiredReads(now: number): void {
    for (const byCaller of [this.#recentReads.http, this.#recentReads.action]) {
      for (const [who, reads] of byCaller) {
        for (const [accountId, until] of reads) {
          if (until <= now) {
            reads.delete(accountId);
            this.#recentReadCount -= 1;
          }
        }
        if (!reads.size) byCaller.delete(who);
      }
    }
  }

  async #owns(
    credentials: BackstageCredentials,
    ownerRefs: string[],
  ): Promise<boolean> {
    if (!ownerRefs.length) return false;
    const principal = credentials.principal as {
      type?: string;
      userEntityRef?: string;
    };
    if (principal.type !== 'user' || !principal.userEntityRef) return false;
    const claims = await this.#claimsOf(principal.userEntityRef, credentials);
    return ownerRefs.some(ref => claims.has(ref));
  }

  #claimsOf(
    userEntityRef: string,
    credentials: BackstageCredentials,
  ): Promise<ReadonlySet<string>> {
    const now = Date.now();
    const hit = this.#ownership.get(userEntityRef);
    if (hit && hit.expires > now) return hit.value;
    if (this.#ownership.size >= OWNERSHIP_CACHE_LIMIT) {
      for (const [k, v] of this.#ownership) {
        if (v.expires <= now) this.#ownership.delete(k);
      }
      if (this.#ownership.size >= OWNERSHIP_CACHE_LIMIT) {
        this.#ownership.clear();
      }
    }
    const value = this.deps.userInfo
      .getUserInfo(credentials)
      .then(info => new Set(info.ownershipEntityRefs.map(lower)));
    // Unknown ownership is recorded as a foreign access, and asked again.
    const settled = value.catch(() => {
      this.#ownership.delete(userEntityRef);
      return new Set<string>();
    });
    this.#ownership.set(userEntityRef, {
      expires: now + OWNERSHIP_TTL_MS,
      value: settled,
    });
    return settled;
  }
}
