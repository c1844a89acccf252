import { awsManagedPolicy, isAwsManagedArn } from '../iam/awsManagedPolicies';
import type {
  AccountSpec,
  IamPermissionsSpec,
  IamRoleSpec,
  PermissionSetSpec,
  PolicyDocumentSpec,
} from '../scenario/types';
import { stableHex } from './stableHex';

export interface InlinePolicyRecord {
  name: string;
  /** Compact JSON, as IAM stores it. */
  document: string;
}

export interface IamPermissionsRecord {
  path: string;
  createDate: Date;
  inlinePolicies: InlinePolicyRecord[];
  managedPolicyArns: string[];
}

export interface IamRoleRecord extends IamPermissionsRecord {
  name: string;
  id: string;
  arn: string;
  description?: string;
  trustPolicy: string;
  permissionsBoundaryArn?: string;
  lastUsed?: { date: Date; region: string };
  tags: Record<string, string>;
}

export interface IamUserRecord extends IamPermissionsRecord {
  name: string;
  id: string;
  arn: string;
  groups: string[];
  permissionsBoundaryArn?: string;
  tags: Record<string, string>;
}

export interface IamGroupRecord extends IamPermissionsRecord {
  name: string;
  id: string;
  arn: string;
}

export interface PolicyVersionRecord {
  versionId: string;
  document: string;
  isDefault: boolean;
  createDate: Date;
}

export interface ManagedPolicyRecord {
  name: string;
  id: string;
  arn: string;
  path: string;
  description?: string;
  awsManaged: boolean;
  createDate: Date;
  updateDate: Date;
  versions: PolicyVersionRecord[];
}

/** One account's IAM, as GetAccountAuthorizationDetails reports it. */
export interface AccountIamRecord {
  readable: boolean;
  users: IamUserRecord[];
  groups: IamGroupRecord[];
  roles: IamRoleRecord[];
  /** Customer managed policies, then the AWS managed ones attached in the account. */
  policies: ManagedPolicyRecord[];
}

export const iamId = (prefix: string, arn: string) =>
  `${prefix}${stableHex(arn, 17).toUpperCase()}`;

const DAY = 86_400_000;

function normalizePath(path: string | undefined): string {
  if (!path || path === '/') return '/';
  return `/${path.replace(/^\/+|\/+$/g, '')}/`;
}

const compactJson = (doc: PolicyDocumentSpec) => JSON.stringify(doc);

const AWS_MANAGED_RECORDS = new Map<string, ManagedPolicyRecord>();

/** AWS managed policies are the same in every account: one shared record each. */
function awsManagedRecord(arn: string): ManagedPolicyRecord {
  let record = AWS_MANAGED_RECORDS.get(arn);
  if (!record) {
    const p = awsManagedPolicy(arn)!;
    const updateDate = new Date(p.updateDate);
    record = {
      name: p.name,
      id: p.policyId,
      arn: p.arn,
      path: p.path,
      description: p.description,
      awsManaged: true,
      createDate: new Date(p.createDate),
      updateDate,
      // Only the default version: AWS managed policies have dozens.
      versions: [
        {
          versionId: p.defaultVersionId,
          document: JSON.stringify(p.document),
          isDefault: true,
          createDate: updateDate,
        },
      ],
    };
    AWS_MANAGED_RECORDS.set(arn, record);
  }
  return record;
}

/** A managed policy reference: an ARN, or the name of the account's own policy. */
export function managedPolicyArn(account: string, ref: string): string {
  if (ref.startsWith('arn:')) return ref;
  return `arn:aws:iam::${account}:policy/${ref}`;
}

