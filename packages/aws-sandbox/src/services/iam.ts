import {
  decodeToken,
  encodeToken,
  Handler,
  optionalInt,
  RequestContext,
} from '../server/context';
import { AwsError, el, esc, node } from '../server/protocol';
import type {
  AccountIamRecord,
  IamPermissionsRecord,
  ManagedPolicyRecord,
} from '../state/iam';

const FILTERS = [
  'User',
  'Role',
  'Group',
  'LocalManagedPolicy',
  'AWSManagedPolicy',
] as const;
type EntityFilter = (typeof FILTERS)[number];

function validation(message: string): AwsError {
  return new AwsError('ValidationError', message, 400);
}

/** IAM returns policy documents URL-encoded (RFC 3986), inside the XML. */
const encodedDocument = (json: string) => encodeURIComponent(json);

const members = (items: string[]) => items.map(i => node('member', i));

function policyDetails(list: IamPermissionsRecord['inlinePolicies']) {
  return members(
    list.map(p =>
      [
        el('PolicyName', p.name),
        el('PolicyDocument', encodedDocument(p.document)),
      ].join(''),
    ),
  );
}

function attachedPolicies(iam: AccountIamRecord, arns: string[]): string[] {
  return members(
    arns.map(arn =>
      [el('PolicyName', policyName(iam, arn)), el('PolicyArn', arn)].join(''),
    ),
  );
}

function policyName(iam: AccountIamRecord, arn: string): string {
  return (
    iam.policies.find(p => p.arn === arn)?.name ??
    arn.slice(arn.lastIndexOf('/') + 1)
  );
}

function boundary(arn: string | undefined): string {
  if (!arn) return '';
  return node('PermissionsBoundary', [
    el('PermissionsBoundaryType', 'Policy'),
    el('PermissionsBoundaryArn', arn),
  ]);
}

function tags(t: Record<string, string>): string {
  const pairs = Object.entries(t);
  if (pairs.length === 0) return '';
  return node(
    'Tags',
    members(pairs.map(([k, v]) => el('Key', k) + el('Value', v))),
  );
}

function attachmentCounts(iam: AccountIamRecord, arn: string) {
  let attachments = 0;
  let boundaries = 0;
  for (const e of [...iam.users, ...iam.groups, ...iam.roles]) {
    if (e.managedPolicyArns.includes(arn)) attachments++;
    if ('permissionsBoundaryArn' in e && e.permissionsBoundaryArn === arn) {
      boundaries++;
    }
  }
  return { attachments, boundaries };
}

function renderPolicy(iam: AccountIamRecord, p: ManagedPolicyRecord): string {
  const { attachments, boundaries } = attachmentCounts(iam, p.arn);
  const def = p.versions.find(v => v.isDefault)!;
  return [
    el('PolicyName', p.name),
    el('PolicyId', p.id),
    el('Arn', p.arn),
    el('Path', p.path),
    el('DefaultVersionId', def.versionId),
    el('AttachmentCount', attachments),
    el('PermissionsBoundaryUsageCount', boundaries),
    el('IsAttachable', true),
    el('Description', p.description),
    el('CreateDate', p.createDate),
    el('UpdateDate', p.updateDate),
    node(
      'PolicyVersionList',
      members(
        p.versions.map(v =>
          [
            el('Document', encodedDocument(v.document)),
            el('VersionId', v.versionId),
            el('IsDefaultVersion', v.isDefault),
            el('CreateDate', v.createDate),
          ].join(''),
        ),
      ),
    ),
  ].join('');
}

type Entry = { list: 'User' | 'Group' | 'Role' | 'Policy'; xml: () => string };

