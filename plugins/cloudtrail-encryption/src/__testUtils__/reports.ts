import type { Entity } from '@backstage/catalog-model';
import type {
  AccountListResponse,
  AccountReport,
  ScanRunListResponse,
  TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';

export const accountEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'aws-payments-prod',
    title: 'payments-prod (100000000001)',
    annotations: { 'amazonaws.com/account-id': '100000000001' },
  },
  spec: { type: 'cloud-account', owner: 'group:payments-team' },
};

export const ORG_KEY_ARN =
  'arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** The organization trail, delivered to the log-archive account's bucket and key. */
export const organizationTrail: TrailReport = {
  trailArn: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail',
  name: 'org-trail',
  homeRegion: 'us-east-1',
  isMultiRegionTrail: true,
  isOrganizationTrail: true,
  ownerAccountId: '111111111111',
  s3BucketName: 'tg-org-cloudtrail-logs',
  bucketRegion: 'us-east-1',
  encryption: 'SSE-KMS',
  kmsKey: {
    arn: ORG_KEY_ARN,
    keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    aliases: ['alias/cloudtrail-org'],
    region: 'us-east-1',
    accountId: '222222222222',
    state: 'Enabled',
    keyManager: 'CUSTOMER',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    multiRegion: false,
    rotationEnabled: true,
    policyReadable: true,
  },
  keyRegionMatchesBucket: true,
  cloudTrailCanEncrypt: true,
  cloudTrailCanDescribe: true,
  decryptPrincipals: [
    {
      principal: 'arn:aws:iam::222222222222:role/security/SecurityAuditor',
      kind: 'iam-role',
      accountId: '222222222222',
      via: 'key-policy',
      conditions: [
        {
          operator: 'StringLike',
          key: 'kms:EncryptionContext:aws:cloudtrail:arn',
          values: ['arn:aws:cloudtrail:*:111111111111:trail/*'],
        },
      ],
      source: 'AllowAuditorsToDecrypt',
    },
    {
      principal: 'arn:aws:iam::222222222222:root',
      kind: 'account-root',
      accountId: '222222222222',
      via: 'iam-delegation',
      conditions: [],
      source: 'EnableIAMUserPermissions',
    },
  ],
  delivery: {
    isLogging: true,
    latestDeliveryTime: '2026-11-29T07:55:12Z',
  },
  findings: [],
};

export const compliantReport: AccountReport = {
  accountId: '100000000001',
  accountName: 'payments-prod',
  scannedAt: '2026-11-29T08:00:00Z',
  lastSuccessAt: '2026-11-29T08:00:00Z',
  scanStatus: 'ok',
  status: 'compliant',
  trails: [organizationTrail],
  findings: [],
};

