import { awsManagedPolicy, isAwsManagedArn } from '../iam/awsManagedPolicies';

type Obj = Record<string, unknown>;
type Fail = (path: string, msg: string) => void;

const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// IAM names: letters, digits and +=,.@_- (roles and users up to 64, others 128).
const IAM_NAME_RE = /^[\w+=,.@-]+$/;
const IAM_PATH_RE =
  /^\/?([\x21-\x2e\x30-\x7e]+\/)*([\x21-\x2e\x30-\x7e]+)?\/?$/;
const POLICY_ARN_RE =
  /^arn:aws:iam::(\d{12}|aws):policy(\/[^\s]*)?\/[\w+=,.@-]+$/;
const ORG_POLICY_ID_RE = /^p-[0-9a-zA-Z_]{8,128}$/;
const ORG_POLICY_TYPES = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'];
const DATE_RE =
  /^([+-]\d+[smhd]|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?)$/;
const REGION_RE = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** A policy document: a mapping whose Statement is a mapping or a non-empty list of them. */
export function documentProblem(doc: unknown): string | undefined {
  if (!isObj(doc)) return 'must be a policy document mapping';
  const st = doc.Statement;
  const statements = Array.isArray(st) ? st : [st];
  if (st === undefined || statements.length === 0 || !statements.every(isObj)) {
    return 'must have a Statement (a mapping or a list of mappings)';
  }
  const bad = statements.findIndex(
    s => s.Effect !== 'Allow' && s.Effect !== 'Deny',
  );
  if (bad >= 0) return `Statement[${bad}].Effect must be Allow or Deny`;
  return undefined;
}

function name(o: Obj, path: string, fail: Fail, max: number) {
  const v = o.name;
  if (typeof v !== 'string' || v === '') {
    fail(`${path}.name`, 'is required');
    return undefined;
  }
  if (!IAM_NAME_RE.test(v) || v.length > max) {
    fail(
      `${path}.name`,
      `invalid IAM name "${v}" (up to ${max} of A-Z a-z 0-9 +=,.@_-)`,
    );
  }
  return v;
}

function list(o: Obj, key: string, path: string, fail: Fail): Obj[] {
  const v = o[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    fail(`${path}.${key}`, 'must be a list');
    return [];
  }
  return v.map((item, i) => {
    if (!isObj(item)) fail(`${path}.${key}[${i}]`, 'must be a mapping');
    return isObj(item) ? item : {};
  });
}

function unique(
  names: Array<string | undefined>,
  path: string,
  what: string,
  fail: Fail,
) {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (!n) return;
    // IAM names are unique regardless of case.
    const key = n.toLowerCase();
    if (seen.has(key)) fail(`${path}[${i}].name`, `duplicate ${what} ${n}`);
    seen.add(key);
  });
}

/**
 * Checks an account's IAM (its `roles` and `iam` sections): names, paths,
 * documents, and that every managed policy, boundary and group named exists.
 */