/** Every entity the filter selects, in the order IAM lists them. */
function entries(iam: AccountIamRecord, filter: Set<EntityFilter>): Entry[] {
  const out: Entry[] = [];
  if (filter.has('User')) {
    for (const u of iam.users) {
      out.push({
        list: 'User',
        xml: () =>
          [
            el('Path', u.path),
            el('UserName', u.name),
            el('UserId', u.id),
            el('Arn', u.arn),
            el('CreateDate', u.createDate),
            node('UserPolicyList', policyDetails(u.inlinePolicies)),
            node('GroupList', members(u.groups.map(esc))),
            node(
              'AttachedManagedPolicies',
              attachedPolicies(iam, u.managedPolicyArns),
            ),
            boundary(u.permissionsBoundaryArn),
            tags(u.tags),
          ].join(''),
      });
    }
  }
  if (filter.has('Group')) {
    for (const g of iam.groups) {
      out.push({
        list: 'Group',
        xml: () =>
          [
            el('Path', g.path),
            el('GroupName', g.name),
            el('GroupId', g.id),
            el('Arn', g.arn),
            el('CreateDate', g.createDate),
            node('GroupPolicyList', policyDetails(g.inlinePolicies)),
            node(
              'AttachedManagedPolicies',
              attachedPolicies(iam, g.managedPolicyArns),
            ),
          ].join(''),
      });
    }
  }
  if (filter.has('Role')) {
    for (const r of iam.roles) {
      out.push({
        list: 'Role',
        xml: () =>
          [
            el('Path', r.path),
            el('RoleName', r.name),
            el('RoleId', r.id),
            el('Arn', r.arn),
            el('CreateDate', r.createDate),
            el('AssumeRolePolicyDocument', encodedDocument(r.trustPolicy)),
            node('InstanceProfileList', []),
            node('RolePolicyList', policyDetails(r.inlinePolicies)),
            node(
              'AttachedManagedPolicies',
              attachedPolicies(iam, r.managedPolicyArns),
            ),
            boundary(r.permissionsBoundaryArn),
            tags(r.tags),
            r.lastUsed
              ? node('RoleLastUsed', [
                  el('LastUsedDate', r.lastUsed.date),
                  el('Region', r.lastUsed.region),
                ])
              : node('RoleLastUsed', []),
          ].join(''),
      });
    }
  }
  for (const p of iam.policies) {
    const kind: EntityFilter = p.awsManaged
      ? 'AWSManagedPolicy'
      : 'LocalManagedPolicy';
    if (filter.has(kind)) {
      out.push({ list: 'Policy', xml: () => renderPolicy(iam, p) });
    }
  }
  return out;
}

function parseFilter(ctx: RequestContext): Set<EntityFilter> {
  const values = Object.keys(ctx.params)
    .filter(k => /^Filter\.member\.\d+$/.test(k))
    .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()))
    .map(k => String(ctx.params[k]));
  const bad = values.filter(v => !FILTERS.includes(v as EntityFilter));
  if (bad.length > 0) {
    throw validation(
      `1 validation error detected: Value '[${values.join(
        ', ',
      )}]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${FILTERS.join(
        ', ',
      )}]]`,
    );
  }
  return new Set(values.length > 0 ? (values as EntityFilter[]) : FILTERS);
}

/**
 * GetAccountAuthorizationDetails: the caller's account's users, groups,
 * roles and managed policies, paged across all four lists with MaxItems and
 * Marker. Customer managed policies are all listed; AWS managed ones only
 * when attached in the account.
 */
function getAccountAuthorizationDetails(ctx: RequestContext): string {
  const account = ctx.caller.accountId;
  const iam = ctx.state.iamOf(account);
  const isRoot = ctx.caller.principalArn === `arn:aws:iam::${account}:root`;
  if (!iam || (!iam.readable && !isRoot)) {
    throw new AwsError(
      'AccessDenied',
      `User: ${ctx.caller.arn} is not authorized to perform: ${ctx.api} on resource: * because no identity-based policy allows the ${ctx.api} action`,
      403,
    );
  }
  const filter = parseFilter(ctx);
  const max = optionalInt(ctx, 'MaxItems') ?? 100;
  if (max < 1 || max > 1000) {
    throw validation(
      `1 validation error detected: Value '${max}' at 'maxItems' failed to satisfy constraint: Member must have value ${
        max < 1 ? 'greater than or equal to 1' : 'less than or equal to 1000'
      }`,
    );
  }
  const salt = `gaad/${account}/${[...filter].sort().join(',')}`;
  const start = decodeToken(ctx.params.Marker, salt, () =>
    validation('Invalid Marker.'),
  );
  const all = entries(iam, filter);
  const pageItems = all.slice(start, start + max);
  const truncated = start + max < all.length;
  const list = (name: Entry['list'], tag: string) =>
    node(
      tag,
      members(pageItems.filter(e => e.list === name).map(e => e.xml())),
    );
  return [
    list('User', 'UserDetailList'),
    list('Group', 'GroupDetailList'),
    list('Role', 'RoleDetailList'),
    list('Policy', 'Policies'),
    el('IsTruncated', truncated),
    el('Marker', truncated ? encodeToken(start + max, salt) : undefined),
  ].join('');
}

export const iamHandlers: Record<string, Handler> = {
  GetAccountAuthorizationDetails: getAccountAuthorizationDetails,
};
