import type {
  AuthService,
  BackstageCredentials,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  stringifyEntityRef,
  type CompoundEntityRef,
  type Entity,
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
const VISIBILITY_CACHE_LIMIT = 1_000;

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
  readonly #visibility = new Map<
    string,
    { expires: number; ids: Promise<Set<string>> }
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

  /** The account an entity names, if the caller can read the entity. */
  async accountForEntity(
    ref: CompoundEntityRef,
    credentials: BackstageCredentials,
  ): Promise<{ entity: Entity; accountId?: string } | undefined> {
    const entity = await this.deps.catalog.getEntityByRef(ref, { credentials });
    if (!entity) return undefined;
    return {
      entity,
      accountId: getAwsAccountIdFromAnnotations(entity.metadata.annotations),
    };
  }

  /**
   * Accounts the caller may not see: those whose catalog entity exists but
   * is not readable by the caller. Service principals see everything.
   * Cached briefly per user so that a page of requests doesn't query the
   * catalog for each one.
   */
  async hiddenAccountIds(
    credentials: BackstageCredentials,
  ): Promise<Set<string>> {
    const principal = credentials.principal as {
      type?: string;
      userEntityRef?: string;
    };
    if (principal.type !== 'user' || !principal.userEntityRef) {
      return new Set();
    }
    const [catalogued, readable] = await Promise.all([
      this.#cached('service', async () => {
        const own = await this.deps.auth.getOwnServiceCredentials();
        return new Set(
          (await this.#accountEntities(own)).map(e => e.accountId),
        );
      }),
      this.#cached(
        `user:${principal.userEntityRef}`,
        async () =>
          new Set(
            (await this.#accountEntities(credentials)).map(e => e.accountId),
          ),
      ),
    ]);
    return new Set([...catalogued].filter(id => !readable.has(id)));
  }

  #cached(key: string, load: () => Promise<Set<string>>): Promise<Set<string>> {
    const now = Date.now();
    const hit = this.#visibility.get(key);
    if (hit && hit.expires > now) return hit.ids;
    if (this.#visibility.size >= VISIBILITY_CACHE_LIMIT) {
      for (const [k, v] of this.#visibility) {
        if (v.expires <= now) this.#visibility.delete(k);
      }
      if (this.#visibility.size >= VISIBILITY_CACHE_LIMIT) {
        this.#visibility.clear();
      }
    }
    const ids = load();
    ids.catch(() => this.#visibility.delete(key));
    this.#visibility.set(key, { expires: now + VISIBILITY_TTL_MS, ids });
    return ids;
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
