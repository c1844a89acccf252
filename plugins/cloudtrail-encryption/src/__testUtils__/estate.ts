import type {
  AccountListResponse,
  AccountReport,
  EstateSummary,
  TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { accountList, compliantReport, organizationTrail } from './reports';

export const ORGANIZATION_ID = 'o-tgdemo12345';

export const organizationEstate: EstateSummary = {
  mode: 'organization',
  organizationId: ORGANIZATION_ID,
  managementAccountId: '111111111111',
  accountCount: 45,
  activeCount: 43,
  suspendedCount: 2,
  trustedAccountIds: ['999999999999'],
  readAt: '2026-11-29T07:58:00Z',
};

export const accountsEstate: EstateSummary = {
  mode: 'accounts',
  accountCount: 3,
  activeCount: 3,
  suspendedCount: 0,
  trustedAccountIds: [],
  readAt: '2026-11-29T07:58:00Z',
};

export const unreadableOrganizationEstate: EstateSummary = {
  ...organizationEstate,
  error:
    "AccessDeniedException: You don't have permissions to access this resource (organizations:ListAccounts)",
};

export const organizationMemberReport: AccountReport = {
  ...compliantReport,
  membership: {
    source: 'organization',
    state: 'ACTIVE',
    organizationId: ORGANIZATION_ID,
    ouPath: 'Root/Workloads/Prod',
  },
};

export const configuredMemberReport: AccountReport = {
  ...compliantReport,
  accountId: '300000000001',
  accountName: 'acquired-co',
  membership: { source: 'configured', state: 'ACTIVE' },
};

export const suspendedReport: AccountReport = {
  accountId: '100000000001',
  accountName: 'payments-prod',
  scannedAt: '2026-11-29T08:00:00Z',
  scanStatus: 'pending',
  error:
    'Account 100000000001 is SUSPENDED in AWS Organizations and is not scanned',
  membership: {
    source: 'organization',
    state: 'SUSPENDED',
    organizationId: ORGANIZATION_ID,
    ouPath: 'Root/Suspended',
  },
  status: 'unknown',
  trails: [],
  findings: [],
};

/** ListTrails named it, DescribeTrails in its home Region failed: only the basics are known. */
export const undescribableTrail: TrailReport = {
  trailArn:
    'arn:aws:cloudtrail:ap-southeast-3:100000000001:trail/jakarta-trail',
  name: 'jakarta-trail',
  homeRegion: 'ap-southeast-3',
  isMultiRegionTrail: false,
  isOrganizationTrail: false,
  ownerAccountId: '100000000001',
  s3BucketName: '',
  encryption: 'SSE-S3',
  decryptPrincipals: [],
  delivery: {},
  findings: [],
  error:
    'UnrecognizedClientException: The security token included in the request is invalid',
};

export const partialReport: AccountReport = {
  ...organizationMemberReport,
  scanStatus: 'partial',
  error: '2 Regions could not be read',
  failedRegions: [
    {
      region: 'ap-southeast-3',
      reason:
        'UnrecognizedClientException: The security token included in the request is invalid',
    },
    {
      region: 'me-central-1',
      reason:
        'AccessDenied: explicit deny in a service control policy (aws:RequestedRegion)',
    },
  ],
  trails: [organizationTrail, undescribableTrail],
};

/** The fleet list with a partial scan and a suspended account among the rows. */
export const estateAccountList: AccountListResponse = {
  ...accountList,
  items: [
    ...accountList.items,
    {
      accountId: '100000000004',
      accountName: 'analytics-prod',
      scannedAt: '2026-11-29T08:00:00Z',
      lastSuccessAt: '2026-11-29T08:00:00Z',
      scanStatus: 'partial',
      error: '1 Region could not be read',
      failedRegions: [
        {
          region: 'me-central-1',
          reason: 'AccessDenied: explicit deny in a service control policy',
        },
      ],
      membership: {
        source: 'organization',
        state: 'ACTIVE',
        organizationId: ORGANIZATION_ID,
        ouPath: 'Root/Workloads/Prod',
      },
      status: 'compliant',
      trailCount: 2,
      findingCodes: [],
    },
    {
      accountId: '100000000005',
      accountName: 'old-marketing',
      scannedAt: '2026-11-29T08:00:00Z',
      scanStatus: 'pending',
      error: 'Account 100000000005 is SUSPENDED and is not scanned',
      membership: {
        source: 'organization',
        state: 'SUSPENDED',
        organizationId: ORGANIZATION_ID,
        ouPath: 'Root/Suspended',
      },
      status: 'unknown',
      trailCount: 0,
      findingCodes: [],
    },
  ],
};
