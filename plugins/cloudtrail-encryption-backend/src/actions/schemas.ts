import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import type { ActionsRegistryActionOptions } from '@backstage/backend-plugin-api/alpha';

/** The zod the actions registry hands to schema factories. */
type Zod = Parameters<
  ActionsRegistryActionOptions<any, any>['schema']['input']
>[0];

/**
 * Output schemas of the actions. They describe what an assistant needs to
 * answer and act, not the whole stored report: key policies, grants and
 * reader paths stay behind explain-trail-readers.
 */

const finding = (z: Zod) =>
  z.object({
    code: z.string(),
    severity: z.enum(['critical', 'high', 'medium', 'low', 'info']),
    message: z.string(),
    remediation: z.string(),
    trailArn: z.string().optional(),
  });

export const accountReportSchema = (z: Zod) =>
  z.object({
    accountId: z.string(),
    accountName: z.string().optional(),
    entityRef: z
      .string()
      .optional()
      .describe('The catalog entity standing for the account.'),
    status: z.enum(['compliant', 'non-compliant', 'no-trails', 'unknown']),
    scanStatus: z.enum(['ok', 'partial', 'error', 'pending']),
    scannedAt: z.string(),
    lastSuccessAt: z.string().optional(),
    error: z.string().optional(),
    trails: z.array(
      z.object({
        trailArn: z.string(),
        name: z.string(),
        homeRegion: z.string(),
        isMultiRegionTrail: z.boolean(),
        isOrganizationTrail: z.boolean(),
        s3BucketName: z.string(),
        bucketRegion: z.string().optional(),
        encryption: z.enum(['SSE-KMS', 'SSE-S3']),
        kmsKeyArn: z.string().optional(),
        kmsKeyRegion: z.string().optional(),
        kmsKeyState: z.string().optional(),
        keyRegionMatchesBucket: z.boolean().optional(),
        cloudTrailCanEncrypt: z.boolean().optional(),
        isLogging: z.boolean().optional(),
        latestDeliveryError: z.string().optional(),
        readersCount: z
          .number()
          .optional()
          .describe(
            'Effective readers of the logs; see explain-trail-readers for who they are.',
          ),
        error: z.string().optional(),
      }),
    ),
    findings: z.array(finding(z)),
  });

export const accountSummarySchema = (z: Zod) =>
  z.object({
    accountId: z.string(),
    accountName: z.string().optional(),
    status: z.string(),
    scanStatus: z.string(),
    scannedAt: z.string(),
    trailCount: z.number(),
    worstFinding: z
      .object({ code: z.string(), severity: z.string() })
      .optional(),
    findingCodes: z.array(z.string()),
    outsideReadersCount: z.number().optional(),
    entityRef: z.string().optional(),
  });

const condition = (z: Zod) =>
  z.object({
    operator: z.string(),
    key: z.string(),
    values: z.array(z.string()),
  });

export const trailReadersSchema = (z: Zod) =>
  z.object({
    trailArn: z.string(),
    name: z.string(),
    encryption: z.enum(['SSE-KMS', 'SSE-S3']),
    analysis: z
      .enum(['effective-readers', 'key-policy-only', 'none'])
      .describe(
        'effective-readers: both S3 and KMS were evaluated. key-policy-only: only who may decrypt with the key is known (older report or unreadable policies). none: SSE-S3, anyone with s3:GetObject reads the logs.',
      ),
    readers: z.array(
      z.object({
        principal: z.string(),
        kind: z.string(),
        accountId: z.string().optional(),
        outsideOrganization: z.boolean().optional(),
        crossAccount: z.boolean().optional(),
        via: z
          .array(z.string())
          .describe(
            'The policy statements that grant access, as layer:policy#statement.',
          ),
        conditions: z.array(condition(z)),
        assumableBy: z.array(z.string()).optional(),
      }),
    ),
    unresolvedAccounts: z
      .array(z.object({ accountId: z.string(), reason: z.string() }))
      .optional(),
    findings: z.array(finding(z)),
  });

/** The report as get-account-report and rescan-account return it. */
export function condenseReport(report: AccountReport, entityRef?: string) {
  return {
    accountId: report.accountId,
    accountName: report.accountName,
    entityRef,
    status: report.status,
    scanStatus: report.scanStatus,
    scannedAt: report.scannedAt,
    lastSuccessAt: report.lastSuccessAt,
    error: report.error,
    trails: report.trails.map(t => ({
      trailArn: t.trailArn,
      name: t.name,
      homeRegion: t.homeRegion,
      isMultiRegionTrail: t.isMultiRegionTrail,
      isOrganizationTrail: t.isOrganizationTrail,
      s3BucketName: t.s3BucketName,
      bucketRegion: t.bucketRegion,
      encryption: t.encryption,
      kmsKeyArn: t.kmsKey?.arn,
      kmsKeyRegion: t.kmsKey?.region,
      kmsKeyState: t.kmsKey?.state,
      keyRegionMatchesBucket: t.keyRegionMatchesBucket,
      cloudTrailCanEncrypt: t.cloudTrailCanEncrypt,
      isLogging: t.delivery.isLogging,
      latestDeliveryError: t.delivery.latestDeliveryError,
      readersCount: t.readers?.readers.length,
      error: t.error,
    })),
    findings: report.findings.map(f => ({
      code: f.code,
      severity: f.severity,
      message: f.message,
      remediation: f.remediation,
      trailArn: f.trailArn,
    })),
  };
}
