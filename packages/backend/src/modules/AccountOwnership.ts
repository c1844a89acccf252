import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import type { Entity } from '@backstage/catalog-model';
import { parse } from 'yaml';

export const ACCOUNT_ID_ANNOTATION = 'amazonaws.com/account-id';

export interface AccountOwner {
  owner?: string;
  system?: string;
  description?: string;
  tags?: string[];
}

export interface AccountOwnershipFile {
  /** Applied to every account, under the per-account entries. */
  defaults?: AccountOwner;
  /** Keyed by 12-digit account id. */
  accounts?: Record<string, AccountOwner>;
}

const FIELDS: Array<keyof AccountOwner> = [
  'owner',
  'system',
  'description',
  'tags',
];

function checkOwner(value: unknown, where: string): AccountOwner {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where} must be a mapping`);
  }
  for (const [field, v] of Object.entries(value)) {
    if (!FIELDS.includes(field as keyof AccountOwner)) {
      throw new Error(`${where}.${field} is not one of ${FIELDS.join(', ')}`);
    }
    const ok =
      field === 'tags'
        ? Array.isArray(v) && v.every(t => typeof t === 'string')
        : typeof v === 'string' && v !== '';
    if (!ok) {
      throw new Error(
        `${where}.${field} must be ${
          field === 'tags' ? 'a list of strings' : 'a non-empty string'
        }`,
      );
    }
  }
  return value as AccountOwner;
}

/**
 * Who owns each AWS account, and the entity name it gets: what AWS
 * Organizations cannot say. AwsOrganizationCloudAccountProcessor emits every
 * account with `owner: unknown` and no system; this fills them in.
 */
export class AccountOwnership {
  static parse(text: string, source: string, namePrefix = '') {
    const doc = (parse(text) ?? {}) as AccountOwnershipFile;
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      throw new Error(`${source} must be a mapping`);
    }
    const defaults = doc.defaults
      ? checkOwner(doc.defaults, `${source}: defaults`)
      : {};
    const accounts = new Map<string, AccountOwner>();
    for (const [id, owner] of Object.entries(doc.accounts ?? {})) {
      if (!/^\d{12}$/.test(id)) {
        throw new Error(`${source}: accounts key ${id} is not an account id`);
      }
      accounts.set(id, checkOwner(owner, `${source}: accounts.${id}`));
    }
    return new AccountOwnership(defaults, accounts, namePrefix);
  }

  /** Reads the file relative to the backend's working directory, like file locations. */
  static async fromFile(path: string | undefined, namePrefix = '') {
    if (!path) return new AccountOwnership({}, new Map(), namePrefix);
    const full = resolvePath(path);
    return AccountOwnership.parse(
      await readFile(full, 'utf8'),
      full,
      namePrefix,
    );
  }

  private constructor(
    private readonly defaults: AccountOwner,
    private readonly accounts: Map<string, AccountOwner>,
    private readonly namePrefix: string,
  ) {}

  /** The account entity with its owner, system, description and prefixed name. */
  apply(entity: Entity): Entity {
    const accountId = entity.metadata.annotations?.[ACCOUNT_ID_ANNOTATION];
    const listed = accountId ? this.accounts.get(accountId) : undefined;
    const own = { ...this.defaults, ...listed };
    const tags = [
      ...new Set([
        ...(entity.metadata.tags ?? []),
        ...(this.defaults.tags ?? []),
        ...(listed?.tags ?? []),
      ]),
    ];
    return {
      ...entity,
      metadata: {
        ...entity.metadata,
        name: `${this.namePrefix}${entity.metadata.name}`,
        ...(own.description ? { description: own.description } : {}),
        ...(tags.length > 0 ? { tags } : {}),
      },
      spec: {
        ...entity.spec,
        ...(own.owner ? { owner: own.owner } : {}),
        ...(own.system ? { system: own.system } : {}),
      },
    };
  }
}