/** Whom the scanner's roles trust when the scenario does not say. */
export function defaultTrustPolicy(
  trusted: string,
  externalId?: string,
): PolicyDocumentSpec {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${trusted}:root` },
        Action: 'sts:AssumeRole',
        ...(externalId
          ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } }
          : {}),
      },
    ],
  };
}

const SSO_PATH = '/aws-reserved/sso.amazonaws.com/';

/** The SAML provider IAM Identity Center creates in each account it manages. */
export function ssoSamlProviderArn(account: string): string {
  return `arn:aws:iam::${account}:saml-provider/AWSSSO_${stableHex(
    `${account}/sso-provider`,
    16,
  )}_DO_NOT_DELETE`;
}

/** The name of the role a permission set becomes in an account. */
export function ssoRoleName(account: string, permissionSet: string): string {
  return `AWSReservedSSO_${permissionSet}_${stableHex(
    `${account}/sso/${permissionSet}`,
    16,
  )}`;
}

/** The role IAM Identity Center provisions for a permission set. */
export function ssoRole(account: string, ps: PermissionSetSpec): IamRoleSpec {
  return {
    name: ssoRoleName(account, ps.name),
    path: SSO_PATH,
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: ssoSamlProviderArn(account) },
          Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
          Condition: {
            StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' },
          },
        },
      ],
    },
    managedPolicies: ps.managedPolicies,
    inlinePolicies: ps.inlinePolicy
      ? [{ name: 'AwsSSOInlinePolicy', document: ps.inlinePolicy }]
      : undefined,
    permissionsBoundary: ps.permissionsBoundary,
    lastUsed: ps.lastUsed,
  };
}

/**
 * Builds an account's IAM from its scenario entry. The roles the scanner
 * assumes (`roles`) come first, then the Identity Center roles, then
 * `iam.roles`.
 */
export function buildAccountIam(
  a: AccountSpec,
  trustedAccount: string,
  created: Date,
  resolveDate: (value: string) => Date,
  permissionSets: PermissionSetSpec[] = [],
): AccountIamRecord {
  const account = a.id;
  const arnOf = (kind: string, path: string, name: string) =>
    `arn:aws:iam::${account}:${kind}${path}${name}`;
  const permissions = (
    p: IamPermissionsSpec,
    offsetDays: number,
  ): IamPermissionsRecord => ({
    path: normalizePath(p.path),
    createDate: new Date(created.getTime() + offsetDays * DAY),
    inlinePolicies: (p.inlinePolicies ?? []).map(i => ({
      name: i.name,
      document: compactJson(i.document),
    })),
    managedPolicyArns: (p.managedPolicies ?? []).map(r =>
      managedPolicyArn(account, r),
    ),
  });

  const roleSpecs: IamRoleSpec[] = [
    ...(a.roles ?? []).map(r =>
      typeof r === 'string' ? { name: r } : (r as IamRoleSpec),
    ),
    ...permissionSets.map(ps => ssoRole(account, ps)),
    ...(a.iam?.roles ?? []),
  ];
  const roles = roleSpecs.map((r, i): IamRoleRecord => {
    const base = permissions(r, i);
    const arn = arnOf('role', base.path, r.name);
    const externalId =
      'externalId' in r ? (r as { externalId?: string }).externalId : undefined;
    return {
      ...base,
      name: r.name,
      arn,
      id: iamId('AROA', `${account}/${r.name}`),
      description: r.description,
      trustPolicy: compactJson(
        r.trustPolicy ?? defaultTrustPolicy(trustedAccount, externalId),
      ),
      permissionsBoundaryArn: r.permissionsBoundary
        ? managedPolicyArn(account, r.permissionsBoundary)
        : undefined,
      lastUsed: r.lastUsed
        ? { date: resolveDate(r.lastUsed.date), region: r.lastUsed.region }
        : undefined,
      tags: r.tags ?? {},
    };
  });
  const groups = (a.iam?.groups ?? []).map((g, i): IamGroupRecord => {
    const base = permissions(g, i);
    const arn = arnOf('group', base.path, g.name);
    return { ...base, name: g.name, arn, id: iamId('AGPA', arn) };
  });
  const users = (a.iam?.users ?? []).map((u, i): IamUserRecord => {
    const base = permissions(u, i);
    const arn = arnOf('user', base.path, u.name);
    return {
      ...base,
      name: u.name,
      arn,
      id: iamId('AIDA', arn),
      groups: u.groups ?? [],
      permissionsBoundaryArn: u.permissionsBoundary
        ? managedPolicyArn(account, u.permissionsBoundary)
        : undefined,
      tags: u.tags ?? {},
    };
  });

  const customer = (a.iam?.policies ?? []).map((p, i): ManagedPolicyRecord => {
    const path = normalizePath(p.path);
    const arn = arnOf('policy', path, p.name);
    const createDate = new Date(created.getTime() + i * DAY);
    const docs = [...(p.previousVersions ?? []), p.document];
    return {
      name: p.name,
      id: iamId('ANPA', arn),
      arn,
      path,
      description: p.description,
      awsManaged: false,
      createDate,
      updateDate: new Date(createDate.getTime() + (docs.length - 1) * DAY),
      versions: docs.map((d, v) => ({
        versionId: `v${v + 1}`,
        document: compactJson(d),
        isDefault: v === docs.length - 1,
        createDate: new Date(createDate.getTime() + v * DAY),
      })),
    };
  });
  const used = new Set<string>();
  for (const e of [...users, ...groups, ...roles]) {
    e.managedPolicyArns.forEach(arn => used.add(arn));
  }
  for (const e of [...users, ...roles]) {
    if (e.permissionsBoundaryArn) used.add(e.permissionsBoundaryArn);
  }
  const awsAttached = [...used]
    .filter(isAwsManagedArn)
    .sort()
    .map(awsManagedRecord);
  return {
    readable: a.iamReadable !== false,
    users,
    groups,
    roles,
    policies: [...customer, ...awsAttached],
  };
}
