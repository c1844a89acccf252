/**
 * The vocabulary of the shared key-policy cases (policyCases.ts): the trail
 * and key every case is about, the requests, and the statements the cases
 * are built from.
 */
import type { PolicyRequest } from './policy';

export const CASE_OWNER = '111111111111';
/** A member of CASE_ORG_ID, in another account. */
export const CASE_MEMBER = '222222222222';
/** An account outside the organization. */
export const CASE_OUTSIDER = '333333333333';
export const CASE_ORG_ID = 'o-a1b2c3d4e5';
export const CASE_TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${CASE_OWNER}:trail/management-events`;
export const CASE_KEY_ARN = `arn:aws:kms:us-east-1:${CASE_OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const CLOUDTRAIL = 'cloudtrail.amazonaws.com';

/** CloudTrail acting as itself for the trail above, or an IAM principal reading its log files. */
export type PolicyCaseRequest =
  | { kind: 'cloudtrail'; action: 'kms:GenerateDataKey' | 'kms:DescribeKey' }
  | { kind: 'decrypt'; principalArn: string; organizationId?: string };

export interface PolicyCase {
  name: string;
  policy: { Version: string; Statement: object[] };
  request: PolicyCaseRequest;
  /** AWS's answer. */
  expected: 'allow' | 'deny';
  /**
   * The product evaluates what a scan can know; where the answer hinges on a
   * key it cannot determine it must say so ("allowed only when …").
   */
  product?: 'undecided' | 'unreadable';
  /**
   * Whether any AWS principal anywhere may decrypt (a principal outside every
   * organization is allowed), for the cases about "*".
   */
  openToAnyPrincipal?: boolean;
}

export const root = (account: string) => `arn:aws:iam::${account}:root`;
export const role = (account: string, name = 'Auditor') =>
  `arn:aws:iam::${account}:role/${name}`;
export const doc = (...Statement: object[]) => ({
  Version: '2012-10-17',
  Statement,
});

export const ROOT_ADMIN = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: root(CASE_OWNER) },
  Action: 'kms:*',
  Resource: '*',
};
export const ctEncrypt = (
  pattern = `arn:aws:cloudtrail:*:${CASE_OWNER}:trail/*`,
) => ({
  Sid: 'Allow CloudTrail to encrypt logs',
  Effect: 'Allow',
  Principal: { Service: CLOUDTRAIL },
  Action: 'kms:GenerateDataKey*',
  Resource: '*',
  Condition: {
    StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': pattern },
  },
});
export const CT_DESCRIBE = {
  Sid: 'Allow CloudTrail to describe key',
  Effect: 'Allow',
  Principal: { Service: CLOUDTRAIL },
  Action: 'kms:DescribeKey',
  Resource: '*',
};
export const CONSOLE = [ROOT_ADMIN, ctEncrypt(), CT_DESCRIBE];
export const ctService = (extra: object) => ({
  Effect: 'Allow',
  Principal: { Service: CLOUDTRAIL },
  Resource: '*',
  ...extra,
});
export const ORG_DENY = {
  Sid: 'DenyOutsideOrg',
  Effect: 'Deny',
  Principal: '*',
  Action: 'kms:*',
  Resource: '*',
  Condition: { StringNotEquals: { 'aws:PrincipalOrgID': CASE_ORG_ID } },
};

export const ENCRYPT = {
  kind: 'cloudtrail',
  action: 'kms:GenerateDataKey',
} as const;
export const DESCRIBE = {
  kind: 'cloudtrail',
  action: 'kms:DescribeKey',
} as const;
export const decryptBy = (
  principalArn: string,
  organizationId?: string,
): PolicyCaseRequest => ({ kind: 'decrypt', principalArn, organizationId });
export const OWNER_ROLE = decryptBy(role(CASE_OWNER), CASE_ORG_ID);
export const MEMBER_ROLE = decryptBy(role(CASE_MEMBER, 'Reader'), CASE_ORG_ID);
export const OUTSIDER_ROLE = decryptBy(role(CASE_OUTSIDER, 'Reader'));

export const both = (
  name: string,
  policy: PolicyCase['policy'],
  encrypt: PolicyCase['expected'],
  describe: PolicyCase['expected'] = encrypt,
): PolicyCase[] => [
  { name: `${name} (encrypt)`, policy, request: ENCRYPT, expected: encrypt },
  { name: `${name} (describe)`, policy, request: DESCRIBE, expected: describe },
];

/** The same request as the sandbox's evaluator sees it: principals and context keys. */
export function casePolicyRequest(request: PolicyCaseRequest): PolicyRequest {
  const source = {
    'aws:SourceArn': CASE_TRAIL_ARN,
    'aws:SourceAccount': CASE_OWNER,
    'aws:PrincipalIsAWSService': 'true',
    'aws:PrincipalServiceName': CLOUDTRAIL,
  };
  const encryptionContext = {
    'kms:EncryptionContext:aws:cloudtrail:arn': CASE_TRAIL_ARN,
    'kms:EncryptionContextKeys': ['aws:cloudtrail:arn'],
  };
  if (request.kind === 'cloudtrail') {
    return {
      action: request.action,
      servicePrincipal: CLOUDTRAIL,
      resource: CASE_KEY_ARN,
      context:
        request.action === 'kms:GenerateDataKey'
          ? { ...source, ...encryptionContext }
          : source,
    };
  }
  const account = request.principalArn.split(':')[4];
  return {
    action: 'kms:Decrypt',
    awsPrincipals: [account, root(account), request.principalArn],
    resource: CASE_KEY_ARN,
    context: {
      ...encryptionContext,
      'kms:CallerAccount': account,
      'aws:PrincipalAccount': account,
      'aws:PrincipalArn': request.principalArn,
      'aws:PrincipalOrgID': request.organizationId,
      'aws:PrincipalIsAWSService': 'false',
    },
  };
}
