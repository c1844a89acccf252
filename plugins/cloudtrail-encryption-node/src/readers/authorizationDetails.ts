import { parsePolicy, ParsedStatement } from '../policy/document';
import type { IneffectiveStatementInfo } from '../policy/document';
import type { AuthorizationDetails } from './types';
import { memoByText } from '../policy/textMemo';
import { ObjectMemo } from '../policy/objectMemo';

/**
 * The IAM principals of one account, from GetAccountAuthorizationDetails:
 * each role and user with the identity policies that apply to it (a user's
 * include its groups'), its permissions boundary and, for roles, the trust
 * policy. Managed policies resolve to their default version.
 *
 * @public
 */

export interface IdentityPolicy {
  /** A managed policy ARN, or `inline:<name>`. */
  name: string;
  /** For inline and group policies: the role, user or group ARN carrying it. */
  attachedTo?: string;
  statements: ParsedStatement[];
  ineffective: IneffectiveStatementInfo[];
  /** Why the document could not be used; it is then treated as unknown. */
  problem?: string;
}

/** @public */
export interface IamPrincipal {
  arn: string;
  name: string;
  kind: 'iam-role' | 'iam-user';
  accountId: string;
  policies: IdentityPolicy[];
  boundary?: IdentityPolicy;
  /** Roles only: the trust policy document. */
  trustPolicy?: unknown;
  /** Service-linked roles are outside SCPs and RCPs. */
  serviceLinked: boolean;
}

type Raw = Record<string, unknown>;

const isObject = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): Raw[] =>
  Array.isArray(value) ? value.filter(isObject) : [];
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/**
 * A policy document as the API returns it (URL-encoded JSON) or as the CLI prints it (an object).
 *
 * @public
 */
export function decodePolicyDocument(document: unknown): unknown {
  if (typeof document !== 'string') return document;
  const trimmed = document.trim();
  if (trimmed.startsWith('{')) return JSON.parse(trimmed);
  return JSON.parse(decodeURIComponent(trimmed));
}

type Parsed =
  | {
      ok: true;
      statements: ParsedStatement[];
      ineffective: IneffectiveStatementInfo[];
    }
  | { ok: false; reason: string };

