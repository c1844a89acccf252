import {
  decodeToken,
  encodeToken,
  Handler,
  optionalInt,
  RequestContext,
} from '../server/context';
import { AwsError, epoch } from '../server/protocol';

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
      AvailablePolicyTypes: [
        { Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' },
      ],
    },
  };
}

function listAccounts(ctx: RequestContext) {
  const o = org(ctx);
  if (ctx.caller.accountId !== o.managementAccount) {
    throw new AwsError(
      'AccessDeniedException',
      "You don't have permissions to access this resource.",
    );
  }
  const max = optionalInt(ctx, 'MaxResults') ?? 20;
  if (max < 1 || max > 20) {
    throw new AwsError(
      'InvalidInputException',
      'You provided a value that does not match the required pattern.',
    );
  }
  const all = [...ctx.state.accounts.values()].filter(a => a.inOrganization);
  const start = decodeToken(
    ctx.params.NextToken,
    `accounts/${o.id}`,
    () => new AwsError('InvalidInputException', 'The NextToken is not valid.'),
  );
  const page = all.slice(start, start + max);
  const next =
    start + max < all.length
      ? encodeToken(start + max, `accounts/${o.id}`)
      : undefined;
  return {
    Accounts: page.map(a => ({
      Id: a.id,
      Arn: `arn:aws:organizations::${o.managementAccount}:account/${o.id}/${a.id}`,
      Email: a.email,
      Name: a.name,
      Status: 'ACTIVE',
      State: 'ACTIVE',
      JoinedMethod: a.id === o.managementAccount ? 'CREATED' : 'INVITED',
      JoinedTimestamp: epoch(a.joinedTimestamp),
    })),
    NextToken: next,
  };
}

export const organizationsHandlers: Record<string, Handler> = {
  DescribeOrganization: describeOrganization,
  ListAccounts: listAccounts,
};
