import {
  paginateGetAccountAuthorizationDetails,
  type GetAccountAuthorizationDetailsCommandOutput,
  type ManagedPolicyDetail,
  type RoleDetail,
} from '@aws-sdk/client-iam';
import type { AwsAccess } from './AwsAccess';
import { CallDeadlines } from './callDeadline';

/** IAM's largest page; most accounts fit in one. */
export const AUTHORIZATION_DETAILS_PAGE_SIZE = 1000;

/**
 * What GetAccountAuthorizationDetails returns, pages concatenated, with the
 * fields the reader analysis uses. Policy documents stay as IAM sends them
 * (URL-encoded JSON strings).
 *
 * @public
 */
export interface AuthorizationDetailsRecord {
  UserDetailList: unknown[];
  GroupDetailList: unknown[];
  RoleDetailList: unknown[];
  Policies: unknown[];
}

/**
 * Reads an account's IAM: I/O only, no judgement.
 *
 * @public
 */
export class IamReader {
  readonly #deadlines: CallDeadlines;

  constructor(
    private readonly aws: AwsAccess,
    private readonly options: { callTimeoutMs: number; pageSize?: number },
  ) {
    this.#deadlines = CallDeadlines.for(options.callTimeoutMs);
  }

  /**
   * Every user, group, role and managed policy of the account, through the
   * SDK paginator (Marker/IsTruncated).
   */
  authorizationDetails(accountId: string): Promise<AuthorizationDetailsRecord> {
    return this.aws.as(accountId, async account => {
      const client = account.iam();
      const out: AuthorizationDetailsRecord = {
        UserDetailList: [],
        GroupDetailList: [],
        RoleDetailList: [],
        Policies: [],
      };
      const pages = paginateGetAccountAuthorizationDetails(
        {
          client,
          pageSize: this.options.pageSize ?? AUTHORIZATION_DETAILS_PAGE_SIZE,
        },
        {},
        // One deadline for all pages: the account's IAM is one read.
        { abortSignal: this.#deadlines.signal() },
      );
      for await (const page of pages) this.#add(out, page);
      return out;
    });
  }

  #add(
    out: AuthorizationDetailsRecord,
    page: GetAccountAuthorizationDetailsCommandOutput,
  ) {
    for (const u of page.UserDetailList ?? []) {
      out.UserDetailList.push({
        Path: u.Path,
        UserName: u.UserName,
        UserId: u.UserId,
        Arn: u.Arn,
        UserPolicyList: u.UserPolicyList,
        GroupList: u.GroupList,
        AttachedManagedPolicies: u.AttachedManagedPolicies,
        PermissionsBoundary: u.PermissionsBoundary,
      });
    }
    for (const g of page.GroupDetailList ?? []) {
      out.GroupDetailList.push({
        Path: g.Path,
        GroupName: g.GroupName,
        GroupId: g.GroupId,
        Arn: g.Arn,
        GroupPolicyList: g.GroupPolicyList,
        AttachedManagedPolicies: g.AttachedManagedPolicies,
      });
    }
    for (const r of page.RoleDetailList ?? []) out.RoleDetailList.push(role(r));
    for (const p of page.Policies ?? []) out.Policies.push(defaultVersion(p));
  }
}

/** Instance profiles, tags and last use say nothing about access. */
function role(r: RoleDetail) {
  return {
    Path: r.Path,
    RoleName: r.RoleName,
    RoleId: r.RoleId,
    Arn: r.Arn,
    AssumeRolePolicyDocument: r.AssumeRolePolicyDocument,
    RolePolicyList: r.RolePolicyList,
    AttachedManagedPolicies: r.AttachedManagedPolicies,
    PermissionsBoundary: r.PermissionsBoundary,
  };
}

/** Only the default version of a managed policy is in force. */
function defaultVersion(p: ManagedPolicyDetail) {
  return {
    PolicyName: p.PolicyName,
    PolicyId: p.PolicyId,
    Arn: p.Arn,
    Path: p.Path,
    DefaultVersionId: p.DefaultVersionId,
    // The document is what is read of a version: its creation date is left
    // out, so that the record is plain data (a scan spills it as JSON).
    PolicyVersionList: (p.PolicyVersionList ?? [])
      .filter(v => v.IsDefaultVersion || v.VersionId === p.DefaultVersionId)
      .map(v => ({
        Document: v.Document,
        VersionId: v.VersionId,
        IsDefaultVersion: v.IsDefaultVersion,
      })),
  };
}
