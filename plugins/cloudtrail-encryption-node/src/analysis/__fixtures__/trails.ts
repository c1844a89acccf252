import type {
  FindingCode,
  TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { TrailAssessmentInput } from '../types';
import { consoleDefaultPolicy, KEY_ARN, OWNER, TRAIL_ARN } from './keyPolicies';

/** A trail that is configured the way the CloudTrail console sets one up: no findings. */
export function healthyTrail(
  overrides: Partial<TrailAssessmentInput> = {},
): TrailAssessmentInput {
  return {
    trail: {
      trailArn: TRAIL_ARN,
      name: 'management-events',
      homeRegion: 'us-east-1',
      isMultiRegionTrail: true,
      isOrganizationTrail: false,
      ownerAccountId: OWNER,
      s3BucketName: 'audit-logs',
      kmsKeyId: KEY_ARN,
    },
    scannedAccountId: OWNER,
    bucketRegion: 'us-east-1',
    key: {
      info: {
        arn: KEY_ARN,
        keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
        region: 'us-east-1',
        accountId: OWNER,
        state: 'Enabled',
        keyManager: 'CUSTOMER',
        keySpec: 'SYMMETRIC_DEFAULT',
        keyUsage: 'ENCRYPT_DECRYPT',
        multiRegion: false,
        rotationEnabled: true,
      },
      policy: { raw: JSON.stringify(consoleDefaultPolicy()) },
      grants: [],
    },
    status: {
      isLogging: true,
      latestDeliveryTime: '2024-05-01T10:00:00.000Z',
    },
    ...overrides,
  };
}

/** The healthy trail with its key info changed. */
export function withKeyInfo(
  info: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): TrailAssessmentInput {
  const base = healthyTrail();
  const key = base.key as { info: object };
  return healthyTrail({
    key: {
      ...base.key,
      info: { ...key.info, ...info },
      ...extra,
    } as TrailAssessmentInput['key'],
  });
}

/** How the findings of the healthy trail and its key name them. */
export const TRAIL = 'Trail "management-events" (us-east-1)';
export const KEY = `KMS key ${KEY_ARN} (us-east-1)`;

export const codes = (report: TrailReport) => report.findings.map(f => f.code);

/** The healthy trail with this key policy (and grants) instead. */
export const withPolicy = (policy: unknown, grants: unknown = []) =>
  withKeyInfo({}, { policy: { raw: JSON.stringify(policy) }, grants });

/** The one finding with this code; fails the test when there is not exactly one. */
export const only = (report: TrailReport, code: FindingCode) => {
  const found = report.findings.filter(f => f.code === code);
  expect(found).toHaveLength(1);
  return found[0];
};
