import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { ResponseError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import { RemediationError } from '../aws/errors';
import { RemediationAws } from '../aws/RemediationAws';
import { validate } from '../validation';
import { EXAMPLE, fields } from './fields';

export const RESCAN_ACTION_ID = 'cloudtrail-encryption:rescan';
const BACKEND_PLUGIN_ID = 'cloudtrail-encryption';

/**
 * cloudtrail-encryption:rescan — asks the TrailGuard backend to scan the
 * account again, so the report (and the entity page) shows the result of the
 * remediation straight away instead of after the next scheduled scan.
 */
export function createRescanAction(options: {
  config: Config;
  auth: AuthService;
  discovery: DiscoveryService;
  aws?: RemediationAws;
}) {
  const { auth, discovery } = options;
  const aws = options.aws ?? new RemediationAws(options.config);
  return createTemplateAction({
    id: RESCAN_ACTION_ID,
    description:
      'Rescans an AWS account with the TrailGuard backend (service-to-service call) and outputs the new status and finding codes.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Rescan after remediation',
        example: [
          'steps:',
          '  - id: rescan',
          '    name: Rescan the account',
          `    action: ${RESCAN_ACTION_ID}`,
          '    input:',
          `      accountId: '${EXAMPLE.accountId}'`,
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        accountId: z => fields.accountId(z, 'The account to rescan'),
      },
      output: {
        status: z =>
          z
            .string()
            .describe(
              'compliant, non-compliant, no-trails or unknown; dry-run in a dry run',
            ),
        scanStatus: z => z.string().optional().describe('ok, error or pending'),
        findings: z =>
          z.array(z.string()).describe('Finding codes left after the scan'),
        trails: z =>
          z
            .array(
              z.object({
                trailArn: z.string(),
                encryption: z.string(),
              }),
            )
            .describe('Each trail and its encryption (SSE-KMS or SSE-S3)'),
        scanError: z =>
          z.string().optional().describe('Why the scan failed, when it did'),
      },
    },
    async handler(ctx) {
      aws.assertConfigured();
      const accountId = validate.accountId(ctx.input.accountId);
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would rescan account ${accountId}`);
        ctx.output('status', 'dry-run');
        ctx.output('findings', []);
        ctx.output('trails', []);
        return;
      }
      const baseUrl = await discovery.getBaseUrl(BACKEND_PLUGIN_ID);
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: BACKEND_PLUGIN_ID,
      });
      const response = await fetch(
        `${baseUrl}/accounts/${encodeURIComponent(accountId)}/rescan`,
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}` },
          signal: ctx.signal,
        },
      );
      if (!response.ok) {
        const error = await ResponseError.fromResponse(response);
        const name = error.cause?.name ? ` ${error.cause.name}` : '';
        throw new RemediationError(
          `Rescan of account ${accountId} failed: ${response.status}${name}: ${
            error.cause?.message || error.message
          }`,
        );
      }
      const report = (await response.json()) as AccountReport;
      const findings = [...new Set(report.findings.map(f => f.code))].sort();
      ctx.logger.info(
        `Account ${accountId}: ${report.status} (scan ${report.scanStatus})${
          findings.length ? `; findings: ${findings.join(', ')}` : ''
        }`,
      );
      if (report.scanStatus === 'error') {
        ctx.logger.warn(`The scan of ${accountId} failed: ${report.error}`);
      }
      ctx.output('status', report.status);
      ctx.output('scanStatus', report.scanStatus);
      ctx.output('findings', findings);
      ctx.output(
        'trails',
        report.trails.map(t => ({
          trailArn: t.trailArn,
          encryption: t.encryption,
        })),
      );
      if (report.error) ctx.output('scanError', report.error);
    },
  });
}
