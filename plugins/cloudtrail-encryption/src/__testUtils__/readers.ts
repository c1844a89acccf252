import type {
  AccountReport,
  TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { compliantReport, organizationTrail } from './reports';

const SSO_ADMIN_ROLE =
  'arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_5f3a9c0e1b2d4a6f';
const AUDITOR_ROLE = 'arn:aws:iam::333333333333:role/security/SecurityAuditor';

/**
 * The organization trail with its readers analysed: an SSO administrator
 * through AdministratorAccess, the security account's auditor (conditional),
 * a partner role outside the organization, a user through its group; a CI
 * role with kms:* but no S3 and a pipeline role with S3 but no key access as
 * partial readers; one account whose IAM could not be read.
 */
export const readersTrail: TrailReport = {
  ...organizationTrail,
  readers: {
    readers: [
      {
        principal: SSO_ADMIN_ROLE,
        kind: 'iam-role',
        accountId: '222222222222',
        accountName: 'log-archive',
        crossAccount: false,
        outsideOrganization: false,
        via: [
          {
            layer: 'key-policy',
            policy: 'key policy',
            statement: 'EnableIAMUserPermissions',
          },
          {
            layer: 'identity-policy',
            policy: 'arn:aws:iam::aws:policy/AdministratorAccess',
            statement: '#0',
          },
        ],
        conditions: [],
        broad: true,
        trustedBy: [
          {
            principal:
              'arn:aws:iam::222222222222:saml-provider/AWSSSO_0123abcd_DO_NOT_DELETE',
            kind: 'federated',
            accountId: '222222222222',
            permissionSet: 'AdministratorAccess',
            conditions: [
              {
                operator: 'StringEquals',
                key: 'SAML:aud',
                values: ['https://signin.aws.amazon.com/saml'],
              },
            ],
          },
        ],
      },
      {
        principal: AUDITOR_ROLE,
        kind: 'iam-role',
        accountId: '333333333333',
        accountName: 'security',
        crossAccount: true,
        outsideOrganization: false,
        via: [
          {
            layer: 'key-policy',
            policy: 'key policy',
            statement: 'AllowAuditorsToDecrypt',
          },
          {
            layer: 'identity-policy',
            policy: 'inline:read-cloudtrail-logs',
            statement: 'ReadLogs',
            attachedTo: AUDITOR_ROLE,
          },
          {
            layer: 'bucket-policy',
            policy: 'bucket policy',
            statement: 'AllowSecurityAuditRead',
          },
        ],
        conditions: [
          {
            operator: 'StringEquals',
            key: 'aws:PrincipalTag/team',
            values: ['security'],
          },
        ],
        trustedBy: [
          {
            principal: 'arn:aws:iam::333333333333:root',
            kind: 'account-root',
            accountId: '333333333333',
            conditions: [],
          },
        ],
      },
      {
        principal: 'arn:aws:iam::100000000099:role/PartnerLogReader',
        kind: 'iam-role',
        accountId: '100000000099',
        crossAccount: true,
        outsideOrganization: true,
        via: [
          {
            layer: 'key-policy',
            policy: 'key policy',
            statement: '#3',
          },
          {
            layer: 'identity-policy',
            policy: 'arn:aws:iam::100000000099:policy/ReadPartnerLogs',
            statement: '#0',
          },
          {
            layer: 'bucket-policy',
            policy: 'bucket policy',
            statement: 'PartnerRead',
          },
        ],
        conditions: [],
        trustedBy: [
          {
            principal: '*',
            kind: 'any',
            outsideOrganization: true,
            conditions: [],
          },
        ],
      },
      {
        principal: 'arn:aws:iam::222222222222:user/ops/log-reviewer',
        kind: 'iam-user',
        accountId: '222222222222',
        accountName: 'log-archive',
        crossAccount: false,
        outsideOrganization: false,
        via: [
          {
            layer: 'key-policy',
            policy: 'key policy',
            statement: 'EnableIAMUserPermissions',
          },
          {
            layer: 'identity-policy',
            policy: 'arn:aws:iam::222222222222:policy/LogReaders',
            statement: 'Read',
            attachedTo: 'arn:aws:iam::222222222222:group/LogReviewers',
          },
        ],
        conditions: [],
      },
    ],
    partial: [
      {
        principal: 'arn:aws:iam::222222222222:role/ci-deployer',
        kind: 'iam-role',
        accountId: '222222222222',
        accountName: 'log-archive',
        crossAccount: false,
        outsideOrganization: false,
        via: [
          {
            layer: 'key-policy',
            policy: 'key policy',
            statement: 'EnableIAMUserPermissions',
          },
          {
            layer: 'identity-policy',
            policy: 'inline:deploy',
            statement: '#0',
            attachedTo: 'arn:aws:iam::222222222222:role/ci-deployer',
          },
        ],
        conditions: [],
        broad: true,
        lacks: 's3:GetObject',
      },
      {
        principal: 'arn:aws:iam::100000000001:role/DataPipeline',
        kind: 'iam-role',
        accountId: '100000000001',
        accountName: 'payments-prod',
        crossAccount: true,
        outsideOrganization: false,
        via: [
          {
            layer: 'bucket-policy',
            policy: 'bucket policy',
            statement: 'PipelineRead',
          },
        ],
        conditions: [],
        lacks: 'kms:Decrypt',
      },
    ],
    unresolved: [
      {
        accountId: '100000000005',
        accountName: 'identity-prod',
        reason:
          'AccessDenied: not authorized to perform iam:GetAccountAuthorizationDetails',
        missingPermission: 'iam:GetAccountAuthorizationDetails',
      },
    ],
    ineffective: [
      {
        policy: 'key policy',
        statement: 'LegacyNoResource',
        reason: 'no Resource element (KMS accepts it, but it has no effect)',
      },
    ],
  },
};

export const readersReport: AccountReport = {
  ...compliantReport,
  trails: [readersTrail],
};
