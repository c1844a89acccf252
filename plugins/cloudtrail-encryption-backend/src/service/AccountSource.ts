import type {
  AuthService,
  BackstageCredentials,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  stringifyEntityRef,
  type CompoundEntityRef,
} from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AWS_ACCOUNT_ID_ANNOTATION,
  getAwsAccountIdFromAnnotations,
  isAwsAccountId,
  ROADIE_AWS_ACCOUNT_ID_ANNOTATION,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { ScanAccount } from '@trailguard/plugin-cloudtrail-encryption-node';

const ENTITY_FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.title',
  'metadata.annotations',
];

const VISIBILITY_TTL_MS = 30_000;
const NONE: ReadonlySet<string> = new Set();
const VISIBILITY_CACHE_LIMIT = 1_000;

interface Visibility {
  /** Readable account entities: lower-case entity ref → account id. */
  readable: Map<string, string>;
  hidden: ReadonlySet<string>;
}

function refKey(ref: CompoundEntityRef): string {
  return stringifyEntityRef(ref).toLocaleLowerCase('en-US');
}

interface AccountEntity {
  accountId: string;
  entityRef: string;
  title?: string;
}

/**
 * Which accounts to scan, and which of them a caller may see.
 *
 * Accounts come from catalog entities annotated with an account id and from
 * `aws.accounts`. An account that has a catalog entity is visible to a user
 * only if the catalog lets that user read the entity; one known only from
 * configuration is governed by the report permission alone.
 */
export class AccountSource {
  readonly #visibilityCache = new Map<
    string,
    { expires: number; value: Promise<Visibility> }
  >();

  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      config: RootConfigService;
    },
  ) {}

  /** Every account to scan, with a display name when one is known. */
  async listAccounts(): Promise<ScanAccount[]> {
    const accounts = new Map<string, ScanAccount>();
    const section = this.deps.config.getOptionalConfig(
      'cloudtrailEncryption.accounts',
    );
    if (section?.getOptionalBoolean('fromAwsConfig') ?? true) {
      for (const acct of this.deps.config.getOptionalConfigArray(
        'aws.accounts',
      ) ?? []) {
        const accountId = acct.getString('accountId');
        if (isAwsAccountId(accountId)) accounts.set(accountId, { accountId });
      }
    }
    for (const accountId of section?.getOptionalStringArray('include') ?? []) {
      if (isAwsAccountId(accountId)) accounts.set(accountId, { accountId });
    }
    if (section?.getOptionalBoolean('fromCatalog') ?? true) {
      const credentials = await this.deps.auth.getOwnServiceCredentials();
      for (const e of await this.#accountEntities(credentials)) {
        accounts.set(e.accountId, {
          accountId: e.accountId,
          name: e.title ?? accounts.get(e.accountId)?.name,
        });
      }
    }
    for (const accountId of section?.getOptionalStringArray('exclude') ?? []) {
      accounts.delete(accountId);
    }
    return [...accounts.values()].sort((a, b) =>
      a.accountId.localeCompare(b.accountId),
    );
  }

  /**
   * The account an entity names, if the caller can read the entity. A user's
   * readable account entities are cached briefly (see `#visibility`); a miss
   * (an entity created since, or one without the annotation) asks the
   * catalog with the caller's credentials.
   */
  async accountForEntity(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<{ accountId?: string } | undefined> {
    const visibility = await this.#visibility(credentials);
    const cached = visibility?.readable.get(refKey(ref));
    if (cached) return { accountId: cached };
    const entity = await this.deps.catalog.getEntityByRef(ref, { credentials });
    if (!entity) return undefined;
    return {
      accountId: getAwsAccountIdFromAnnotations(entity.metadata.annotations),
    };
  }

  /**
   * Accounts the caller may not see: those whose catalog entity exists but
   * is not readable by the caller. Service principals see everything.
   */
  async hiddenAccountIds(
    credentials: BackstageCredentials,
  ): Promise<ReadonlySet<string>> {
    return (await this.#visibility(credentials))?.hidden ?? NONE;
  }

  /**
   * What a user can see, cached for a short while per user so that a page
   * of requests does not query the catalog for each one. Undefined for
   * service principals, which see everything.
   */
  async #visibility(
    credentials: BackstageCredentials,
  ): Promise<Visibility | undefined> {
    const principal = credentials.principal as {
      type?: string;
      userEntityRef?: string;
    };
    if (principal.type !== 'user' || !principal.userEntityRef) {
      return undefined;
    }
    const key = principal.userEntityRef;
    const now = Date.now();
    const hit = this.#visibilityCache.get(key);
    if (hit && hit.expires > now) return hit.value;
    if (this.#visibilityCache.size >= VISIBILITY_CACHE_LIMIT) {
      for (const [k, v] of this.#visibilityCache) {
        if (v.expires <= now) this.#visibilityCache.delete(k);
      }
      if (this.#visibilityCache.size >= VISIBILITY_CACHE_LIMIT) {
        this.#visibilityCache.clear();
      }
    }
    const value = (async (): Promise<Visibility> => {
      const own = await this.deps.auth.getOwnServiceCredentials();
      const [catalogued, readable] = await Promise.all([
        this.#accountEntities(own),
        this.#accountEntities(credentials),
      ]);
      const readableRefs = new Map(
        readable.map(e => [
          e.entityRef.toLocaleLowerCase('en-US'),
          e.accountId,
        ]),
      );
      const visible = new Set(readable.map(e => e.accountId));
      return {
        readable: readableRefs,
        hidden: new Set(
          catalogued.map(e => e.accountId).filter(id => !visible.has(id)),
        ),
      };
    })();
    value.catch(() => this.#visibilityCache.delete(key));
    this.#visibilityCache.set(key, { expires: now + VISIBILITY_TTL_MS, value });
    return value;
  }

  async #accountEntities(
    credentials: BackstageCredentials,
  ): Promise<AccountEntity[]> {
    const { items } = await this.deps.catalog.getEntities(
      {
        filter: [
          {
            [`metadata.annotations.${AWS_ACCOUNT_ID_ANNOTATION}`]:
              CATALOG_FILTER_EXISTS,
          },
          {
            [`metadata.annotations.${ROADIE_AWS_ACCOUNT_ID_ANNOTATION}`]:
              CATALOG_FILTER_EXISTS,
          },
        ],
        fields: ENTITY_FIELDS,
      },
      { credentials },
    );
    return items.flatMap(entity => {
      const accountId = getAwsAccountIdFromAnnotations(
        entity.metadata.annotations,
      );
      if (!accountId) return [];
      return [
        {
          accountId,
          entityRef: stringifyEntityRef(entity),
          title: entity.metadata.title ?? entity.metadata.name,
        },
      ];
    });
  }
}
