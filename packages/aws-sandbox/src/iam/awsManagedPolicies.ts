/**
 * The AWS managed policies scenarios may attach. Their documents are faithful
 * subsets of AWS's current versions: every action listed is in AWS's
 * document, and what is left out is irrelevant to reading trails, keys and
 * buckets. Notably ReadOnlyAccess grants `s3:Get*` but no `kms:Decrypt`, and
 * SecurityAudit reads bucket configuration but no objects.
 */
export interface AwsManagedPolicy {
  name: string;
  arn: string;
  policyId: string;
  path: string;
  description: string;
  defaultVersionId: string;
  createDate: string;
  updateDate: string;
  document: Record<string, unknown>;
}

const ARN_PREFIX = 'arn:aws:iam::aws:policy';

function managed(
  p: Omit<AwsManagedPolicy, 'arn' | 'path'> & { path?: string },
): AwsManagedPolicy {
  const path = p.path ?? '/';
  return { ...p, path, arn: `${ARN_PREFIX}${path}${p.name}` };
}

export const AWS_MANAGED_POLICIES: AwsManagedPolicy[] = [
  managed({
    name: 'AdministratorAccess',
    policyId: 'ANPAIWMBCKSKIEE64ZLYK',
    description: 'Provides full access to AWS services and resources.',
    defaultVersionId: 'v1',
    createDate: '2015-02-06T18:39:46Z',
    updateDate: '2015-02-06T18:39:46Z',
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    },
  }),
  managed({
    name: 'ReadOnlyAccess',
    policyId: 'ANPAILL3HVNFSB6DCOWYQ',
    description: 'Provides read-only access to AWS services and resources.',
    defaultVersionId: 'v127',
    createDate: '2015-02-06T18:39:48Z',
    updateDate: '2026-03-12T17:21:05Z',
    document: {
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
            'ec2:Describe*',
            'ec2:Get*',
            'iam:Generate*',
            'iam:Get*',
            'iam:List*',
            'iam:Simulate*',
            'kms:Describe*',
            'kms:Get*',
            'kms:List*',
            'logs:Describe*',
            'logs:Get*',
            'organizations:Describe*',
            'organizations:List*',
            's3:Describe*',
            's3:Get*',
            's3:List*',
            'sts:GetCallerIdentity',
          ],
          Resource: '*',
        },
      ],
    },
  }),
  managed({
    name: 'SecurityAudit',
    policyId: 'ANPAIX2T3QCXHR2OGGCTO',
    description:
      'The security audit template grants access to read security configuration metadata. It is useful for software that audits the configuration of an AWS account.',
    defaultVersionId: 'v46',
    createDate: '2015-02-06T18:41:01Z',
    updateDate: '2026-02-18T19:02:44Z',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'BaseSecurityAuditStatement',
          Effect: 'Allow',
          Action: [
            'cloudtrail:DescribeTrails',
            'cloudtrail:GetEventSelectors',
            'cloudtrail:GetTrail',
            'cloudtrail:GetTrailStatus',
            'cloudtrail:ListTags',
            'cloudtrail:ListTrails',
            'iam:GenerateCredentialReport',
            'iam:Get*',
            'iam:List*',
            'iam:SimulateCustomPolicy',
            'iam:SimulatePrincipalPolicy',
            'kms:Describe*',
            'kms:Get*',
            'kms:List*',
            'organizations:Describe*',
            'organizations:List*',
            's3:GetAccessPoint*',
            's3:GetAccountPublicAccessBlock',
            's3:GetBucket*',
            's3:GetEncryptionConfiguration',
            's3:GetLifecycleConfiguration',
            's3:GetReplicationConfiguration',
            's3:ListAccessPoints',
            's3:ListAllMyBuckets',
          ],
          Resource: '*',
        },
      ],
    },
  }),
];

const BY_ARN = new Map(AWS_MANAGED_POLICIES.map(p => [p.arn, p]));

export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return BY_ARN.get(arn);
}

export function isAwsManagedArn(arn: string): boolean {
  return arn.startsWith(`${ARN_PREFIX}/`);
}
