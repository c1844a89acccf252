import type {
  AccountReport,
  TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';

export function trail(overrides: Partial<TrailReport> = {}): TrailReport {
  return {
    trailArn: 'arn:aws:cloudtrail:us-east-1:100000000001:trail/main',
    name: 'main',
    homeRegion: 'us-east-1',
    isMultiRegionTrail: true,
    isOrganizationTrail: false,
    ownerAccountId: '100000000001',
    s3BucketName: 'main-cloudtrail-100000000001',
    bucketRegion: 'us-east-1',
    encryption: 'SSE-KMS',
    kmsKey: {
      arn: 'arn:aws:kms:us-east-1:100000000001:key/11111111-2222-3333-4444-555555555555',
      region: 'us-east-1',
      accountId: '100000000001',
      state: 'Enabled',
      keyManager: 'CUSTOMER',
      keySpec: 'SYMMETRIC_DEFAULT',
      multiRegion: false,
      rotationEnabled: true,
      policyReadable: true,
    },
    keyRegionMatchesBucket: true,
    cloudTrailCanEncrypt: true,
    cloudTrailCanDescribe: true,
    decryptPrincipals: [],
    delivery: { isLogging: true },
    findings: [],
    ...overrides,
  };
}

export function report(overrides: Partial<AccountReport> = {}): AccountReport {
  return {
    accountId: '100000000001',
    accountName: 'payments-prod',
    scannedAt: '2026-11-29T10:00:00.000Z',
    scanStatus: 'ok',
    status: 'compliant',
    trails: [trail()],
    findings: [],
    ...overrides,
  };
}