function parseIdentityDocument(document: unknown): Parsed {
  try {
    const parsed = parsePolicy(decodePolicyDocument(document), {
      kind: 'identity',
    });
    return parsed.ok
      ? {
          ok: true,
          statements: parsed.policy.statements,
          ineffective: parsed.policy.ineffective,
        }
      : { ok: false, reason: parsed.reason };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/**
 * Parsed identity documents by their text. Every account carries the same
 * AWS managed policies (AdministratorAccess, ReadOnlyAccess…) and the same
 * permission-set policies, so a fleet scan parses each distinct document
 * once and the accounts share its statements. Bounded: emptied when full.
 */
const parseDocumentText = memoByText(2048, parseIdentityDocument);
const parsedByObject = new ObjectMemo<object, Parsed>();

function parsedDocument(document: unknown): Parsed {
  if (typeof document === 'string') return parseDocumentText(document);
  if (typeof document !== 'object' || document === null) {
    return parseIdentityDocument(document);
  }
  let parsed = parsedByObject.get(document);
  if (!parsed) {
    parsed = parseIdentityDocument(document);
    parsedByObject.set(document, parsed);
  }
  return parsed;
}

function identityPolicy(
  name: string,
  document: unknown,
  attachedTo?: string,
): IdentityPolicy {
  const parsed = parsedDocument(document);
  if (!parsed.ok) {
    return {
      name,
      attachedTo,
      statements: [],
      ineffective: [],
      problem: parsed.reason,
    };
  }
  return {
    name,
    attachedTo,
    statements: parsed.statements,
    ineffective: parsed.ineffective,
  };
}

/**
 * The first 12-digit account id found in an ARN of the document.
 *
 * @public
 */
export function accountIdOfDetails(
  details: AuthorizationDetails,
): string | undefined {
  for (const entry of [
    ...list(details.RoleDetailList),
    ...list(details.UserDetailList),
    ...list(details.GroupDetailList),
    ...list(details.Policies),
  ]) {
    const match = /^arn:[^:]+:iam::(\d{12}):/.exec(text(entry.Arn) ?? '');
    if (match) return match[1];
  }
  return undefined;
}

class ManagedPolicies {
  private readonly documents = new Map<string, unknown>();
  private readonly parsed = new Map<string, IdentityPolicy>();

  constructor(policies: Raw[]) {
    for (const policy of policies) {
      const arn = text(policy.Arn);
      if (!arn) continue;
      const versions = list(policy.PolicyVersionList);
      const version =
        versions.find(v => v.IsDefaultVersion === true) ??
        versions.find(v => v.VersionId === policy.DefaultVersionId);
      if (version) this.documents.set(arn, version.Document);
    }
  }

  get(arn: string): IdentityPolicy {
    let policy = this.parsed.get(arn);
    if (!policy) {
      policy = this.documents.has(arn)
        ? identityPolicy(arn, this.documents.get(arn))
        : {
            name: arn,
            statements: [],
            ineffective: [],
            problem: 'its document is not in the authorization details',
          };
      this.parsed.set(arn, policy);
    }
    return policy;
  }
}

function inlinePolicies(
  entries: unknown,
  attachedTo: string,
): IdentityPolicy[] {
  return list(entries).map(p =>
    identityPolicy(
      `inline:${text(p.PolicyName) ?? '?'}`,
      p.PolicyDocument,
      attachedTo,
    ),
  );
}

function attached(
  entries: unknown,
  managed: ManagedPolicies,
  attachedTo?: string,
): IdentityPolicy[] {
  return list(entries)
    .map(p => text(p.PolicyArn))
    .filter((arn): arn is string => !!arn)
    .map(arn => {
      const policy = managed.get(arn);
      return attachedTo ? { ...policy, attachedTo } : policy;
    });
}

function boundaryOf(
  entry: Raw,
  managed: ManagedPolicies,
): IdentityPolicy | undefined {
  const boundary = entry.PermissionsBoundary;
  const arn = isObject(boundary)
    ? text(boundary.PermissionsBoundaryArn)
    : undefined;
  return arn ? managed.get(arn) : undefined;
}

const principalsByDetails = new ObjectMemo<
  AuthorizationDetails,
  { accountId: string; principals: IamPrincipal[] }
>();

/**
 * Every role and user of the account, with what applies to it. Built once
 * per details object: a scan analyses an account for every trail whose
 * policies let it in, and the principals do not depend on the trail.
 *
 * @public
 */
export function principalsOf(
  details: AuthorizationDetails,
  accountId: string,
): IamPrincipal[] {
  const known = principalsByDetails.get(details);
  if (known?.accountId === accountId) return known.principals;
  const principals = buildPrincipals(details, accountId);
  principalsByDetails.set(details, { accountId, principals });
  return principals;
}

function buildPrincipals(
  details: AuthorizationDetails,
  accountId: string,
): IamPrincipal[] {
  const managed = new ManagedPolicies(list(details.Policies));
  const groups = new Map<string, IdentityPolicy[]>();
  for (const group of list(details.GroupDetailList)) {
    const arn = text(group.Arn) ?? '';
    const name = text(group.GroupName) ?? '';
    groups.set(name, [
      ...inlinePolicies(group.GroupPolicyList, arn),
      ...attached(group.AttachedManagedPolicies, managed, arn),
    ]);
  }
  const principals: IamPrincipal[] = [];
  for (const role of list(details.RoleDetailList)) {
    const arn = text(role.Arn);
    if (!arn) continue;
    principals.push({
      arn,
      name: text(role.RoleName) ?? arn.split('/').pop()!,
      kind: 'iam-role',
      accountId,
      policies: [
        ...inlinePolicies(role.RolePolicyList, arn),
        ...attached(role.AttachedManagedPolicies, managed),
      ],
      boundary: boundaryOf(role, managed),
      trustPolicy: role.AssumeRolePolicyDocument,
      serviceLinked: (text(role.Path) ?? '').startsWith('/aws-service-role/'),
    });
  }
  for (const user of list(details.UserDetailList)) {
    const arn = text(user.Arn);
    if (!arn) continue;
    const memberOf = (Array.isArray(user.GroupList) ? user.GroupList : [])
      .map(text)
      .filter((g): g is string => !!g);
    principals.push({
      arn,
      name: text(user.UserName) ?? arn.split('/').pop()!,
      kind: 'iam-user',
      accountId,
      policies: [
        ...inlinePolicies(user.UserPolicyList, arn),
        ...attached(user.AttachedManagedPolicies, managed),
        ...memberOf.flatMap(g => groups.get(g) ?? []),
      ],
      boundary: boundaryOf(user, managed),
      serviceLinked: false,
    });
  }
  return principals;
}
