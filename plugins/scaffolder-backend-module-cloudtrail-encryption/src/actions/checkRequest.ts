import { createHash } from 'node:crypto';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  cloudTrailEncryptionRemediatePermission,
  isBlockingSeverity,
  type FindingCode,
  type TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  parseArn,
  trailOwnerAccountId,
} from '@trailguard/plugin-cloudtrail-encryption-node';
import { RemediationError } from '../aws/errors';
import {
  checkRequestInput,
  checkRequestOutput,
  forScaffolder,
  parseInput,
  type RECOMMENDED_MODES,
} from '../schemas';
import { EXAMPLE } from './fields';
import { awsOf, scopeOf, type RemediationActionOptions } from './options';

/** @public */
export const CHECK_REQUEST_ACTION_ID = 'cloudtrail-encryption:check-request';

/** @public */
export type Mode = (typeof RECOMMENDED_MODES)[number];

/** Findings no action of this module fixes, with what to do by hand. */
const MANUAL_STEPS: Partial<Record<FindingCode, string>> = {
  DECRYPT_CROSS_ACCOUNT:
    'Decrypt is granted to an account outside the estate: remove that principal from the key policy (or its grant with RetireGrant/RevokeGrant) in the KMS console, or add the account to cloudtrailEncryption.trustedAccountIds if it is trusted.',
  KEY_POLICY_UNREADABLE:
    "The scan role cannot read the key policy: allow kms:GetKeyPolicy to the TrailGuard scan role in the key policy, or fix the policy's syntax, then rescan.",
  TRAIL_NOT_LOGGING:
    'The trail is not logging: start it with `aws cloudtrail start-logging --name <trail ARN>` in its home Region.',
  TRAIL_DELIVERY_FAILING:
    "CloudTrail cannot deliver to the bucket: check the bucket exists and its policy lets cloudtrail.amazonaws.com s3:PutObject with the trail's aws:SourceArn, then rescan.",
  READER_OUTSIDE_ORGANIZATION:
    "A principal outside the organization can read the logs: remove it from the key policy, the bucket policy or the reader role's trust policy (the reader's path on the card names the statement), or add its account to cloudtrailEncryption.trustedAccountIds if it is trusted; then rescan.",
  READER_ROLE_ASSUMABLE_BY_ANY:
    'A role that can read the logs trusts any principal or account: restrict its trust policy to named principals or add an aws:PrincipalOrgID condition (aws iam update-assume-role-policy), then rescan.',
  NO_DECRYPT_PRINCIPALS:
    'Nobody can read the logs: add the readers with keyMode "existing" and the readers list, or grant kms:Decrypt through IAM in the key account.',
};

/** Values that say nothing (an empty field, an empty list) are left out. */
function meaningful(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return !(Array.isArray(value) && value.length === 0);
}

/**
 * What a confirmation is for: the request (every value that decides a write)
 * and the trail's state as the report has it. The preview's dry run outputs
 * it; the run refuses unless it is given back unchanged, so a run made
 * through the API without the preview, with other values than those
 * reviewed, or after the account changed, writes nothing.
 */
export function planDigest(
  request: Record<string, unknown>,
  trail: TrailReport,
  blockingFindings: string[],
): string {
  const plan: Record<string, unknown> = {
    ...request,
    trailState: {
      keyArn: trail.kmsKey?.arn,
      keyState: trail.kmsKey?.state,
      encryption: trail.encryption,
      bucketRegion: trail.bucketRegion,
      blockingFindings: [...blockingFindings].sort(),
    },
  };
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => meaningful(v))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, canonical(v)]),
      );
    }
    return value;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(plan)))
    .digest('hex');
}

/**
 * The mode the trail's blocking findings call for, most fundamental first.
 *
 * @public
 */
