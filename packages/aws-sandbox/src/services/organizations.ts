import {
  decodeToken,
  encodeToken,
  Handler,
  optionalInt,
  RequestContext,
} from '../server/context';
import { AwsError, epoch } from '../server/protocol';
import type { AccountRecord, OrganizationRecord } from '../state/records';

const ROOT_ID_RE = /^r-[0-9a-z]{4,32}$/;
const OU_ID_RE = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ACCOUNT_ID_RE = /^\d{12}$/;

function org(ctx: RequestContext) {
  const o = ctx.state.organization;
  if (!o || !ctx.state.isOrgMember(ctx.caller.accountId)) {
    throw new AwsError(
      'AWSOrganizationsNotInUseException',
      'Your account is not a member of an organization.',
    );
  }
  return o;
}

/** Listing the organization's structure is for its management account only. */
export function managementOnly(ctx: RequestContext) {
  const o = org(ctx);
  if (ctx.caller.accountId !== o.managementAccount) {
    throw new AwsError(
      'AccessDeniedException',
      "You don't have permissions to access this resource.",
    );
  }
  return o;
}

export function invalidInput(message: string) {
  return new AwsError('InvalidInputException', message);
}

/** One page of `all` as AWS pages its List* calls (MaxResults 1..20). */
export function page<T>(
  ctx: RequestContext,
  all: T[],
  salt: string,
): { items: T[]; next?: string } {
  const max = optionalInt(ctx, 'MaxResults') ?? 20;
  if (max < 1 || max > 20) {
    throw invalidInput(
      'You provided a value that does not match the required pattern.',
    );
  }
  const start = decodeToken(ctx.params.NextToken, salt, () =>
    invalidInput('The NextToken is not valid.'),
  );
  return {
    items: all.slice(start, start + max),
    next: start + max < all.length ? encodeToken(start + max, salt) : undefined,
  };
}

