import {
  DescribePolicyCommand,
  paginateListParents,
  paginateListPolicies,
  paginateListTargetsForPolicy,
  type OrganizationsClient,
  type PolicyType,
} from '@aws-sdk/client-organizations';
import pLimit from 'p-limit';
import type { AwsAccess } from './AwsAccess';
import { CallDeadlines } from './callDeadline';
import { sharedText } from '../policy/textMemo';

/**
 * An SCP or RCP with its document and the roots, OUs and accounts it is attached to.
 *
 * @public
 */
export interface OrganizationPolicyRecord {
  id: string;
  type: 'SCP' | 'RCP';
  name?: string;
  /** The parsed document, or the raw text when it is not JSON. */
  document: unknown;
  targetIds: string[];
}

const TYPES: Array<[OrganizationPolicyRecord['type'], PolicyType]> = [
  ['SCP', 'SERVICE_CONTROL_POLICY'],
  ['RCP', 'RESOURCE_CONTROL_POLICY'],
];

/** Organizations allows a few requests per second per account. */
const CONCURRENCY = 4;
/** Organizations' largest page: fewer calls under its low quotas. */
const PAGE_SIZE = 20;

/**
 * Reads the organization's guardrails as the management account (or a
 * delegated administrator): I/O only. ListPolicies per type, then per
 * policy ListTargetsForPolicy and DescribePolicy, so the calls grow with the
 * number of policies, not of accounts.
 *
 * @public
 */
export class OrganizationPolicyReader {
  readonly #limit = pLimit(CONCURRENCY);

  readonly #deadlines: CallDeadlines;

  constructor(
    private readonly aws: AwsAccess,
    options: { callTimeoutMs: number },
  ) {
    this.#deadlines = CallDeadlines.for(options.callTimeoutMs);
  }

  policies(managementAccountId: string): Promise<OrganizationPolicyRecord[]> {
    return this.aws.as(managementAccountId, async account => {
      const client = account.organizations();
      const listed = (
        await Promise.all(
          TYPES.map(async ([type, filter]) => {
            const found: Array<{ id: string; name?: string }> = [];
            for await (const page of paginateListPolicies(
              { client, pageSize: PAGE_SIZE },
              { Filter: filter },
            )) {
              for (const p of page.Policies ?? []) {
                if (p.Id) found.push({ id: p.Id, name: p.Name });
              }
            }
            return found.map(p => ({ ...p, type }));
          }),
        )
      ).flat();
      // A target several policies share is one string: the policies AWS
      // attaches everywhere each list every account of the organization.
      const targets = new Map<string, string>();
      const policies = await Promise.all(
        listed.map(async p => {
          const [document, targetIds] = await Promise.all([
            this.#limit(() => this.#document(client, p.id)),
            this.#limit(() => this.#targets(client, p.id, targets)),
          ]);
          return { ...p, document, targetIds };
        }),
      );
      // Only for reading: a heap snapshot of a 10,000-account scan found
      // it alive after the read (460 kB of table), through this scope.
      targets.clear();
      return policies;
    });
  }

  /** The direct parent (root or OU id) of an account or OU. */
  parent(
    managementAccountId: string,
    childId: string,
  ): Promise<string | undefined> {
    return this.aws.as(managementAccountId, account =>
      this.#limit(async () => {
        const client = account.organizations();
        for await (const page of paginateListParents(
          { client, pageSize: PAGE_SIZE },
          { ChildId: childId },
        )) {
          const id = page.Parents?.find(p => p.Id)?.Id;
          if (id) return id;
        }
        return undefined;
      }),
    );
  }

  async #document(
    client: OrganizationsClient,
    policyId: string,
  ): Promise<unknown> {
    const out = await client.send(
      new DescribePolicyCommand({ PolicyId: policyId }),
      {
        abortSignal: this.#deadlines.signal(),
      },
    );
    const content = out.Policy?.Content ?? '';
    try {
      return JSON.parse(content);
    } catch {
      return content;
    }
  }

  async #targets(
    client: OrganizationsClient,
    policyId: string,
    known: Map<string, string>,
  ): Promise<string[]> {
    const ids: string[] = [];
    for await (const page of paginateListTargetsForPolicy(
      { client, pageSize: PAGE_SIZE },
      { PolicyId: policyId },
    )) {
      for (const t of page.Targets ?? []) {
        if (t.TargetId) ids.push(sharedText(known, t.TargetId));
      }
    }
    return ids;
  }
}
