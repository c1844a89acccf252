import { RELATION_OWNED_BY } from '@backstage/catalog-model';
import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
  type PermissionRule,
} from '@backstage/plugin-permission-node';
import type { PermissionRuleParams } from '@backstage/plugin-permission-common';
import {
  CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE,
  type AccountMembership,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { z } from 'zod/v3';

/**
 * An AWS account as the permission framework sees it. Owners come from the
 * account's own catalog entity (its `ownedBy` relations), never from any
 * other entity that happens to carry the account id.
 *
 * @public
 */
export interface CloudTrailAccountResource {
  accountId: string;
  /** Lower-case entity refs of the owners; empty when the account has no (single) account entity. */
  ownerRefs: string[];
  /** The account entity, when exactly one is accepted. */
  entityRef?: string;
  membership?: AccountMembership;
}

/**
 * What a rule would filter on in a query; rules are applied in memory.
 *
 * @public
 */
export interface CloudTrailAccountFilter {
  key: 'ownerRefs' | 'accountId' | 'ouPath';
  values: string[];
}

/** @public */
export const cloudTrailAccountResourceRef = createPermissionResourceRef<
  CloudTrailAccountResource,
  CloudTrailAccountFilter
>().with({
  pluginId: 'cloudtrail-encryption',
  resourceType: CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE,
});

// The same as 'en-US' lower-casing (which has no tailoring), at a tenth of
// the cost: this runs on the request path.
const lower = (s: string) => s.toLowerCase();

/**
 * A permission rule on AWS-account resources.
 *
 * @public
 */
export type AccountRule<TParams extends PermissionRuleParams> = PermissionRule<
  CloudTrailAccountResource,
  CloudTrailAccountFilter,
  typeof CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE,
  TParams
>;

/**
 * The params schemas are zod v3 schemas, which the permission framework
 * validates and describes at run time; the cast only bridges its own zod
 * typings, which differ from this package's zod version.
 */
function accountRule<TParams extends PermissionRuleParams>(
  rule: Omit<AccountRule<TParams>, 'resourceType' | 'paramsSchema'> & {
    paramsSchema: z.ZodType<TParams>;
  },
): AccountRule<TParams> {
  return createPermissionRule<
    CloudTrailAccountResource,
    CloudTrailAccountFilter,
    typeof CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE,
    TParams
  >({
    ...rule,
    resourceType: CLOUDTRAIL_ENCRYPTION_ACCOUNT_RESOURCE_TYPE,
    paramsSchema: rule.paramsSchema as any,
  });
}

const isOwnedBy = accountRule({
  name: 'IS_OWNED_BY',
  description:
    "Allow accounts whose account entity is owned by one of the given claims (e.g. the user's ownership entity refs)",
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe(
        `Entity refs matched against the account entity's ${RELATION_OWNED_BY} relations`,
      ),
  }),
  apply: (resource, { claims }) => {
    const wanted = new Set(claims.map(lower));
    return resource.ownerRefs.some(ref => wanted.has(ref));
  },
  toQuery: ({ claims }) => ({ key: 'ownerRefs', values: claims.map(lower) }),
});

const hasAccountId = accountRule({
  name: 'HAS_ACCOUNT_ID',
  description: 'Allow the accounts with the given 12-digit ids',
  paramsSchema: z.object({
    accountIds: z.array(z.string()).describe('12-digit AWS account ids'),
  }),
  apply: (resource, { accountIds }) => accountIds.includes(resource.accountId),
  toQuery: ({ accountIds }) => ({ key: 'accountId', values: accountIds }),
});

const isInOu = accountRule({
  name: 'IS_IN_OU',
  description:
    'Allow accounts in the given organizational unit or below it, by path from the root (e.g. Root/Workloads)',
  paramsSchema: z.object({
    ouPath: z
      .string()
      .describe('OU path from the root, e.g. Root/Workloads/Prod'),
  }),
  apply: (resource, { ouPath }) => {
    const path = resource.membership?.ouPath;
    if (!path) return false;
    const want = ouPath.replace(/\/+$/, '');
    return path === want || path.startsWith(`${want}/`);
  },
  toQuery: ({ ouPath }) => ({ key: 'ouPath', values: [ouPath] }),
});

/** @public */
export const cloudTrailAccountRules = {
  isOwnedBy,
  hasAccountId,
  isInOu,
};

const exports_ = createConditionExports({
  resourceRef: cloudTrailAccountResourceRef,
  rules: cloudTrailAccountRules,
});

/**
 * Condition factories for policies: `cloudTrailAccountConditions.isOwnedBy({ claims })`,
 * `.hasAccountId({ accountIds })`, `.isInOu({ ouPath })`.
 *
 * @public
 */
export const cloudTrailAccountConditions = exports_.conditions;

/**
 * Wraps account conditions into a conditional decision for a TrailGuard permission.
 *
 * @public
 */
export const createCloudTrailAccountConditionalDecision =
  exports_.createConditionalDecision;