export function recommendation(
  trail: TrailReport,
  blocking: string[],
): { mode: Mode; replicaKeyArn?: string; manualSteps?: string } {
  const has = (code: FindingCode) => blocking.includes(code);
  const key = trail.kmsKey;
  if (has('TRAIL_NOT_KMS_ENCRYPTED') || !key) return { mode: 'create' };
  if (
    has('KMS_KEY_NOT_ENABLED') ||
    has('KMS_KEY_PENDING_DELETION') ||
    has('KMS_KEY_NOT_SYMMETRIC')
  ) {
    return { mode: 'create' };
  }
  if (has('KMS_KEY_REGION_MISMATCH')) {
    const candidates = [...(key.replicaKeyArns ?? []), key.primaryKeyArn];
    const replicaKeyArn = candidates.find(
      arn => !!arn && parseArn(arn)?.region === trail.bucketRegion,
    );
    if (key.multiRegion && replicaKeyArn) {
      return { mode: 'existing', replicaKeyArn };
    }
    if (key.multiRegion && key.multiRegionKeyType !== 'REPLICA') {
      return { mode: 'replicate' };
    }
    return { mode: 'create' };
  }
  if (has('DECRYPT_OPEN_TO_ANY_PRINCIPAL')) return { mode: 'narrow-decrypt' };
  if (
    has('CLOUDTRAIL_CANNOT_ENCRYPT') ||
    has('CLOUDTRAIL_CANNOT_DESCRIBE_KEY')
  ) {
    return { mode: 'existing' };
  }
  const manual = blocking
    .map(code => MANUAL_STEPS[code as FindingCode])
    .filter((s): s is string => !!s);
  if (manual.length > 0)
    return { mode: 'manual', manualSteps: manual.join('\n') };
  if (blocking.length > 0) {
    return {
      mode: 'manual',
      manualSteps: `No action here fixes ${blocking.join(
        ', ',
      )}; see docs/findings.md for each code.`,
    };
  }
  return { mode: 'existing' };
}

/**
 * cloudtrail-encryption:check-request — the first step of the remediation
 * template: the prefilled values are checked against the stored TrailGuard
 * report (never trusted from the link), and the mode the findings call for
 * is output. Makes no AWS call.
 *
 * @public
 */
