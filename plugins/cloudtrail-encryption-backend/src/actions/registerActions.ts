import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  ACCOUNT_STATUSES,
  FINDING_CODES,
  type AccountReport,
  type AccountStatus,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { AccountQueries } from './AccountQueries';
import { explainReaders } from './explainReaders';
import {
  accountReportSchema,
  accountSummarySchema,
  condenseReport,
  trailReadersSchema,
} from './schemas';

const ACCOUNT_ID = /^\d{12}$/;

function requesterOf(credentials: BackstageCredentials): string | undefined {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user') return principal.userEntityRef;
  if (principal.type === 'service') return principal.subject;
  return undefined;
}

/**
 * Registers TrailGuard's actions (served to AI assistants by the MCP actions
 * backend). Each runs with the caller's credentials through the same checks
 * as the HTTP API, so an assistant never learns more than its user could.
 * Report reads and rescans of an account the caller does not own are audited
 * as the HTTP routes audit them; lists, summaries only, are not.
 */
export function registerActions(
  registry: ActionsRegistryService,
  queries: AccountQueries,
): void {
  const accountOf = async (
    input: { accountId?: string; entityRef?: string },
    credentials: BackstageCredentials,
  ) => {
    if (Boolean(input.accountId) === Boolean(input.entityRef)) {
      throw new InputError('Give exactly one of accountId or entityRef');
    }
    if (input.accountId) return input.accountId;
    return queries.accountIdOfEntity(input.entityRef!, credentials);
  };

  registry.register({
    name: 'get-account-report',
    title: 'Get the CloudTrail encryption report of an AWS account',
    description: `Returns the latest stored CloudTrail encryption report of one AWS account: its overall status (compliant, non-compliant, no-trails, unknown), when it was scanned, each trail with how its logs are encrypted (SSE-KMS or SSE-S3), the KMS key and its Region, whether CloudTrail may use the key, and every finding with its severity and remediation.
Identify the account either by its 12-digit AWS account id or by the entity ref of its catalog entity (e.g. "resource:default/aws-prod"). Use this to answer "is account X compliant?" or "what is wrong with account X and how do I fix it?". The report is the stored one; call rescan-account first if it must reflect a change made just now.
Accounts the user may not see are reported as not found.`,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          accountId: z
            .string()
            .regex(ACCOUNT_ID, 'must be a 12-digit AWS account id')
            .optional()
            .describe('The 12-digit AWS account id.'),
          entityRef: z
            .string()
            .min(1)
            .optional()
            .describe(
              'The catalog entity standing for the account, e.g. resource:default/aws-prod; used when accountId is not given.',
            ),
        }),
      output: z =>
        z.object({
          report: accountReportSchema(z),
        }),
    },
    action: async ({ input, credentials }) => {
      const accountId = await accountOf(input, credentials);
      return queries.readReport(
        'get-account-report',
        accountId,
        credentials,
        ({ report, entityRef }) => ({
          output: { report: condenseReport(report, entityRef) },
        }),
      );
    },
  });

  registry.register({
    name: 'list-accounts',
    title: 'List AWS accounts by CloudTrail encryption status',
    description: `Lists the AWS accounts the user may see with a one-line summary each: status, scan status, number of trails, the worst finding, the finding codes, and the catalog entity standing for the account. The most severe accounts come first.
Filter by status ("non-compliant" for the worklist) and/or by a finding code (e.g. TRAIL_NOT_KMS_ENCRYPTED, KMS_KEY_REGION_MISMATCH, READER_OUTSIDE_ORGANIZATION). Results are paged: page starts at 1, pageSize is at most 100; totalCount tells how many accounts match. Use get-account-report for the details of one account.`,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          status: z
            .enum(ACCOUNT_STATUSES as [AccountStatus, ...AccountStatus[]])
            .optional()
            .describe('Only accounts with this overall status.'),
          finding: z
            .enum(FINDING_CODES)
            .optional()
            .describe('Only accounts with this finding.'),
          page: z.number().int().min(1).default(1).describe('1-based page.'),
          pageSize: z
            .number()
            .int()
            .min(1)
            .max(100)
            .default(25)
            .describe('Accounts per page (at most 100).'),
        }),
      output: z =>
        z.object({
          items: z.array(accountSummarySchema(z)),
          totalCount: z.number(),
          page: z.number(),
          pageSize: z.number(),
        }),
    },
    action: async ({ input, credentials }) => {
      const { items, totalCount } = await queries.list(input, credentials);
      return {
        output: {
          items: items.map(item => ({
            accountId: item.accountId,
            accountName: item.accountName,
            status: item.status,
            scanStatus: item.scanStatus,
            scannedAt: item.scannedAt,
            trailCount: item.trailCount,
            worstFinding: item.worstFinding,
            findingCodes: item.findingCodes,
            outsideReadersCount: item.outsideReadersCount,
            entityRef: item.entityRef,
          })),
          totalCount,
          page: input.page,
          pageSize: input.pageSize,
        },
      };
    },
  });

  registry.register({
    name: 'explain-trail-readers',
    title: "Explain who can read a trail's CloudTrail logs",
    description: `Explains who can read the CloudTrail log files of an account's trails: the IAM roles and users allowed both s3:GetObject on the log objects and kms:Decrypt through S3 with the trail's KMS key, with the policy statements that let each one in, the conditions that still restrict them, whether they are outside the AWS Organization, and who may assume each role.
Give the 12-digit AWS account id, and optionally a trail name or ARN to explain one trail only. When a report predates reader analysis (analysis "key-policy-only"), only the principals the KMS key policy and grants allow to decrypt are known: say so to the user instead of presenting them as the full list.`,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          accountId: z
            .string()
            .regex(ACCOUNT_ID, 'must be a 12-digit AWS account id')
            .describe('The 12-digit AWS account id.'),
          trail: z
            .string()
            .min(1)
            .optional()
            .describe('A trail name or ARN; all trails when omitted.'),
        }),
      output: z =>
        z.object({
          accountId: z.string(),
          trails: z.array(trailReadersSchema(z)),
        }),
    },
    action: async ({ input, credentials }) =>
      queries.readReport(
        'explain-trail-readers',
        input.accountId,
        credentials,
        ({ report }) => {
          const trails = explainReaders(report, input.trail);
          if (input.trail && trails.length === 0) {
            throw new NotFoundError(
              `Account ${input.accountId} has no trail named ${input.trail}`,
            );
          }
          return { output: { accountId: report.accountId, trails } };
        },
      ),
  });

  registry.register({
    name: 'rescan-account',
    title: 'Rescan the CloudTrail encryption of an AWS account',
    description: `Scans one AWS account again now (read-only calls to AWS: CloudTrail, KMS, S3, IAM) and stores the new report, which it returns. Use it after a fix was applied, or when the stored report is old. It takes a few seconds to a minute.
Needs the cloudtrail-encryption.scan.trigger permission on the account; without it the call is refused. It changes nothing in AWS, but it replaces the stored report and is recorded in the scan history, so do not call it repeatedly.`,
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          accountId: z
            .string()
            .regex(ACCOUNT_ID, 'must be a 12-digit AWS account id')
            .describe('The 12-digit AWS account id.'),
        }),
      output: z =>
        z.object({
          report: accountReportSchema(z),
        }),
    },
    action: async ({ input, credentials }) => {
      const report: AccountReport = await queries.rescan(
        'rescan-account',
        input.accountId,
        credentials,
        requesterOf(credentials),
      );
      return { output: { report: condenseReport(report) } };
    },
  });
}
