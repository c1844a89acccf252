import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { ResponseError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  cloudTrailEncryptionScanTriggerPermission,
  isBlockingSeverity,
  type AccountReport,
  type Severity,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { RemediationAccess } from './access';
import { RemediationError } from '../aws/errors';
import { RemediationAws } from '../aws/RemediationAws';
import {
  forScaffolder,
  parseInput,
  rescanInput,
  rescanOutput,
} from '../schemas';
import { EXAMPLE } from './fields';

/** @public */
export const RESCAN_ACTION_ID = 'cloudtrail-encryption:rescan';
const BACKEND_PLUGIN_ID = 'cloudtrail-encryption';

/**
 * cloudtrail-encryption:rescan — asks the TrailGuard backend to scan the
 * account again, so the report (and the entity page) shows the result of the
 * remediation straight away instead of after the next scheduled scan.
 *
 * @public
 */
export function createRescanAction(options: {
  config: Config;
  auth: AuthService;
  discovery: DiscoveryService;
  aws?: RemediationAws;
  access: RemediationAccess;
}) {
  const { auth, discovery, access } = options;
  const aws = options.aws ?? new RemediationAws(options.config);
  return createTemplateAction({
    id: RESCAN_ACTION_ID,
    description:
      'Rescans an AWS account with the TrailGuard backend on behalf of the user who started the task, outputs the new status and the findings that remain, and fails when a blocking (critical or high) finding remains or the account is not compliant, so that a run that fixed nothing is never reported as a success.',
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
      input: forScaffolder(rescanInput),
      output: forScaffolder(rescanOutput),
    },
    async handler(ctx) {
      const { accountId } = parseInput(rescanInput, ctx.input);
      const target = { accountId };
      const { credentials, initiator } = await access.authorize(
        ctx,
        RESCAN_ACTION_ID,
        cloudTrailEncryptionScanTriggerPermission,
        target,
      );
      await access.guard(
        RESCAN_ACTION_ID,
        initiator,
        () => target,
        async () => {
          aws.assertConfigured();
          if (ctx.isDryRun) {
            ctx.logger.info(`Dry run: would rescan account ${accountId}`);
            ctx.output('status', 'dry-run');
            ctx.output('findings', []);
            ctx.output('trails', []);
            return;
          }
          const baseUrl = await discovery.getBaseUrl(BACKEND_PLUGIN_ID);
          // On behalf of the initiator: the backend applies their visibility and
          // scan.trigger decision, not the scaffolder's own service access.
          const { token } = await auth.getPluginRequestToken({
            onBehalfOf: credentials,
            targetPluginId: BACKEND_PLUGIN_ID,
          });
          const response = await fetch(
            `${baseUrl}/accounts/${encodeURIComponent(accountId)}/rescan`,
            {
              method: 'POST',
              headers: {
                Authorization: `Bearer ${token}`,
                'Content-Type': 'application/json',
              },
              // Recorded as a remediation run in the scan history and the trend.
              body: JSON.stringify({ trigger: 'remediation' }),
              signal: ctx.signal,
            },
          );
          if (!response.ok) {
            const error = await ResponseError.fromResponse(response);
            const name = error.cause?.name ? ` ${error.cause.name}` : '';
            throw new RemediationError(
              `Rescan of account ${accountId} failed: ${
                response.status
              }${name}: ${error.cause?.message || error.message}`,
            );
          }
          // Parsed here rather than by fetch, so its arrays are plain arrays
          // of this realm (the template engine refuses others in outputs).
          const report = JSON.parse(await response.text()) as AccountReport;
          const findings = [
            ...new Set(report.findings.map(f => f.code)),
          ].sort();
          ctx.logger.info(
            `Account ${accountId}: ${report.status} (scan ${
              report.scanStatus
            })${findings.length ? `; findings: ${findings.join(', ')}` : ''}`,
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
          const outcome = outcomeOf(report);
          ctx.output('fixed', outcome.fixed);
          ctx.output('remainingFindings', outcome.remaining);
          if (!outcome.fixed) {
            throw new RemediationError(
              `Account ${accountId} is still non-compliant after remediation: ${outcome.reason}`,
            );
          }
          ctx.logger.info(`Account ${accountId} is fixed: ${outcome.reason}`);
        },
      );
    },
  });
}

/**
 * Whether the remediation did its job, judged from the fresh report alone:
 * no blocking finding may remain and the account must be compliant (or have
 * no trails to encrypt). A failed or pending scan is not a success either.
 *
 * @public
 */
export function outcomeOf(report: AccountReport): {
  fixed: boolean;
  remaining: Array<{ code: string; severity: Severity }>;
  reason: string;
} {
  const seen = new Map<string, Severity>();
  for (const f of report.findings) {
    if (!seen.has(f.code) || isBlockingSeverity(f.severity)) {
      seen.set(f.code, f.severity);
    }
  }
  const remaining = [...seen]
    .map(([code, severity]) => ({ code, severity }))
    .sort((a, b) => a.code.localeCompare(b.code));
  const blocking = remaining.filter(f => isBlockingSeverity(f.severity));
  if (report.scanStatus !== 'ok') {
    return {
      fixed: false,
      remaining,
      reason: `the scan ended ${report.scanStatus}${
        report.error ? ` (${report.error})` : ''
      }, so the outcome is unknown`,
    };
  }
  if (blocking.length > 0) {
    return {
      fixed: false,
      remaining,
      reason: `${blocking
        .map(f => `${f.code} (${f.severity})`)
        .join(', ')} remain`,
    };
  }
  if (report.status !== 'compliant' && report.status !== 'no-trails') {
    return {
      fixed: false,
      remaining,
      reason: `the account status is ${report.status}${
        remaining.length
          ? `; findings: ${remaining.map(f => f.code).join(', ')}`
          : ''
      }`,
    };
  }
  return {
    fixed: true,
    remaining,
    reason: remaining.length
      ? `status ${report.status}; non-blocking findings left: ${remaining
          .map(f => `${f.code} (${f.severity})`)
          .join(', ')}`
      : `status ${report.status}, no findings left`,
  };
}
