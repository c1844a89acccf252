/**
 * Key-policy cases with AWS's answer, shared by the sandbox's evaluator and
 * the product's analysis: two independent implementations answering the same
 * table keep each other honest. Each case is one request against one key
 * policy for the trail and key of policyCaseParts.ts.
 */
import {
  root,
  role,
  doc,
  ROOT_ADMIN,
  ctEncrypt,
  CT_DESCRIBE,
  CONSOLE,
  ctService,
  ORG_DENY,
  ENCRYPT,
  DESCRIBE,
  OWNER_ROLE,
  MEMBER_ROLE,
  OUTSIDER_ROLE,
  both,
  CLOUDTRAIL,
  CASE_OWNER,
  CASE_MEMBER,
  CASE_KEY_ARN,
  CASE_TRAIL_ARN,
  type PolicyCase,
} from './policyCaseParts';

export {
  CASE_KEY_ARN,
  CASE_MEMBER,
  CASE_ORG_ID,
  CASE_OUTSIDER,
  CASE_OWNER,
  CASE_TRAIL_ARN,
  casePolicyRequest,
} from './policyCaseParts';
export type { PolicyCase, PolicyCaseRequest } from './policyCaseParts';

export const POLICY_CASES: PolicyCase[] = [
  ...both('console default policy', doc(...CONSOLE), 'allow'),
  ...both(
    'Deny with NotPrincipal naming only the account shuts CloudTrail out',
    doc(...CONSOLE, {
      Sid: 'DenyAllButAdmins',
      Effect: 'Deny',
      NotPrincipal: { AWS: root(CASE_OWNER) },
      Action: 'kms:*',
      Resource: '*',
    }),
    'deny',
  ),
  ...both(
    'Deny with NotPrincipal that also names CloudTrail leaves it in',
    doc(...CONSOLE, {
      Effect: 'Deny',
      NotPrincipal: { AWS: root(CASE_OWNER), Service: CLOUDTRAIL },
      Action: 'kms:*',
      Resource: '*',
    }),
    'allow',
  ),
  ...both(
    'Allow with NotPrincipal is everyone but the named',
    doc(ROOT_ADMIN, {
      Effect: 'Allow',
      NotPrincipal: { AWS: root(CASE_MEMBER) },
      Action: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
    }),
    'allow',
  ),
  ...both(
    'Allow with NotPrincipal naming CloudTrail excludes it',
    doc(ROOT_ADMIN, {
      Effect: 'Allow',
      NotPrincipal: { Service: CLOUDTRAIL },
      Action: 'kms:*',
      Resource: '*',
    }),
    'deny',
  ),
  ...both(
    'organization Deny locks out CloudTrail, which has no organization',
    doc(...CONSOLE, ORG_DENY),
    'deny',
  ),
  {
    name: '"*" with an organization Deny: a member may decrypt',
    policy: doc(
      ROOT_ADMIN,
      { ...ROOT_ADMIN, Sid: 'Any', Principal: '*', Action: 'kms:Decrypt' },
      ORG_DENY,
    ),
    request: MEMBER_ROLE,
    expected: 'allow',
    product: 'undecided',
    openToAnyPrincipal: false,
  },
  {
    name: '"*" with an organization Deny: an outsider may not',
    policy: doc(
      ROOT_ADMIN,
      { ...ROOT_ADMIN, Sid: 'Any', Principal: '*', Action: 'kms:Decrypt' },
      ORG_DENY,
    ),
    request: OUTSIDER_ROLE,
    expected: 'deny',
    product: 'undecided',
    openToAnyPrincipal: false,
  },
  {
    name: 'unrestricted "*" lets an outsider decrypt',
    policy: doc(ROOT_ADMIN, {
      ...ROOT_ADMIN,
      Sid: 'Any',
      Principal: { AWS: '*' },
      Action: 'kms:Decrypt',
    }),
    request: OUTSIDER_ROLE,
    expected: 'allow',
    openToAnyPrincipal: true,
  },
  {
    name: 'an encryption-context pattern in another Region does not match',
    policy: doc(
      ctEncrypt(`arn:aws:cloudtrail:eu-west-1:${CASE_OWNER}:trail/*`),
    ),
    request: ENCRYPT,
    expected: 'deny',
  },
  {
    name: 'an encryption-context pattern in the trail Region matches',
    policy: doc(
      ctEncrypt(`arn:aws:cloudtrail:us-east-1:${CASE_OWNER}:trail/*`),
    ),
    request: ENCRYPT,
    expected: 'allow',
  },
  {
    name: 'ArnLike aws:SourceArn in another Region does not match',
    policy: doc(
      ctService({
        Action: 'kms:DescribeKey',
        Condition: {
          ArnLike: {
            'aws:SourceArn': `arn:aws:cloudtrail:us-west-2:${CASE_OWNER}:trail/*`,
          },
        },
      }),
    ),
    request: DESCRIBE,
    expected: 'deny',
  },
  ...both(
    'NotAction Allow covers everything but the listed',
    doc(ctService({ NotAction: 'kms:GenerateDataKey*' })),
    'deny',
    'allow',
  ),
  ...both(
    'NotResource naming another key applies to this one',
    doc(
      ctService({
        Action: 'kms:*',
        Resource: undefined,
        NotResource: 'arn:aws:kms:us-east-1:111111111111:key/other',
      }),
    ),
    'allow',
  ),
  ...both(
    'NotResource naming this key does not apply',
    doc(
      ctService({
        Action: 'kms:*',
        Resource: undefined,
        NotResource: CASE_KEY_ARN,
      }),
    ),
    'deny',
  ),
  ...both(
    'Resource naming this key applies',
    doc(ctService({ Action: 'kms:*', Resource: CASE_KEY_ARN })),
    'allow',
  ),
  ...both(
    'Resource naming another key does not apply',
    doc(
      ctService({
        Action: 'kms:*',
        Resource:
          'arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      }),
    ),
    'deny',
  ),
  ...both(
    'a statement without Resource has no effect',
    doc(ctService({ Action: 'kms:*', Resource: undefined })),
    'deny',
    // The product refuses to read such a policy rather than guess (KEY_POLICY_UNREADABLE).
  ).map(c => ({ ...c, product: 'unreadable' as const })),
  ...both(
    'action names are case-insensitive',
    doc(ctService({ Action: ['KMS:generatedatakey*', 'kms:DESCRIBEKEY'] })),
    'allow',
  ),
  ...both('kms:* covers both', doc(ctService({ Action: 'kms:*' })), 'allow'),
  ...both('"*" covers both', doc(ctService({ Action: '*' })), 'allow'),
  ...both(
    'kms:Encrypt* covers neither',
    doc(ctService({ Action: 'kms:Encrypt*' })),
    'deny',
  ),
  {
    name: 'kms:Decrypt* lets a named role decrypt',
    policy: doc(ROOT_ADMIN, {
      Effect: 'Allow',
      Principal: { AWS: role(CASE_MEMBER, 'Reader') },
      Action: 'kms:Decrypt*',
      Resource: '*',
    }),
    request: MEMBER_ROLE,
    expected: 'allow',
  },
  {
    name: "account delegation lets the account's roles decrypt",
    policy: doc(ROOT_ADMIN),
    request: OWNER_ROLE,
    expected: 'allow',
  },
  {
    name: 'account delegation does not reach other accounts',
    policy: doc(ROOT_ADMIN),
    request: MEMBER_ROLE,
    expected: 'deny',
  },
  {
    name: 'an explicit Deny beats the account delegation',
    policy: doc(ROOT_ADMIN, {
      Effect: 'Deny',
      Principal: { AWS: role(CASE_OWNER) },
      Action: 'kms:Decrypt',
      Resource: '*',
    }),
    request: OWNER_ROLE,
    expected: 'deny',
  },
  {
    name: 'an explicit Deny of another role leaves this one in',
    policy: doc(ROOT_ADMIN, {
      Effect: 'Deny',
      Principal: { AWS: role(CASE_OWNER, 'Other') },
      Action: 'kms:Decrypt',
      Resource: '*',
    }),
    request: OWNER_ROLE,
    expected: 'allow',
  },
  {
    name: 'Deny with NotPrincipal listing a role and its account leaves the role in',
    policy: doc(ROOT_ADMIN, {
      Effect: 'Deny',
      NotPrincipal: { AWS: [root(CASE_OWNER), role(CASE_OWNER)] },
      Action: 'kms:*',
      Resource: '*',
    }),
    request: OWNER_ROLE,
    expected: 'allow',
  },
  {
    name: 'Deny with NotPrincipal naming another account shuts this role out',
    policy: doc(ROOT_ADMIN, {
      Effect: 'Deny',
      NotPrincipal: { AWS: root(CASE_MEMBER) },
      Action: 'kms:*',
      Resource: '*',
    }),
    request: OWNER_ROLE,
    expected: 'deny',
  },
  {
    name: 'IfExists passes when the key is absent',
    policy: doc(
      ctService({
        Action: 'kms:DescribeKey',
        Condition: {
          StringEqualsIfExists: {
            'kms:EncryptionContext:aws:cloudtrail:arn':
              'arn:aws:cloudtrail:us-east-1:111111111111:trail/other',
          },
        },
      }),
    ),
    request: DESCRIBE,
    expected: 'allow',
  },
  {
    name: 'without IfExists an absent key fails',
    policy: doc(
      ctService({
        Action: 'kms:DescribeKey',
        Condition: {
          StringEquals: {
            'kms:EncryptionContext:aws:cloudtrail:arn': CASE_TRAIL_ARN,
          },
        },
      }),
    ),
    request: DESCRIBE,
    expected: 'deny',
  },
  {
    name: 'IfExists still checks a present key',
    policy: doc(ctEncrypt(), {
      ...ctEncrypt(),
      Effect: 'Deny',
      Condition: {
        StringNotEqualsIfExists: { 'aws:SourceArn': CASE_TRAIL_ARN },
      },
    }),
    request: ENCRYPT,
    expected: 'allow',
  },
  {
    name: 'a negated operator on an absent key matches (Deny applies)',
    policy: doc(CT_DESCRIBE, {
      ...CT_DESCRIBE,
      Effect: 'Deny',
      Condition: {
        StringNotEquals: {
          'kms:EncryptionContext:aws:cloudtrail:arn': CASE_TRAIL_ARN,
        },
      },
    }),
    request: DESCRIBE,
    expected: 'deny',
  },
  {
    name: 'ArnEqualsIfExists on aws:SourceArn, absent for IAM principals',
    policy: doc({
      Effect: 'Allow',
      Principal: { AWS: role(CASE_MEMBER, 'Reader') },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { ArnEqualsIfExists: { 'aws:SourceArn': CASE_TRAIL_ARN } },
    }),
    request: MEMBER_ROLE,
    expected: 'allow',
  },
  {
    name: 'Bool: a Deny on non-service principals spares CloudTrail',
    policy: doc(...CONSOLE, {
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:*',
      Resource: '*',
      Condition: { Bool: { 'aws:PrincipalIsAWSService': 'false' } },
    }),
    request: ENCRYPT,
    expected: 'allow',
  },
  {
    name: 'Bool: a Deny on non-service principals stops a role',
    policy: doc(ROOT_ADMIN, {
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { Bool: { 'aws:PrincipalIsAWSService': 'false' } },
    }),
    request: OWNER_ROLE,
    expected: 'deny',
  },
  ...both(
    'Null true: the encryption context must be absent',
    doc(
      ctService({
        Action: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
        Condition: {
          Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'true' },
        },
      }),
    ),
    'deny',
    'allow',
  ),
  ...both(
    'Null false: the encryption context must be present',
    doc(
      ctService({
        Action: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
        Condition: {
          Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' },
        },
      }),
    ),
    'allow',
    'deny',
  ),
  ...both(
    'ForAnyValue needs one matching value',
    doc(
      ctService({
        Action: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
        Condition: {
          'ForAnyValue:StringEquals': {
            'kms:EncryptionContextKeys': 'aws:cloudtrail:arn',
          },
        },
      }),
    ),
    'allow',
    'deny',
  ),
  ...both(
    'ForAllValues fails on a value outside the set and passes on none',
    doc(
      ctService({
        Action: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
        Condition: {
          'ForAllValues:StringEquals': {
            'kms:EncryptionContextKeys': 'aws:s3:arn',
          },
        },
      }),
    ),
    'deny',
    'allow',
  ),
];