export function validateAccountIam(a: Obj, p: string, fail: Fail): void {
  if (a.iamReadable !== undefined && typeof a.iamReadable !== 'boolean') {
    fail(`${p}.iamReadable`, 'must be true or false');
  }
  const iam = a.iam;
  if (iam !== undefined && !isObj(iam)) {
    fail(`${p}.iam`, 'must be a mapping');
    return;
  }
  const section = (iam ?? {}) as Obj;
  const ip = `${p}.iam`;
  const policies = list(section, 'policies', ip, fail);
  const policyNames = policies.map((x, i) =>
    name(x, `${ip}.policies[${i}]`, fail, 128),
  );
  unique(policyNames, `${ip}.policies`, 'policy', fail);
  policies.forEach((x, i) => {
    const pp = `${ip}.policies[${i}]`;
    const problem = documentProblem(x.document);
    if (problem) fail(`${pp}.document`, problem);
    if (x.previousVersions !== undefined) {
      if (!Array.isArray(x.previousVersions)) {
        fail(`${pp}.previousVersions`, 'must be a list of documents');
      } else if (x.previousVersions.length > 4) {
        fail(
          `${pp}.previousVersions`,
          'IAM keeps at most 5 versions of a policy',
        );
      } else {
        x.previousVersions.forEach((d, j) => {
          const pr = documentProblem(d);
          if (pr) fail(`${pp}.previousVersions[${j}]`, pr);
        });
      }
    }
    checkPath(x, pp, fail);
  });
  const own = new Set(policyNames.filter(Boolean) as string[]);
  const account = typeof a.id === 'string' ? a.id : '';
  const policyRef = (ref: unknown, path: string) => {
    if (typeof ref !== 'string' || ref === '') {
      fail(
        path,
        "must be a managed policy ARN or the name of one of the account's policies",
      );
      return;
    }
    if (!ref.startsWith('arn:')) {
      if (!own.has(ref))
        fail(
          path,
          `unknown customer managed policy ${ref} in account ${account}`,
        );
      return;
    }
    if (!POLICY_ARN_RE.test(ref)) fail(path, `invalid policy ARN ${ref}`);
    else if (isAwsManagedArn(ref)) {
      if (!awsManagedPolicy(ref)) {
        fail(path, `the sandbox does not model the AWS managed policy ${ref}`);
      }
    } else if (!ref.startsWith(`arn:aws:iam::${account}:policy/`)) {
      fail(
        path,
        `${ref} is another account's policy; IAM attaches only the account's own or AWS managed policies`,
      );
    } else if (!own.has(ref.slice(ref.lastIndexOf('/') + 1))) {
      fail(path, `unknown customer managed policy ${ref}`);
    }
  };
  const permissions = (x: Obj, path: string) => {
    checkPath(x, path, fail);
    list(x, 'inlinePolicies', path, fail).forEach((ip2, j) => {
      const q = `${path}.inlinePolicies[${j}]`;
      name(ip2, q, fail, 128);
      const problem = documentProblem(ip2.document);
      if (problem) fail(`${q}.document`, problem);
    });
    if (x.managedPolicies !== undefined && !Array.isArray(x.managedPolicies)) {
      fail(`${path}.managedPolicies`, 'must be a list');
    }
    ((x.managedPolicies as unknown[]) ?? []).forEach((ref, j) =>
      policyRef(ref, `${path}.managedPolicies[${j}]`),
    );
    if (x.permissionsBoundary !== undefined) {
      policyRef(x.permissionsBoundary, `${path}.permissionsBoundary`);
    }
  };

  const groups = list(section, 'groups', ip, fail);
  const groupNames = groups.map((g, i) =>
    name(g, `${ip}.groups[${i}]`, fail, 128),
  );
  unique(groupNames, `${ip}.groups`, 'group', fail);
  groups.forEach((g, i) => {
    if (g.permissionsBoundary !== undefined) {
      fail(
        `${ip}.groups[${i}].permissionsBoundary`,
        'groups cannot have a permissions boundary',
      );
    }
    permissions(g, `${ip}.groups[${i}]`);
  });
  const knownGroups = new Set(groupNames.filter(Boolean) as string[]);

  const users = list(section, 'users', ip, fail);
  unique(
    users.map((u, i) => name(u, `${ip}.users[${i}]`, fail, 64)),
    `${ip}.users`,
    'user',
    fail,
  );
  users.forEach((u, i) => {
    const up = `${ip}.users[${i}]`;
    permissions(u, up);
    if (u.groups !== undefined && !Array.isArray(u.groups)) {
      fail(`${up}.groups`, 'must be a list of group names');
    }
    ((u.groups as unknown[]) ?? []).forEach((g, j) => {
      if (typeof g !== 'string' || !knownGroups.has(g)) {
        fail(
          `${up}.groups[${j}]`,
          `unknown group ${JSON.stringify(g)} in account ${account}`,
        );
      }
    });
  });

  const scannerRoles = Array.isArray(a.roles)
    ? (a.roles as unknown[]).map(r => (isObj(r) ? r : { name: r }))
    : [];
  const iamRoles = list(section, 'roles', ip, fail);
  const roleNames = [
    ...scannerRoles.map(r => (typeof r.name === 'string' ? r.name : undefined)),
    ...iamRoles.map((r, i) => name(r, `${ip}.roles[${i}]`, fail, 64)),
  ];
  unique(roleNames, `${p}.roles + ${ip}.roles`, 'role', fail);
  const role = (r: Obj, rp: string) => {
    permissions(r, rp);
    if (r.trustPolicy !== undefined) {
      const problem = documentProblem(r.trustPolicy);
      if (problem) fail(`${rp}.trustPolicy`, problem);
    }
    if (r.lastUsed !== undefined) {
      if (!isObj(r.lastUsed))
        fail(`${rp}.lastUsed`, 'must be a mapping of date and region');
      else {
        if (
          typeof r.lastUsed.date !== 'string' ||
          !DATE_RE.test(r.lastUsed.date)
        ) {
          fail(
            `${rp}.lastUsed.date`,
            'must be an ISO date or an offset such as -3d',
          );
        }
        if (
          typeof r.lastUsed.region !== 'string' ||
          !REGION_RE.test(r.lastUsed.region)
        ) {
          fail(`${rp}.lastUsed.region`, 'must be a Region name');
        }
      }
    }
  };
  scannerRoles.forEach((r, i) => role(r, `${p}.roles[${i}]`));
  iamRoles.forEach((r, i) => role(r, `${ip}.roles[${i}]`));
}

function checkPath(x: Obj, path: string, fail: Fail) {
  if (x.path === undefined) return;
  if (
    typeof x.path !== 'string' ||
    !IAM_PATH_RE.test(x.path) ||
    x.path.length > 512
  ) {
    fail(`${path}.path`, `invalid IAM path ${JSON.stringify(x.path)}`);
  }
}

/**
 * Checks the organization's SCPs and RCPs: type, content and that every
 * target is the root, an OU path some account sits under, or a member account.
 */
