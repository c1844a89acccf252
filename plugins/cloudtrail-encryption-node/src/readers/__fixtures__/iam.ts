/**
 * IAM documents as AWS publishes them (managed policies, trust policies) and
 * a builder for GetAccountAuthorizationDetails output.
 */

export const ADMINISTRATOR_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** AWS's ReadOnlyAccess, the statement that matters here (it has no kms:Decrypt). */
export const READ_ONLY_ACCESS = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ReadOnlyActions',
      Effect: 'Allow',
      Action: [
        'cloudtrail:Describe*',
        'cloudtrail:Get*',
        'cloudtrail:List*',
        'cloudtrail:LookupEvents',
        'iam:Get*',
        'iam:List*',
        'kms:Describe*',
        'kms:Get*',
        'kms:List*',
        's3:Describe*',
        's3:Get*',
        's3:List*',
      ],
      Resource: '*',
    },
  ],
};

/** AWS's PowerUserAccess: everything but IAM and Organizations, through NotAction. */
export const POWER_USER_ACCESS = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      NotAction: ['iam:*', 'organizations:*', 'account:*'],
      Resource: '*',
    },
  ],
};

export const managedArn = (name: string) => `arn:aws:iam::aws:policy/${name}`;

export const AWS_MANAGED = {
  [managedArn('AdministratorAccess')]: ADMINISTRATOR_ACCESS,
  [managedArn('ReadOnlyAccess')]: READ_ONLY_ACCESS,
  [managedArn('PowerUserAccess')]: POWER_USER_ACCESS,
};

export const trustAccount = (accountId: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${accountId}:root` },
      Action: 'sts:AssumeRole',
    },
  ],
});

/** The trust policy IAM Identity Center writes on its AWSReservedSSO_ roles. */
export const ssoTrust = (accountId: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: {
        Federated: `arn:aws:iam::${accountId}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE`,
      },
      Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
      Condition: {
        StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' },
      },
    },
  ],
});

export interface RoleSpec {
  name: string;
  managed?: string[];
  inline?: Record<string, object>;
  boundary?: string;
  trust?: object;
  path?: string;
}

export interface UserSpec {
  name: string;
  groups?: string[];
  inline?: Record<string, object>;
  managed?: string[];
}

export interface GroupSpec {
  name: string;
  inline?: Record<string, object>;
  managed?: string[];
}

type Encode = (document: object) => unknown;

/** GetAccountAuthorizationDetails output; `encode` makes documents URL-encoded as the API does. */
export function authorizationDetails(
  accountId: string,
  spec: {
    roles?: RoleSpec[];
    users?: UserSpec[];
    groups?: GroupSpec[];
    policies?: Record<string, object>;
  },
  encode: Encode = d => d,
) {
  const iam = (type: string, name: string, path = '/') =>
    `arn:aws:iam::${accountId}:${type}${path}${name}`;
  const inline = (entries: Record<string, object> = {}) =>
    Object.entries(entries).map(([PolicyName, doc]) => ({
      PolicyName,
      PolicyDocument: encode(doc),
    }));
  const attached = (names: string[] = []) =>
    names.map(arn => ({ PolicyName: arn.split('/').pop(), PolicyArn: arn }));
  const used = new Set<string>();
  const track = (names: string[] = []) => names.forEach(n => used.add(n));
  const roles = (spec.roles ?? []).map(r => {
    track(r.managed);
    if (r.boundary) used.add(r.boundary);
    return {
      Path: r.path ?? '/',
      RoleName: r.name,
      RoleId: `AROA${r.name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
      Arn: iam('role', r.name, r.path),
      AssumeRolePolicyDocument: encode(r.trust ?? trustAccount(accountId)),
      RolePolicyList: inline(r.inline),
      AttachedManagedPolicies: attached(r.managed),
      ...(r.boundary
        ? {
            PermissionsBoundary: {
              PermissionsBoundaryType: 'Policy',
              PermissionsBoundaryArn: r.boundary,
            },
          }
        : {}),
    };
  });
  const users = (spec.users ?? []).map(u => {
    track(u.managed);
    return {
      Path: '/',
      UserName: u.name,
      Arn: iam('user', u.name),
      GroupList: u.groups ?? [],
      UserPolicyList: inline(u.inline),
      AttachedManagedPolicies: attached(u.managed),
    };
  });
  const groups = (spec.groups ?? []).map(g => {
    track(g.managed);
    return {
      Path: '/',
      GroupName: g.name,
      Arn: iam('group', g.name),
      GroupPolicyList: inline(g.inline),
      AttachedManagedPolicies: attached(g.managed),
    };
  });
  const documents: Record<string, object> = {
    ...AWS_MANAGED,
    ...(spec.policies ?? {}),
  };
  const Policies = [...used].map(arn => ({
    PolicyName: arn.split('/').pop(),
    Arn: arn,
    DefaultVersionId: 'v3',
    PolicyVersionList: [
      {
        Document: encode(documents[arn]),
        VersionId: 'v3',
        IsDefaultVersion: true,
      },
      {
        Document: encode({ Version: '2012-10-17', Statement: [] }),
        VersionId: 'v2',
        IsDefaultVersion: false,
      },
    ],
  }));
  return {
    UserDetailList: users,
    GroupDetailList: groups,
    RoleDetailList: roles,
    Policies,
  };
}

export const urlEncoded: Encode = document =>
  encodeURIComponent(JSON.stringify(document));