export function createCheckRequestAction(options: RemediationActionOptions) {
  const { access } = options;
  const aws = awsOf(options);
  const scope = scopeOf(options);
  return createTemplateAction({
    id: CHECK_REQUEST_ACTION_ID,
    description:
      "Checks a remediation request against the stored TrailGuard report before anything runs: the account is in the estate, the trail is in the account's report and belongs to it (its own trail, or its organization's trail), and a key given is the trail's or one of its organization's. Outputs the trail's bucket, key, blocking findings and the mode they call for.",
    supportsDryRun: true,
    examples: [
      {
        description: 'Check the prefilled form before any step changes AWS',
        example: [
          'steps:',
          '  - id: check',
          '    name: Check the request against the report',
          `    action: ${CHECK_REQUEST_ACTION_ID}`,
          '    input:',
          `      accountId: '${EXAMPLE.accountId}'`,
          `      trailArn: ${EXAMPLE.trailArn}`,
          '      keyMode: create',
        ].join('\n'),
      },
    ],
    schema: {
      input: forScaffolder(checkRequestInput),
      output: forScaffolder(checkRequestOutput),
    },
    async handler(ctx) {
      const input = parseInput(checkRequestInput, ctx.input);
      const { accountId, trailArn, keyMode, existingKeyArn } = input;
      const target = { accountId, trailArn, keyArn: existingKeyArn };
      const { initiator, credentials } = await access.authorize(
        ctx,
        CHECK_REQUEST_ACTION_ID,
        cloudTrailEncryptionRemediatePermission,
        target,
      );
      await access.guard(
        CHECK_REQUEST_ACTION_ID,
        initiator,
        () => target,
        async () => {
          // The steps after this one would fail without the remediation role.
          aws.assertConfigured();
          const owner = trailOwnerAccountId(trailArn);
          const estate = await scope.check(
            { ownerAccountId: accountId },
            credentials,
            ctx.signal,
          );
          const directory = scope.estate!;
          const report = await directory.report(
            accountId,
            credentials,
            ctx.signal,
          );
          if (!report) {
            throw new RemediationError(
              `TrailGuard has no report of account ${accountId} that you may see; scan it first. Nothing was changed.`,
            );
          }
          const trail = report.trails.find(t => t.trailArn === trailArn);
          if (!trail) {
            throw new RemediationError(
              `${trailArn} is not in the TrailGuard report of account ${accountId} (scanned ${report.scannedAt}); open Remediate from the account's card. Nothing was changed.`,
            );
          }
          const organizationTrail =
            trail.isOrganizationTrail &&
            !!estate.managementAccountId &&
            owner === estate.managementAccountId;
          if (owner !== accountId && !organizationTrail) {
            throw new RemediationError(
              `${trailArn} belongs to account ${owner}, and is neither account ${accountId}'s own trail nor its organization's trail. Nothing was changed.`,
            );
          }
          // The owner of an organization trail must be in the estate too.
          if (owner !== accountId) {
            await scope.check(
              { ownerAccountId: owner },
              credentials,
              ctx.signal,
            );
          }
          const currentKeyArn = trail.kmsKey?.arn;
          const needsCurrentKey =
            keyMode === 'restore' ||
            keyMode === 'replicate' ||
            keyMode === 'narrow-decrypt';
          if (keyMode !== 'create' && !existingKeyArn) {
            throw new RemediationError(
              `keyMode ${keyMode} needs existingKeyArn. Nothing was changed.`,
            );
          }
          if (needsCurrentKey && existingKeyArn !== currentKeyArn) {
            throw new RemediationError(
              `keyMode ${keyMode} works on the key the trail uses now (${
                currentKeyArn ?? 'none: the trail uses SSE-S3'
              }), but existingKeyArn is ${existingKeyArn}. Nothing was changed.`,
            );
          }
          if (existingKeyArn) {
            // A crafted link cannot propose a key outside the organization.
            await scope.check(
              { ownerAccountId: owner, keyArn: existingKeyArn },
              credentials,
              ctx.signal,
            );
          }
          const trailFindings = report.findings.filter(
            f => f.trailArn === trailArn,
          );
          const blockingFindings = [
            ...new Set(
              trailFindings
                .filter(f => isBlockingSeverity(f.severity))
                .map(f => f.code),
            ),
          ];
          const advice = recommendation(trail, blockingFindings);
          const digest = planDigest(
            {
              accountId,
              trailArn,
              keyMode,
              existingKeyArn,
              ...input.plan,
              readers: input.plan?.readers
                ? [...input.plan.readers].sort()
                : undefined,
            },
            trail,
            blockingFindings,
          );
          if (!ctx.isDryRun && input.confirmedPlan !== digest) {
            throw new RemediationError(
              input.confirmedPlan
                ? 'The planned changes you confirmed are no longer what this run would do: the values or the account changed since the preview. Open Remediate again and review the new plan. Nothing was changed.'
                : 'No reviewed plan was confirmed: run the template from its form, where a dry run shows the planned changes, and confirm them. Nothing was changed.',
            );
          }
          ctx.logger.info(
            `${trailArn}: blocking findings ${
              blockingFindings.join(', ') || 'none'
            }; the report calls for keyMode ${advice.mode}${
              advice.replicaKeyArn ? ` with ${advice.replicaKeyArn}` : ''
            }; the form asks for ${keyMode}`,
          );
          ctx.output('planDigest', digest);
          ctx.output('trailArn', trailArn);
          ctx.output('ownerAccountId', owner);
          ctx.output('bucketName', trail.s3BucketName);
          ctx.output('bucketRegion', trail.bucketRegion ?? '');
          if (currentKeyArn) ctx.output('currentKeyArn', currentKeyArn);
          ctx.output('blockingFindings', blockingFindings);
          ctx.output('recommendedMode', advice.mode);
          if (advice.replicaKeyArn) {
            ctx.output('replicaKeyArn', advice.replicaKeyArn);
          }
          if (advice.manualSteps) {
            ctx.output('manualSteps', advice.manualSteps);
          }
        },
      );
    },
  });
}
