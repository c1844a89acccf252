import type {
  AccountReport,
  EffectiveReader,
  PartialReader,
  ReaderPathStep,
  TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { compliantReport, organizationTrail } from './reports';

const SSO_ADMIN_ROLE =
  'arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_5f3a9c0e1b2d4a6f';
const AUDITOR_ROLE = 'arn:aws:iam::333333333333:role/security/SecurityAuditor';

/**
 * A reader of a trail's logs: its account id and kind (role or user) come
 * from the principal's ARN; it is in the key's account, inside the
 * organization, with no path and no conditions, unless `overrides` say
 * otherwise.
 */
export function reader(
  overrides: Partial<EffectiveReader> & Pick<EffectiveReader, 'principal'>,
): EffectiveReader {
  return {
    kind: overrides.principal.includes(':user/') ? 'iam-user' : 'iam-role',
    accountId: overrides.principal.split(':')[4],
    crossAccount: false,
    outsideOrganization: false,
    via: [],
    conditions: [],
    ...overrides,
  };
}

/** A principal that lacks one of the two permissions a reader needs. */
export function partialReader(
  lacks: PartialReader['lacks'],
  overrides: Parameters<typeof reader>[0],
): PartialReader {
  return { ...reader(overrides), lacks };
}

const keyPolicy = (statement: string): ReaderPathStep => ({
  layer: 'key-policy',
  policy: 'key policy',
  statement,
});

const bucketPolicy = (statement: string): ReaderPathStep => ({
  layer: 'bucket-policy',
  policy: 'bucket policy',
  statement,
});

const identityPolicy = (
  policy: string,
  statement: string,
  attachedTo?: string,
): ReaderPathStep => ({
  layer: 'identity-policy',
  policy,
  statement,
  ...(attachedTo && { attachedTo }),
});

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
      reader({
        principal: SSO_ADMIN_ROLE,
        accountName: 'log-archive',
        via: [
          keyPolicy('EnableIAMUserPermissions'),
          identityPolicy('arn:aws:iam::aws:policy/AdministratorAccess', '#0'),
        ],
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
      }),
      reader({
        principal: AUDITOR_ROLE,
        accountName: 'security',
        crossAccount: true,
        via: [
          keyPolicy('AllowAuditorsToDecrypt'),
          identityPolicy(
            'inline:read-cloudtrail-logs',
            'ReadLogs',
            AUDITOR_ROLE,
          ),
          bucketPolicy('AllowSecurityAuditRead'),
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
      }),
      reader({
        principal: 'arn:aws:iam::100000000099:role/PartnerLogReader',
        crossAccount: true,
        outsideOrganization: true,
        via: [
          keyPolicy('#3'),
          identityPolicy(
            'arn:aws:iam::100000000099:policy/ReadPartnerLogs',
            '#0',
          ),
          bucketPolicy('PartnerRead'),
        ],
        trustedBy: [
          {
            principal: '*',
            kind: 'any',
            outsideOrganization: true,
            conditions: [],
          },
        ],
      }),
      reader({
        principal: 'arn:aws:iam::222222222222:user/ops/log-reviewer',
        accountName: 'log-archive',
        via: [
          keyPolicy('EnableIAMUserPermissions'),
          identityPolicy(
            'arn:aws:iam::222222222222:policy/LogReaders',
            'Read',
            'arn:aws:iam::222222222222:group/LogReviewers',
          ),
        ],
      }),
    ],
    partial: [
      partialReader('s3:GetObject', {
        principal: 'arn:aws:iam::222222222222:role/ci-deployer',
        accountName: 'log-archive',
        via: [
          keyPolicy('EnableIAMUserPermissions'),
          identityPolicy(
            'inline:deploy',
            '#0',
            'arn:aws:iam::222222222222:role/ci-deployer',
          ),
        ],
        broad: true,
      }),
      partialReader('kms:Decrypt', {
        principal: 'arn:aws:iam::100000000001:role/DataPipeline',
        accountName: 'payments-prod',
        crossAccount: true,
        via: [bucketPolicy('PipelineRead')],
      }),
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
