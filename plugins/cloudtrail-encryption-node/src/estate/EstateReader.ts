import {
  DescribeOrganizationCommand,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListRoots,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type {
  AccountMembership,
  EstateAccountState,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import pLimit from 'p-limit';
import type { AwsAccess } from '../aws/AwsAccess';
import { CallDeadlines } from '../aws/callDeadline';
import { formatAwsError } from '../aws/errors';
import type { EstateSettings } from './settings';

/**
 * One account of the estate.
 *
 * @public
 */
export interface EstateAccount {
  accountId: string;
  name?: string;
  membership: AccountMembership;
  /**
   * The account's parents, root first (`r-…`, then `ou-…`), as the walk of
   * the tree saw them: the OU path by id, for the organization's policies.
   */
  parentIds?: string[];
}

/**
 * The accounts scanned and trusted, as one read of AWS Organizations (or the configuration) saw them.
 *
 * @public
 */
export interface Estate {
  mode: 'organization' | 'accounts';
  organizationId?: string;
  managementAccountId?: string;
  /** Every account of the estate, in any state; excluded accounts removed. */
  accounts: EstateAccount[];
  /** Outside accounts trusted for decrypt by configuration (not scanned). */
  trustedAccountIds: string[];
  /** ISO time of the read. */
  readAt: string;
}

const STATES = new Set<string>([
  'ACTIVE',
  'SUSPENDED',
  'PENDING_CLOSURE',
  'CLOSED',
]);

/** `State` is the current field; `Status` is what older organizations (and SDKs) return. */
function stateOf(account: Account): EstateAccountState {
  const state = String(account.State ?? account.Status ?? 'ACTIVE');
  if (STATES.has(state)) return state as EstateAccountState;
  // PENDING_ACTIVATION: not usable yet, like a suspended account.
  return 'SUSPENDED';
}

/** Organizations' quotas are low (a few calls per second): few look-ups at once. */
const OU_LOOKUP_CONCURRENCY = 4;

/**
 * The OU path of every account, walking the tree from the root down:
 * ListRoots, then per root or OU one ListOrganizationalUnitsForParent and one
 * ListAccountsForParent (paged). The calls grow with the number of OUs and
 * pages, not with the number of accounts, which matters under the
 * organization's low request quotas when it holds thousands of accounts.
 */
async function readOuPaths(
  client: OrganizationsClient,
): Promise<Map<string, { path: string; parentIds: string[] }>> {
  const paths = new Map<string, { path: string; parentIds: string[] }>();
  const limit = pLimit(OU_LOOKUP_CONCURRENCY);
  const visit = async (
    parentId: string,
    path: string,
    ancestors: string[],
  ): Promise<void> => {
    const parentIds = [...ancestors, parentId];
    const [ous] = await Promise.all([
      limit(async () => {
        const found: { id: string; name: string }[] = [];
        for await (const page of paginateListOrganizationalUnitsForParent(
          { client },
          { ParentId: parentId },
        )) {
          for (const ou of page.OrganizationalUnits ?? []) {
            if (ou.Id) found.push({ id: ou.Id, name: ou.Name ?? ou.Id });
          }
        }
        return found;
      }),
      limit(async () => {
        for await (const page of paginateListAccountsForParent(
          { client },
          { ParentId: parentId },
        )) {
          for (const account of page.Accounts ?? []) {
            if (account.Id) paths.set(account.Id, { path, parentIds });
          }
        }
      }),
    ]);
    await Promise.all(
      ous.map(ou => visit(ou.id, `${path}/${ou.name}`, parentIds)),
    );
  };
  const roots: string[] = [];
  for await (const page of paginateListRoots({ client }, {})) {
    for (const root of page.Roots ?? []) if (root.Id) roots.push(root.Id);
  }
  await Promise.all(roots.map(id => visit(id, 'Root', [])));
  return paths;
}

/** @public */
export interface EstateReaderOptions {
  aws: AwsAccess;
  settings: EstateSettings;
  /** Deadline of one Organizations call with its retries. */
  callTimeoutMs?: number;
}

/**
 * Reads the estate: the organization's accounts (DescribeOrganization,
 * ListAccounts, OU paths through ListParents and DescribeOrganizationalUnit)
 * plus configured accounts, or, in `accounts` mode, the configured accounts
 * only, without any Organizations call.
 *
 * @public
 */
export class EstateReader {
  readonly #aws: AwsAccess;
  readonly #settings: EstateSettings;
  readonly #deadlines: CallDeadlines;

  constructor(options: EstateReaderOptions) {
    this.#aws = options.aws;
    this.#settings = options.settings;
    this.#deadlines = CallDeadlines.for(options.callTimeoutMs ?? 60_000);
  }

  get settings(): Readonly<EstateSettings> {
    return this.#settings;
  }

  /** Throws an Error naming the AWS error when the organization cannot be read. */
  async read(): Promise<Estate> {
    const settings = this.#settings;
    const excluded = new Set(settings.exclude);
    const accounts = new Map<string, EstateAccount>();
    let organizationId: string | undefined;
    let managementAccountId = settings.managementAccountId;

    if (settings.source === 'organization') {
      const org = await this.#readOrganization(excluded);
      organizationId = org.organizationId;
      managementAccountId = org.managementAccountId ?? managementAccountId;
      for (const account of org.accounts) {
        accounts.set(account.accountId, account);
      }
    }
    const configured = [
      ...(settings.fromAwsConfig ? settings.awsConfigAccountIds : []),
      ...settings.include,
    ];
    for (const accountId of configured) {
      if (excluded.has(accountId) || accounts.has(accountId)) continue;
      accounts.set(accountId, {
        accountId,
        membership: { source: 'configured', state: 'ACTIVE' },
      });
    }
    return {
      mode: settings.source,
      ...(organizationId ? { organizationId } : {}),
      ...(managementAccountId ? { managementAccountId } : {}),
      accounts: [...accounts.values()].sort((a, b) =>
        a.accountId.localeCompare(b.accountId),
      ),
      trustedAccountIds: [...settings.trustedAccountIds],
      readAt: new Date().toISOString(),
    };
  }

  async #readOrganization(excluded: Set<string>) {
    // As the management (or delegated administrator) account's scan role
    // when configured, otherwise as the backend's own identity.
    const managementAccountId = this.#settings.managementAccountId;
    try {
      return await (managementAccountId
        ? this.#aws.as(managementAccountId, account =>
            this.#listOrganization(account.organizations(), excluded),
          )
        : this.#aws.asMain(account =>
            this.#listOrganization(account.organizations(), excluded),
          ));
    } catch (error) {
      throw new Error(
        `Could not read the AWS organization: ${formatAwsError(error)}`,
        { cause: error },
      );
    }
  }

  async #listOrganization(client: OrganizationsClient, excluded: Set<string>) {
    const { Organization } = await client.send(
      new DescribeOrganizationCommand({}),
      { abortSignal: this.#signal() },
    );
    const organizationId = Organization?.Id;
    const listed: Account[] = [];
    for await (const page of paginateListAccounts({ client }, {})) {
      listed.push(...(page.Accounts ?? []));
    }
    const wanted = listed.filter(a => a.Id && !excluded.has(a.Id));
    const paths = await readOuPaths(client);
    const accounts = wanted.map((a): EstateAccount => {
      const place = paths.get(a.Id!);
      return {
        accountId: a.Id!,
        ...(a.Name ? { name: a.Name } : {}),
        membership: {
          source: 'organization',
          state: stateOf(a),
          ...(organizationId ? { organizationId } : {}),
          ...(place ? { ouPath: place.path } : {}),
        },
        ...(place ? { parentIds: place.parentIds } : {}),
      };
    });
    return {
      organizationId,
      managementAccountId: Organization?.MasterAccountId,
      accounts,
    };
  }

  #signal() {
    return this.#deadlines.signal();
  }
}