const mismatchTrail: TrailReport = {
  trailArn: 'arn:aws:cloudtrail:eu-west-1:100000000001:trail/payments-trail',
  name: 'payments-trail',
  homeRegion: 'eu-west-1',
  isMultiRegionTrail: false,
  isOrganizationTrail: false,
  ownerAccountId: '100000000001',
  s3BucketName: 'payments-prod-cloudtrail',
  bucketRegion: 'eu-west-1',
  encryption: 'SSE-KMS',
  kmsKey: {
    arn: 'arn:aws:kms:us-east-1:100000000001:key/mrk-5f1c0e2d9a8b4c7d',
    keyId: 'mrk-5f1c0e2d9a8b4c7d',
    region: 'us-east-1',
    accountId: '100000000001',
    state: 'Enabled',
    keyManager: 'CUSTOMER',
    multiRegion: false,
    rotationEnabled: false,
    policyReadable: true,
  },
  keyRegionMatchesBucket: false,
  cloudTrailCanEncrypt: false,
  cloudTrailCanDescribe: true,
  decryptPrincipals: [
    {
      principal: '*',
      kind: 'any',
      organizationId: 'o-tgdemo12345',
      via: 'key-policy',
      conditions: [
        {
          operator: 'StringEquals',
          key: 'aws:PrincipalOrgID',
          values: ['o-tgdemo12345'],
        },
      ],
      source: 'AllowOrgToDecrypt',
    },
    {
      principal: 'arn:aws:iam::100000000001:role/LogProcessor',
      kind: 'iam-role',
      accountId: '100000000001',
      via: 'grant',
      conditions: [],
      source: '0f6e3c1a2b9d8e7f',
    },
  ],
  delivery: {
    isLogging: true,
    latestDeliveryError: 'InsufficientEncryptionPolicyException',
    latestDeliveryTime: '2026-11-20T10:12:00Z',
  },
  findings: [
    {
      code: 'KEY_ROTATION_DISABLED',
      severity: 'low',
      message: 'Automatic rotation is off for key mrk-5f1c0e2d9a8b4c7d.',
      remediation: 'Enable automatic key rotation.',
      trailArn:
        'arn:aws:cloudtrail:eu-west-1:100000000001:trail/payments-trail',
    },
    {
      code: 'KMS_KEY_REGION_MISMATCH',
      severity: 'critical',
      message:
        'Trail payments-trail delivers to bucket payments-prod-cloudtrail in eu-west-1 but its key is in us-east-1.',
      remediation:
        'Create a KMS key in eu-west-1 with the CloudTrail statements and point the trail at it.',
      trailArn:
        'arn:aws:cloudtrail:eu-west-1:100000000001:trail/payments-trail',
    },
    {
      code: 'CLOUDTRAIL_CANNOT_ENCRYPT',
      severity: 'high',
      message:
        'The key policy of mrk-5f1c0e2d9a8b4c7d does not let cloudtrail.amazonaws.com call kms:GenerateDataKey*.',
      remediation: 'Add the CloudTrail encrypt statement to the key policy.',
      trailArn:
        'arn:aws:cloudtrail:eu-west-1:100000000001:trail/payments-trail',
    },
  ],
};

export const regionMismatchReport: AccountReport = {
  ...compliantReport,
  status: 'non-compliant',
  trails: [mismatchTrail],
  findings: mismatchTrail.findings,
};

const sseS3Trail: TrailReport = {
  trailArn: 'arn:aws:cloudtrail:us-west-2:100000000002:trail/search-trail',
  name: 'search-trail',
  homeRegion: 'us-west-2',
  isMultiRegionTrail: true,
  isOrganizationTrail: false,
  ownerAccountId: '100000000002',
  s3BucketName: 'search-dev-cloudtrail',
  bucketRegion: 'us-west-2',
  encryption: 'SSE-S3',
  decryptPrincipals: [],
  delivery: { isLogging: true, latestDeliveryTime: '2026-11-29T07:50:00Z' },
  findings: [
    {
      code: 'TRAIL_NOT_KMS_ENCRYPTED',
      severity: 'high',
      message: 'Trail search-trail only uses SSE-S3.',
      remediation: 'Configure an SSE-KMS key on the trail.',
      trailArn: 'arn:aws:cloudtrail:us-west-2:100000000002:trail/search-trail',
    },
  ],
};

export const sseS3Report: AccountReport = {
  accountId: '100000000002',
  accountName: 'search-dev',
  scannedAt: '2026-11-29T08:00:00Z',
  lastSuccessAt: '2026-11-29T08:00:00Z',
  scanStatus: 'ok',
  status: 'non-compliant',
  trails: [sseS3Trail],
  findings: sseS3Trail.findings,
};

export const scanErrorReport: AccountReport = {
  ...compliantReport,
  scannedAt: '2026-11-29T09:00:00Z',
  lastSuccessAt: '2026-11-28T08:00:00Z',
  scanStatus: 'error',
  error:
    'AccessDenied: User: arn:aws:sts::100000000001:assumed-role/TrailGuardScan/tg is not authorized to perform: cloudtrail:DescribeTrails',
};

export const publicDecryptReport: AccountReport = {
  ...compliantReport,
  accountId: '100000000003',
  accountName: 'marketing-prod',
  status: 'non-compliant',
  trails: [
    {
      ...organizationTrail,
      decryptPrincipals: [
        {
          principal: '*',
          kind: 'any',
          via: 'key-policy',
          conditions: [],
          source: 'OpenDecrypt',
        },
      ],
      findings: [
        {
          code: 'DECRYPT_OPEN_TO_ANY_PRINCIPAL',
          severity: 'critical',
          message: 'Any AWS principal may decrypt the logs of org-trail.',
          remediation: 'Remove the statement granting kms:Decrypt to "*".',
          trailArn: organizationTrail.trailArn,
        },
      ],
    },
  ],
};
publicDecryptReport.findings = publicDecryptReport.trails[0].findings;

