/** One log account with the key, the bucket and the trail, and helpers to analyze its roles. */
import { KMS_DEFAULT_POLICY } from '../../analysis/__fixtures__/keyPolicies';
import { analyzeReaders } from '../analyze';
import type { ReaderAnalysisInput } from '../types';
import { authorizationDetails, RoleSpec } from './iam';

export const A = '111111111111';
export const BUCKET = 'trail-logs';
export const TRAIL = `arn:aws:cloudtrail:us-east-1:${A}:trail/management-events`;
export const KEY = `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const LOGS = `arn:aws:s3:::${BUCKET}/AWSLogs/${A}/*`;
export const role = (name: string) => `arn:aws:iam::${A}:role/${name}`;

export const allow = (
  Action: unknown,
  Resource: unknown,
  extra: object = {},
) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action, Resource, ...extra }],
});
export const readLogs = allow(['s3:GetObject', 'kms:Decrypt'], [LOGS, KEY]);

export function analyze(
  roles: RoleSpec[],
  overrides: Partial<ReaderAnalysisInput> = {},
  policies: Record<string, object> = {},
) {
  return analyzeWithFindings(roles, overrides, policies).readers;
}

export function analyzeWithFindings(
  roles: RoleSpec[],
  overrides: Partial<ReaderAnalysisInput> = {},
  policies: Record<string, object> = {},
) {
  return analyzeReaders({
    trail: {
      trailArn: TRAIL,
      ownerAccountId: A,
      isOrganizationTrail: false,
      s3BucketName: BUCKET,
      bucketRegion: 'us-east-1',
    },
    key: { arn: KEY, accountId: A, policy: KMS_DEFAULT_POLICY },
    bucket: { ownerAccountId: A, policy: null },
    accounts: [
      {
        accountId: A,
        accountName: 'log-archive',
        details: authorizationDetails(A, { roles, policies }),
      },
    ],
    ...overrides,
  });
}

export const names = (list: Array<{ principal: string }>) =>
  list.map(r => r.principal.split('/').pop()).sort();
export const lacking = (result: ReturnType<typeof analyze>) =>
  Object.fromEntries(
    result.partial.map(p => [p.principal.split('/').pop(), p.lacks]),
  );
