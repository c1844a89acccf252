import type {
  AuthService,
  BackstageCredentials,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  ANNOTATION_ORIGIN_LOCATION,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
  type CompoundEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AWS_ACCOUNT_ID_ANNOTATION,
  getAwsAccountIdFromAnnotations,
  ROADIE_AWS_ACCOUNT_ID_ANNOTATION,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/** The `spec.type`s of a `kind: Resource` entity that stands for an AWS account. */
export const ACCOUNT_ENTITY_TYPES = ['cloud-account', 'aws-account'];

const ENTITY_FIELDS = [
  'kind',
  'spec.type',
  'spec.owner',
  'relations',
  'metadata.namespace',
  'metadata.name',
  'metadata.title',
  'metadata.annotations',
];
const DIRECTORY_TTL_MS = 30_000;
const VISIBILITY_TTL_MS = 30_000;
const VISIBILITY_CACHE_LIMIT = 1_000;

// The same as 'en-US' lower-casing (which has no tailoring), at a tenth of
// the cost: this runs on every request.
const lower = (s: string) => s.toLowerCase();

/** What a caller who reads every entity is told by `readableEntityRefsNow`. */
const EVERY_ENTITY = { refs: undefined };

/** A value cached until `expires`, asked for once and shared. */
interface Cached<T, R = T> {
  expires: number;
  value: Promise<T>;
  /** What the value gave, once it has arrived. */
  resolved?: R;
}

/** One catalog entity claiming an account. */
export interface AccountClaim {
  accountId: string;
  /** Lower-case entity ref. */
  entityRef: string;
  title: string;
  ownerRefs: string[];
}

/** What the catalog says about one account. */
export interface CatalogAccount {
  /** Every accepted claim; more than one is a conflict. */
  claims: AccountClaim[];
  /** The account entity when exactly one claims the account. */
  entity?: AccountClaim;
}

function ownersOf(entity: Entity): string[] {
  if (entity.relations) {
    return entity.relations
      .filter(r => r.type === RELATION_OWNED_BY)
      .map(r => lower(r.targetRef));
  }
  // Entities from the catalog always have relations; this keeps entities
  // given without processing (tests, mocks) usable.
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string') return [];
  try {
    return [
      lower(
        stringifyEntityRef(
          parseEntityRef(owner, {
            defaultKind: 'Group',
            defaultNamespace: entity.metadata.namespace ?? 'default',
          }),
        ),
      ),
    ];
  } catch {
    return [];
  }
}

/**
 * The catalog's side of the accounts: which entity stands for which account
 * (ownership and display title only), and which of those entities a user may
 * read. The catalog never decides what is scanned or trusted.
 *
 * Only `kind: Resource` entities of an account type carrying the account id
 * annotation claim an account, optionally only from allowed locations. When
 * several entities claim one account, none of them gives it owners, so that
 * a second catalog-info.yaml can neither take over nor share an account.
 */
export class AccountDirectory {
  readonly #allowedLocations: string[] | undefined;
  #directory: Cached<Map<string, CatalogAccount>> | undefined;
  readonly #visibility = new Map<
    string,
    Cached<ReadonlySet<string>, { refs: ReadonlySet<string> }>
  >();
  readonly #reportedConflicts = new Set<string>();

  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      config: RootConfigService;
      logger: LoggerService;
    },
  ) {
    this.#allowedLocations = deps.config.getOptionalStringArray(
      'cloudtrailEncryption.catalog.allowedLocations',
    );
  }

  /** Whether only entities from some locations may claim accounts. */
  get restrictsLocations(): boolean {
    return this.#allowedLocations !== undefined;
  }

  /** The account an entity stands for, if it is an accepted account entity. */
  accountIdOf(entity: Entity): string | undefined {
    if (lower(entity.kind) !== 'resource') return undefined;
    const type = entity.spec?.type;
    if (typeof type !== 'string' || !ACCOUNT_ENTITY_TYPES.includes(type)) {
      return undefined;
    }
    if (this.#allowedLocations) {
      const origin =
        entity.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION] ?? '';
      if (!this.#allowedLocations.some(prefix => origin.startsWith(prefix))) {
        return undefined;
      }
    }
    return getAwsAccountIdFromAnnotations(entity.metadata.annotations);
  }

  /** Every account the catalog has an accepted claim for, cached briefly. */
  async accounts(): Promise<Map<string, CatalogAccount>> {
    const now = Date.now();
    if (this.#directory && this.#directory.expires > now) {
      return this.#directory.value;
    }
    const value = (async () => {
      const own = await this.deps.auth.getOwnServiceCredentials();
      const byAccount = new Map<string, CatalogAccount>();
      for (const claim of await this.#claims(own)) {
        const entry = byAccount.get(claim.accountId) ?? { claims: [] };
        entry.claims.push(claim);
        byAccount.set(claim.accountId, entry);
      }
      for (const [accountId, entry] of byAccount) {
        if (entry.claims.length === 1) {
          entry.entity = entry.claims[0];
        } else if (!this.#reportedConflicts.has(accountId)) {
          this.#reportedConflicts.add(accountId);
          this.deps.logger.warn(
            `Account ${accountId} is claimed by several catalog entities (${entry.claims
              .map(c => c.entityRef)
              .join(', ')}); none of them gives it owners`,
          );
        }
      }
      return byAccount;
    })();
    const entry: Cached<Map<string, CatalogAccount>> = {
      expires: now + DIRECTORY_TTL_MS,
      value,
    };
    value.then(
      accounts => {
        entry.resolved = accounts;
      },
      () => {
        if (this.#directory === entry) this.#directory = undefined;
      },
    );
    this.#directory = entry;
    return value;
  }

  /**
   * What `accounts()` would answer, when it can be answered without waiting
   * (cached, arrived and not expired); undefined otherwise.
   */
  accountsNow(): Map<string, CatalogAccount> | undefined {
    const directory = this.#directory;
    if (!directory?.resolved || directory.expires <= Date.now()) {
      return undefined;
    }
    return directory.resolved;
  }

  /**
   * The accepted claim of an account entity, by entity ref, from the cached
   * directory: serving an entity's report then needs no catalog round trip.
   * Undefined when the entity claims no account (or is unknown).
   */
  async claimOf(entityRef: string): Promise<AccountClaim | undefined> {
    return this.claimIn(await this.accounts(), entityRef);
  }

  /** The accepted claim of an account entity, by entity ref, in `accounts`. */
  claimIn(
    accounts: Map<string, CatalogAccount>,
    entityRef: string,
  ): AccountClaim | undefined {
    let index = this.#claimsByRef.get(accounts);
    if (!index) {
      index = new Map();
      for (const entry of accounts.values()) {
        for (const claim of entry.claims) index.set(claim.entityRef, claim);
      }
      this.#claimsByRef.set(accounts, index);
    }
    return index.get(lower(entityRef));
  }

  readonly #claimsByRef = new WeakMap<
    Map<string, CatalogAccount>,
    Map<string, AccountClaim>
  >();

  /**
   * Lower-case refs of the account entities a user can read, cached briefly
   * per user; undefined for service principals, which read every entity.
   */
  async readableEntityRefs(
    credentials: BackstageCredentials,
  ): Promise<ReadonlySet<string> | undefined> {
    const principal = credentials.principal as {
      type?: string;
      userEntityRef?: string;
    };
    if (principal.type !== 'user' || !principal.userEntityRef) return undefined;
    const key = principal.userEntityRef;
    const now = Date.now();
    const hit = this.#visibility.get(key);
    if (hit && hit.expires > now) return hit.value;
    if (this.#visibility.size >= VISIBILITY_CACHE_LIMIT) {
      for (const [k, v] of this.#visibility) {
        if (v.expires <= now) this.#visibility.delete(k);
      }
      if (this.#visibility.size >= VISIBILITY_CACHE_LIMIT) {
        this.#visibility.clear();
      }
    }
    const value = this.#claims(credentials).then(
      claims => new Set(claims.map(c => c.entityRef)),
    );
    const entry: Cached<ReadonlySet<string>, { refs: ReadonlySet<string> }> = {
      expires: now + VISIBILITY_TTL_MS,
      value,
    };
    value.then(
      refs => {
        entry.resolved = { refs };
      },
      () => {
        if (this.#visibility.get(key) === entry) this.#visibility.delete(key);
      },
    );
    this.#visibility.set(key, entry);
    return value;
  }

  /**
   * What `readableEntityRefs` would answer, as `{ refs }`, when it can be
   * answered without waiting; undefined otherwise.
   */
  readableEntityRefsNow(
    credentials: BackstageCredentials,
  ): { refs: ReadonlySet<string> | undefined } | undefined {
    const principal = credentials.principal as {
      type?: string;
      userEntityRef?: string;
    };
    if (principal.type !== 'user' || !principal.userEntityRef) {
      return EVERY_ENTITY;
    }
    const hit = this.#visibility.get(principal.userEntityRef);
    if (!hit?.resolved || hit.expires <= Date.now()) return undefined;
    return hit.resolved;
  }

  /** The entity, read with the caller's credentials (undefined when missing or unreadable). */
  async getEntity(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<Entity | undefined> {
    return this.deps.catalog.getEntityByRef(ref, { credentials });
  }

  async #claims(credentials: BackstageCredentials): Promise<AccountClaim[]> {
    const base = { kind: 'Resource', 'spec.type': ACCOUNT_ENTITY_TYPES };
    const { items } = await this.deps.catalog.getEntities(
      {
        filter: [
          {
            ...base,
            [`metadata.annotations.${AWS_ACCOUNT_ID_ANNOTATION}`]:
              CATALOG_FILTER_EXISTS,
          },
          {
            ...base,
            [`metadata.annotations.${ROADIE_AWS_ACCOUNT_ID_ANNOTATION}`]:
              CATALOG_FILTER_EXISTS,
          },
        ],
        fields: ENTITY_FIELDS,
      },
      { credentials },
    );
    return items.flatMap(entity => {
      // The catalog filter is not trusted to be exact (mocks, older catalogs).
      const accountId = this.accountIdOf(entity);
      if (!accountId) return [];
      return [
        {
          accountId,
          entityRef: lower(stringifyEntityRef(entity)),
          title: entity.metadata.title ?? entity.metadata.name,
          ownerRefs: ownersOf(entity),
        },
      ];
    });
  }
}
