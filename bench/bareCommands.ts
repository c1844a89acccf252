/**
 * The SDK commands of a scan, one factory per API, for the bench's bare
 * loop: each sends the command on a pre-built client with inputs taken from
 * the loop's target (resources of the account the clients are signed as, so
 * the calls succeed as the engine's do).
 */
import {
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  ListTrailsCommand,
  type CloudTrailClient,
} from '@aws-sdk/client-cloudtrail';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  ListGrantsCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import {
  GetAccountAuthorizationDetailsCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import {
  DescribePolicyCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListTargetsForPolicyCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { Scenario } from '@trailguard/aws-sandbox';

export interface BareClients {
  cloudtrail: CloudTrailClient;
  kms: KMSClient;
  s3: S3Client;
  sts: STSClient;
  iam: IAMClient;
  /** Signed as the management account, as the engine reads the guardrails. */
  organizations: OrganizationsClient;
}

/** AWS's own SCP, attached everywhere: there in every organization. */
const FULL_ACCESS_POLICY = 'p-FullAWSAccess';

/** Errors that are answers, as the engine takes them (no policy, no block). */
const answered =
  (...codes: string[]) =>
  (error: any) => {
    if (codes.includes(error?.name)) return error;
    throw error;
  };

type Factory = (
  clients: BareClients,
  target: BareTarget,
) => () => Promise<unknown>;

/** What the bare loop's calls name: all it needs of the scenario. */
export interface BareTarget {
  account: string;
  trailArn: string;
  keyArn: string;
  bucket: string;
  /** The organization's management account, which reads the guardrails. */
  managementAccount?: string;
}

/**
 * An account with a trail in us-east-1 encrypted with its own key there:
 * the bare loop signs as that account, so its calls succeed.
 */
export function targets(scenario: Scenario): BareTarget {
  const trail =
    scenario.trails?.find(
      t =>
        t.homeRegion === 'us-east-1' &&
        t.kmsKey?.startsWith(`arn:aws:kms:us-east-1:${t.account}:key/`),
    ) ?? scenario.trails![0];
  return {
    account: trail.account,
    trailArn: `arn:aws:cloudtrail:${trail.homeRegion}:${trail.account}:trail/${trail.name}`,
    keyArn: trail.kmsKey ?? '',
    bucket: trail.bucket,
    managementAccount: scenario.organization?.managementAccount,
  };
}

export const BARE_COMMANDS: Record<string, Factory> = {
  'sts:AssumeRole':
    (c, { account }) =>
    () =>
      c.sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${account}:role/TrailGuardReadOnly`,
          RoleSessionName: 'backstage',
        }),
      ),
  'cloudtrail:ListTrails': c => () =>
    c.cloudtrail.send(new ListTrailsCommand({})),
  'cloudtrail:DescribeTrails': c => () =>
    c.cloudtrail.send(
      new DescribeTrailsCommand({ includeShadowTrails: false }),
    ),
  'cloudtrail:GetTrailStatus':
    (c, { trailArn }) =>
    () =>
      c.cloudtrail.send(new GetTrailStatusCommand({ Name: trailArn })),
  'kms:DescribeKey':
    (c, { keyArn }) =>
    () =>
      c.kms.send(new DescribeKeyCommand({ KeyId: keyArn })),
  'kms:GetKeyPolicy':
    (c, { keyArn }) =>
    () =>
      c.kms.send(
        new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }),
      ),
  'kms:GetKeyRotationStatus':
    (c, { keyArn }) =>
    () =>
      c.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn })),
  'kms:ListGrants':
    (c, { keyArn }) =>
    () =>
      c.kms.send(new ListGrantsCommand({ KeyId: keyArn, Limit: 100 })),
  'iam:GetAccountAuthorizationDetails': c => () =>
    c.iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000 })),
  's3:GetBucketPolicy':
    (c, { account, bucket }) =>
    () =>
      c.s3
        .send(
          new GetBucketPolicyCommand({
            Bucket: bucket,
            ExpectedBucketOwner: account,
          }),
        )
        .catch(answered('NoSuchBucketPolicy')),
  's3:GetPublicAccessBlock':
    (c, { account, bucket }) =>
    () =>
      c.s3
        .send(
          new GetPublicAccessBlockCommand({
            Bucket: bucket,
            ExpectedBucketOwner: account,
          }),
        )
        .catch(answered('NoSuchPublicAccessBlockConfiguration')),
  'organizations:ListPolicies': c => () =>
    c.organizations.send(
      new ListPoliciesCommand({
        Filter: 'SERVICE_CONTROL_POLICY',
        MaxResults: 20,
      }),
    ),
  'organizations:ListTargetsForPolicy': c => () =>
    c.organizations.send(
      new ListTargetsForPolicyCommand({
        PolicyId: FULL_ACCESS_POLICY,
        MaxResults: 20,
      }),
    ),
  'organizations:DescribePolicy': c => () =>
    c.organizations.send(
      new DescribePolicyCommand({ PolicyId: FULL_ACCESS_POLICY }),
    ),
  'organizations:ListParents':
    (c, { account }) =>
    () =>
      c.organizations.send(
        new ListParentsCommand({ ChildId: account, MaxResults: 20 }),
      ),
  's3:HeadBucket':
    (c, { bucket }) =>
    () =>
      c.s3.send(new HeadBucketCommand({ Bucket: bucket })).catch(error => {
        // 301/403 carry the Region too: the engine treats them as answers.
        if (error?.$response?.headers?.['x-amz-bucket-region']) return error;
        throw error;
      }),
};