export const noTrailsReport: AccountReport = {
  accountId: '100000000001',
  accountName: 'payments-prod',
  scannedAt: '2026-11-29T08:00:00Z',
  lastSuccessAt: '2026-11-29T08:00:00Z',
  scanStatus: 'ok',
  status: 'no-trails',
  trails: [],
  findings: [],
};

export const accountList: AccountListResponse = {
  items: [
    {
      accountId: '100000000001',
      accountName: 'payments-prod',
      scannedAt: '2026-11-29T08:00:00Z',
      lastSuccessAt: '2026-11-29T08:00:00Z',
      scanStatus: 'ok',
      status: 'non-compliant',
      trailCount: 1,
      readersCount: 5,
      outsideReadersCount: 1,
      worstFinding: { code: 'KMS_KEY_REGION_MISMATCH', severity: 'critical' },
      findingCodes: [
        'KMS_KEY_REGION_MISMATCH',
        'CLOUDTRAIL_CANNOT_ENCRYPT',
        'KEY_ROTATION_DISABLED',
      ],
    },
    {
      accountId: '222222222222',
      accountName: 'log-archive',
      scannedAt: '2026-11-29T08:00:00Z',
      lastSuccessAt: '2026-11-29T08:00:00Z',
      scanStatus: 'ok',
      status: 'compliant',
      trailCount: 1,
      readersCount: 3,
      outsideReadersCount: 0,
      findingCodes: [],
    },
    {
      accountId: '100000000009',
      accountName: 'data-sandbox',
      scannedAt: '2026-11-29T08:00:00Z',
      scanStatus: 'error',
      error: 'AccessDenied: not authorized to perform sts:AssumeRole',
      status: 'unknown',
      trailCount: 0,
      findingCodes: [],
    },
  ],
  totalCount: 43,
  page: 1,
  pageSize: 20,
  countsByStatus: {
    compliant: 31,
    'non-compliant': 7,
    'no-trails': 2,
    unknown: 3,
  },
};

export const emptyAccountList: AccountListResponse = {
  items: [],
  totalCount: 0,
  page: 1,
  pageSize: 20,
  countsByStatus: {
    compliant: 0,
    'non-compliant': 0,
    'no-trails': 0,
    unknown: 0,
  },
};

export const scanRuns: ScanRunListResponse = {
  items: [
    {
      id: 'run-3',
      trigger: 'schedule',
      startedAt: '2026-11-29T08:00:00Z',
      finishedAt: '2026-11-29T08:04:10Z',
      accountCount: 43,
      errorCount: 3,
      countsByStatus: {
        compliant: 31,
        'non-compliant': 7,
        'no-trails': 2,
        unknown: 3,
      },
    },
    {
      id: 'run-manual',
      trigger: 'manual',
      startedAt: '2026-11-28T15:30:00Z',
      finishedAt: '2026-11-28T15:30:09Z',
      accountCount: 1,
      errorCount: 0,
      countsByStatus: {
        compliant: 1,
        'non-compliant': 0,
        'no-trails': 0,
        unknown: 0,
      },
    },
    {
      id: 'run-2',
      trigger: 'schedule',
      startedAt: '2026-11-28T08:00:00Z',
      finishedAt: '2026-11-28T08:03:51Z',
      accountCount: 43,
      errorCount: 1,
      countsByStatus: {
        compliant: 28,
        'non-compliant': 10,
        'no-trails': 4,
        unknown: 1,
      },
    },
    {
      id: 'run-1',
      trigger: 'schedule',
      startedAt: '2026-11-27T08:00:00Z',
      finishedAt: '2026-11-27T08:03:40Z',
      accountCount: 42,
      errorCount: 0,
      countsByStatus: {
        compliant: 25,
        'non-compliant': 13,
        'no-trails': 4,
        unknown: 0,
      },
    },
  ],
};