export function validateOrganizationPolicies(
  org: Obj,
  accounts: Obj[],
  fail: Fail,
): void {
  const ouPaths = new Set<string>();
  const members = new Set<string>();
  for (const a of accounts) {
    if (a.inOrganization === false || typeof a.id !== 'string') continue;
    members.add(a.id);
    if (typeof a.ou !== 'string') continue;
    const parts = a.ou.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++)
      ouPaths.add(parts.slice(0, i).join('/'));
  }
  const policies = list(org, 'policies', 'organization', fail);
  const ids = new Set<string>();
  policies.forEach((x, i) => {
    const pp = `organization.policies[${i}]`;
    if (typeof x.name !== 'string' || x.name === '' || x.name.length > 128) {
      fail(`${pp}.name`, 'is required (1 to 128 characters)');
    }
    if (typeof x.type !== 'string' || !ORG_POLICY_TYPES.includes(x.type)) {
      fail(`${pp}.type`, `must be one of ${ORG_POLICY_TYPES.join(', ')}`);
    }
    if (x.id !== undefined) {
      if (typeof x.id !== 'string' || !ORG_POLICY_ID_RE.test(x.id)) {
        fail(
          `${pp}.id`,
          'must be p- followed by 8 to 128 letters, digits or _',
        );
      } else if (ids.has(x.id)) fail(`${pp}.id`, `duplicate policy ${x.id}`);
      else ids.add(x.id);
    }
    const problem = documentProblem(x.content);
    if (problem) fail(`${pp}.content`, problem);
    else if (
      x.type === 'SERVICE_CONTROL_POLICY' &&
      JSON.stringify(x.content).length > 5120
    ) {
      fail(`${pp}.content`, 'SCPs are limited to 5,120 characters');
    }
    if (!Array.isArray(x.targets) || x.targets.length === 0) {
      fail(
        `${pp}.targets`,
        'must list at least one target (root, an OU path or an account id)',
      );
      return;
    }
    x.targets.forEach((t: unknown, j: number) => {
      const tp = `${pp}.targets[${j}]`;
      if (typeof t !== 'string')
        fail(tp, 'must be root, an OU path or an account id');
      else if (t === 'root') return;
      else if (/^\d{12}$/.test(t)) {
        if (!members.has(t))
          fail(tp, `${t} is not an organization member account`);
      } else if (t.startsWith('ou-')) {
        fail(
          tp,
          'name OUs by path (e.g. Workloads/Prod): the sandbox derives OU ids',
        );
      } else if (!ouPaths.has(t.replace(/^\/+|\/+$/g, ''))) {
        fail(tp, `no account sits under an OU path ${t}`);
      }
    });
  });
}

/** Checks IAM Identity Center permission sets and their account assignments. */
export function validateIdentityCenter(
  ic: unknown,
  accountIds: Set<string>,
  fail: Fail,
): void {
  if (ic === undefined) return;
  if (!isObj(ic)) {
    fail('identityCenter', 'must be a mapping with permissionSets');
    return;
  }
  const sets = list(ic, 'permissionSets', 'identityCenter', fail);
  const names = sets.map((ps, i) => {
    const p = `identityCenter.permissionSets[${i}]`;
    const n = ps.name;
    // Identity Center names: up to 32 of \w+=,.@-
    if (typeof n !== 'string' || !/^[\w+=,.@-]{1,32}$/.test(n)) {
      fail(`${p}.name`, 'must be 1 to 32 of A-Z a-z 0-9 +=,.@_-');
    }
    const awsManaged = (ref: unknown, path: string) => {
      if (typeof ref !== 'string' || !awsManagedPolicy(ref)) {
        fail(
          path,
          `must be an AWS managed policy ARN the sandbox models (got ${JSON.stringify(
            ref,
          )})`,
        );
      }
    };
    if (
      ps.managedPolicies !== undefined &&
      !Array.isArray(ps.managedPolicies)
    ) {
      fail(`${p}.managedPolicies`, 'must be a list');
    }
    ((ps.managedPolicies as unknown[]) ?? []).forEach((r, j) =>
      awsManaged(r, `${p}.managedPolicies[${j}]`),
    );
    if (ps.permissionsBoundary !== undefined) {
      awsManaged(ps.permissionsBoundary, `${p}.permissionsBoundary`);
    }
    if (ps.inlinePolicy !== undefined) {
      const problem = documentProblem(ps.inlinePolicy);
      if (problem) fail(`${p}.inlinePolicy`, problem);
    }
    if (ps.accounts !== 'all') {
      if (!Array.isArray(ps.accounts)) {
        fail(`${p}.accounts`, 'must be all or a list of account ids');
      } else {
        ps.accounts.forEach((id: unknown, j: number) => {
          if (typeof id !== 'string' || !accountIds.has(id)) {
            fail(
              `${p}.accounts[${j}]`,
              `unknown account ${JSON.stringify(id)}`,
            );
          }
        });
      }
    }
    return typeof n === 'string' ? n : undefined;
  });
  unique(names, 'identityCenter.permissionSets', 'permission set', fail);
}
