import type { Handler, RequestContext } from '../server/context';
import { AwsError } from '../server/protocol';
import type {
  OrganizationPolicyRecord,
  OrganizationRecord,
} from '../state/records';
import {
  invalidInput,
  managementOnly,
  ouArn,
  page,
  rootArn,
} from './organizations';

const POLICY_TYPES = [
  'SERVICE_CONTROL_POLICY',
  'RESOURCE_CONTROL_POLICY',
  'TAG_POLICY',
  'BACKUP_POLICY',
  'AISERVICES_OPT_OUT_POLICY',
  'CHATBOT_POLICY',
  'DECLARATIVE_POLICY_EC2',
  'SECURITYHUB_POLICY',
];
const POLICY_ID_RE = /^p-[0-9a-zA-Z_]{8,128}$/;
const TARGET_ID_RE =
  /^(r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

const PATTERN_MISMATCH =
  'You provided a value that does not match the required pattern.';

function filterParam(ctx: RequestContext): string {
  const f = ctx.params.Filter;
  if (typeof f !== 'string' || !POLICY_TYPES.includes(f)) {
    throw invalidInput(PATTERN_MISMATCH);
  }
  return f;
}

function policyParam(ctx: RequestContext): OrganizationPolicyRecord {
  const id = ctx.params.PolicyId;
  if (typeof id !== 'string' || !POLICY_ID_RE.test(id)) {
    throw invalidInput(PATTERN_MISMATCH);
  }
  const p = ctx.state.organizationPolicies.get(id);
  if (!p) {
    throw new AwsError(
      'PolicyNotFoundException',
      "We can't find a policy with the PolicyId that you specified.",
    );
  }
  return p;
}

function summary(p: OrganizationPolicyRecord) {
  return {
    Id: p.id,
    Arn: p.arn,
    Name: p.name,
    Description: p.description,
    Type: p.type,
    AwsManaged: p.awsManaged,
  };
}

/** The root, OU or member account a target id names, or undefined. */
function target(ctx: RequestContext, o: OrganizationRecord, id: string) {
  if (id === o.rootId) {
    return { TargetId: id, Arn: rootArn(o), Name: 'Root', Type: 'ROOT' };
  }
  const ou = ctx.state.organizationalUnits.get(id);
  if (ou) {
    return {
      TargetId: id,
      Arn: ouArn(o, id),
      Name: ou.name,
      Type: 'ORGANIZATIONAL_UNIT',
    };
  }
  const account = ctx.state.accounts.get(id);
  if (account?.inOrganization) {
    return {
      TargetId: id,
      Arn: `arn:aws:organizations::${o.managementAccount}:account/${o.id}/${id}`,
      Name: account.name,
      Type: 'ACCOUNT',
    };
  }
  return undefined;
}

function listPolicies(ctx: RequestContext) {
  const o = managementOnly(ctx);
  const type = filterParam(ctx);
  const all = [...ctx.state.organizationPolicies.values()].filter(
    p => p.type === type,
  );
  const { items, next } = page(ctx, all, `policies/${o.id}/${type}`);
  return { Policies: items.map(summary), NextToken: next };
}

function describePolicy(ctx: RequestContext) {
  managementOnly(ctx);
  const p = policyParam(ctx);
  return { Policy: { PolicySummary: summary(p), Content: p.content } };
}

function listTargetsForPolicy(ctx: RequestContext) {
  const o = managementOnly(ctx);
  const p = policyParam(ctx);
  const targets = [...p.targets]
    .map(id => target(ctx, o, id))
    .filter(t => t !== undefined);
  const { items, next } = page(ctx, targets, `targets/${p.id}`);
  return { Targets: items, NextToken: next };
}

/** Only the policies attached directly: inherited ones come from the parents. */
function listPoliciesForTarget(ctx: RequestContext) {
  const o = managementOnly(ctx);
  const id = ctx.params.TargetId;
  if (typeof id !== 'string' || !TARGET_ID_RE.test(id)) {
    throw invalidInput(PATTERN_MISMATCH);
  }
  const type = filterParam(ctx);
  if (!target(ctx, o, id)) {
    throw new AwsError(
      'TargetNotFoundException',
      "We can't find a root, OU, account, or email that you specified.",
    );
  }
  const attached = [...ctx.state.organizationPolicies.values()].filter(
    p => p.type === type && p.targets.has(id),
  );
  const { items, next } = page(ctx, attached, `for/${id}/${type}`);
  return { Policies: items.map(summary), NextToken: next };
}

export const organizationPolicyHandlers: Record<string, Handler> = {
  ListPolicies: listPolicies,
  DescribePolicy: describePolicy,
  ListTargetsForPolicy: listTargetsForPolicy,
  ListPoliciesForTarget: listPoliciesForTarget,
};