/** The policy types enabled in every scenario organization. */
const ENABLED_POLICY_TYPES = [
  { Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' },
  { Type: 'RESOURCE_CONTROL_POLICY', Status: 'ENABLED' },
];

export const rootArn = (o: OrganizationRecord) =>
  `arn:aws:organizations::${o.managementAccount}:root/${o.id}/${o.rootId}`;

export const ouArn = (o: OrganizationRecord, id: string) =>
  `arn:aws:organizations::${o.managementAccount}:ou/${o.id}/${id}`;

function describeOrganization(ctx: RequestContext) {
  const o = org(ctx);
  const mgmt = ctx.state.accounts.get(o.managementAccount);
  return {
    Organization: {
      Id: o.id,
      Arn: `arn:aws:organizations::${o.managementAccount}:organization/${o.id}`,
      FeatureSet: 'ALL',
      MasterAccountArn: `arn:aws:organizations::${o.managementAccount}:account/${o.id}/${o.managementAccount}`,
      MasterAccountId: o.managementAccount,
      MasterAccountEmail: mgmt?.email,
      AvailablePolicyTypes: ENABLED_POLICY_TYPES,
    },
  };
}

/** The deprecated `Status` has no CLOSED: AWS shows closed accounts as SUSPENDED. */
const LEGACY_STATUS: Record<string, string> = {
  ACTIVE: 'ACTIVE',
  SUSPENDED: 'SUSPENDED',
  PENDING_CLOSURE: 'PENDING_CLOSURE',
  CLOSED: 'SUSPENDED',
};

function accountShape(
  o: OrganizationRecord,
  a: Pick<AccountRecord, 'id' | 'email' | 'name' | 'state' | 'joinedTimestamp'>,
) {
  return {
    Id: a.id,
    Arn: `arn:aws:organizations::${o.managementAccount}:account/${o.id}/${a.id}`,
    Email: a.email,
    Name: a.name,
    Status: LEGACY_STATUS[a.state],
    State: a.state,
    JoinedMethod: a.id === o.managementAccount ? 'CREATED' : 'INVITED',
    JoinedTimestamp: epoch(a.joinedTimestamp),
  };
}

function listAccounts(ctx: RequestContext) {
  const o = managementOnly(ctx);
  const all = [...ctx.state.accounts.values()].filter(a => a.inOrganization);
  const { items, next } = page(ctx, all, `accounts/${o.id}`);
  return {
    Accounts: items.map(a => accountShape(o, a)),
    NextToken: next,
  };
}

function listRoots(ctx: RequestContext) {
  const o = managementOnly(ctx);
  const { items, next } = page(ctx, [o], `roots/${o.id}`);
  return {
    Roots: items.map(r => ({
      Id: r.rootId,
      Arn: rootArn(r),
      Name: 'Root',
      PolicyTypes: ENABLED_POLICY_TYPES,
    })),
    NextToken: next,
  };
}

function parentType(o: OrganizationRecord, id: string) {
  return id === o.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT';
}

function listParents(ctx: RequestContext) {
  const o = managementOnly(ctx);
  const childId = ctx.params.ChildId;
  if (typeof childId !== 'string' || childId === '') {
    throw invalidInput(
      'You provided a value that does not match the required pattern.',
    );
  }
  let parentId: string | undefined;
  if (ACCOUNT_ID_RE.test(childId)) {
    const account = ctx.state.accounts.get(childId);
    parentId = account?.inOrganization ? account.parentId : undefined;
  } else if (OU_ID_RE.test(childId)) {
    parentId = ctx.state.organizationalUnits.get(childId)?.parentId;
  } else {
    throw invalidInput(
      'You provided a value that does not match the required pattern.',
    );
  }
  if (!parentId) {
    throw new AwsError(
      'ChildNotFoundException',
      "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
    );
  }
  const { items, next } = page(ctx, [parentId], `parents/${childId}`);
  return {
    Parents: items.map(id => ({ Id: id, Type: parentType(o, id) })),
    NextToken: next,
  };
}

function describeOrganizationalUnit(ctx: RequestContext) {
  const o = managementOnly(ctx);
  const id = ctx.params.OrganizationalUnitId;
  if (typeof id !== 'string' || !OU_ID_RE.test(id)) {
    throw invalidInput(
      'You provided a value that does not match the required pattern.',
    );
  }
  const ou = ctx.state.organizationalUnits.get(id);
  if (!ou) {
    throw new AwsError(
      'OrganizationalUnitNotFoundException',
      "We can't find an OU with the OrganizationalUnitId that you specified.",
    );
  }
  return {
    OrganizationalUnit: { Id: ou.id, Arn: ouArn(o, ou.id), Name: ou.name },
  };
}

function listOrganizationalUnitsForParent(ctx: RequestContext) {
  const o = managementOnly(ctx);
  const parentId = parentIdParam(ctx, o);
  const children = [...ctx.state.organizationalUnits.values()].filter(
    ou => ou.parentId === parentId,
  );
  const { items, next } = page(ctx, children, `ous/${parentId}`);
  return {
    OrganizationalUnits: items.map(ou => ({
      Id: ou.id,
      Arn: ouArn(o, ou.id),
      Name: ou.name,
    })),
    NextToken: next,
  };
}

function parentIdParam(ctx: RequestContext, o: OrganizationRecord): string {
  const parentId = ctx.params.ParentId;
  if (
    typeof parentId !== 'string' ||
    !(ROOT_ID_RE.test(parentId) || OU_ID_RE.test(parentId))
  ) {
    throw invalidInput(
      'You provided a value that does not match the required pattern.',
    );
  }
  if (parentId !== o.rootId && !ctx.state.organizationalUnits.has(parentId)) {
    throw new AwsError(
      'ParentNotFoundException',
      "We can't find a root or OU with the ParentId that you specified.",
    );
  }
  return parentId;
}

function listAccountsForParent(ctx: RequestContext) {
  const o = managementOnly(ctx);
  const parentId = parentIdParam(ctx, o);
  const children = [...ctx.state.accounts.values()].filter(
    a => a.inOrganization && a.parentId === parentId,
  );
  const { items, next } = page(ctx, children, `accounts/${parentId}`);
  return {
    Accounts: items.map(a => accountShape(o, a)),
    NextToken: next,
  };
}

export const organizationsHandlers: Record<string, Handler> = {
  DescribeOrganization: describeOrganization,
  ListAccounts: listAccounts,
  ListRoots: listRoots,
  ListParents: listParents,
  DescribeOrganizationalUnit: describeOrganizationalUnit,
  ListOrganizationalUnitsForParent: listOrganizationalUnitsForParent,
  ListAccountsForParent: listAccountsForParent,
};
