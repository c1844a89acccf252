import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { RemediationError } from '../aws/errors';
import { RemediationOperations } from '../aws/operations';
import { RemediationAws } from '../aws/RemediationAws';
import { cloudTrailEncryptionRemediatePermission } from '@trailguard/plugin-cloudtrail-encryption-common';
import type { RemediationAccess } from './access';
import { mergeCloudTrailStatements } from '../policy/mergeKeyPolicy';
import { PolicyRejectedError } from '../policy/policyText';
import { TRAILGUARD_SIDS } from '../policy/statements';
import { arnParts, readersFrom, trailArnsFrom, validate } from '../validation';
import { EXAMPLE, fields, TRAIL_ARNS_DESCRIPTION } from './fields';

export const ENSURE_POLICY_ACTION_ID = 'aws:kms:ensure-cloudtrail-key-policy';

/**
 * aws:kms:ensure-cloudtrail-key-policy — adds to an existing key's policy
 * only the CloudTrail statements it lacks, keeping every other statement as
 * it was. Allowed on disabled keys (fixing the policy first is the usual
 * order); the key state is reported.
 */
export function createEnsureCloudTrailKeyPolicyAction(options: {
  config: Config;
  aws?: RemediationAws;
  access: RemediationAccess;
}) {
  const { access } = options;
  const aws = options.aws ?? new RemediationAws(options.config);
  return createTemplateAction({
    id: ENSURE_POLICY_ACTION_ID,
    description: `Adds the missing CloudTrail statements (${Object.values(
      TRAILGUARD_SIDS,
    ).join(
      ', ',
    )}) to an existing KMS key policy, deciding what is missing with TrailGuard's key-policy evaluation. Every other statement is kept exactly; a second run changes nothing. Uses the remediation role only.`,
    supportsDryRun: true,
    examples: [
      {
        description: 'Let CloudTrail use an existing key for a trail',
        example: [
          'steps:',
          '  - id: ensure-policy',
          '    name: Fix the key policy',
          `    action: ${ENSURE_POLICY_ACTION_ID}`,
          '    input:',
          `      accountId: '${EXAMPLE.accountId}'`,
          `      keyArn: ${EXAMPLE.keyArn}`,
          `      trailArn: ${EXAMPLE.trailArn}`,
          '      readers:',
          `        - ${EXAMPLE.reader}`,
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        accountId: z =>
          fields.accountId(
            z,
            "Account that owns the key; its key policy is edited with this account's remediation role",
          ),
        keyArn: z => fields.keyRef(z, 'The key: a key ARN or an alias ARN'),
        trailArn: z =>
          fields
            .trailArn(z, 'Trail that must be able to use the key')
            .optional(),
        trailArns: z =>
          z
            .array(fields.trailArn(z, 'Trail ARN'))
            .optional()
            .describe(TRAIL_ARNS_DESCRIPTION),
        readers: z =>
          z
            .array(fields.principal(z))
            .optional()
            .describe(
              'Principals that must be able to decrypt the log files (IAM role/user ARNs or account ids); those the policy already allows are not added',
            ),
        requireEnabled: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Refuse, changing nothing, when the key is not Enabled (Disabled, PendingDeletion, …). Set it when the trail is switched to the key in the same run, which CloudTrail would refuse for such a key anyway.',
            ),
      },
      output: {
        changed: z =>
          z
            .boolean()
            .describe(
              'Whether the policy was (or, in a dry run, would be) changed',
            ),
        addedStatements: z =>
          z
            .array(z.record(z.any()))
            .describe(
              'TrailGuard statements added or extended, as they appear in the policy',
            ),
        extendedStatements: z =>
          z
            .array(z.string())
            .describe(
              'Sids of existing TrailGuard statements that were extended',
            ),
        policy: z =>
          z
            .string()
            .optional()
            .describe(
              'Dry runs only: the key policy the real run would write, for the next dry-run step to check. Never output by a real run.',
            ),
        diff: z =>
          z
            .string()
            .describe('Unified diff of the policy; empty when unchanged'),
        keyArn: z => z.string().describe('The key ARN (aliases resolved)'),
        keyState: z =>
          z
            .string()
            .describe('KeyState from DescribeKey, e.g. Enabled or Disabled'),
      },
    },
    async handler(ctx) {
      const accountId = validate.accountId(ctx.input.accountId);
      const keyRef = validate.keyRef(ctx.input.keyArn);
      const target = {
        accountId,
        keyArn: keyRef,
        trailArn: ctx.input.trailArn,
      };
      const { initiator } = await access.authorize(
        ctx,
        ENSURE_POLICY_ACTION_ID,
        cloudTrailEncryptionRemediatePermission,
        target,
      );
      await access.guard(
        ENSURE_POLICY_ACTION_ID,
        initiator,
        () => target,
        async () => {
          aws.assertConfigured();
          const key = arnParts(keyRef);
          if (key.accountId !== accountId) {
            throw new InputError(
              `keyArn belongs to account ${key.accountId}, not ${accountId}; a key policy is edited by the key's own account, so set accountId to ${key.accountId}`,
            );
          }
          const trailArns = trailArnsFrom(ctx.input);
          const readers = readersFrom(ctx.input.readers, key.partition);

          const session = await aws.open(accountId, key.partition, initiator);
          try {
            const ops = new RemediationOperations(session, ctx.signal);
            const metadata = await ops.describeKey(key.region, keyRef);
            const keyArn = metadata.Arn!;
            target.keyArn = keyArn;
            const keyState = String(metadata.KeyState ?? 'Unknown');
            if (keyState !== 'Enabled' && ctx.input.requireEnabled) {
              throw new RemediationError(
                `${keyArn} is ${keyState}, and CloudTrail only uses Enabled keys; nothing was changed. Enable the key first, or run the template again with "Create a new key".`,
              );
            }
            if (keyState !== 'Enabled') {
              ctx.logger.warn(
                `${keyArn} is ${keyState}; the policy can still be fixed, but CloudTrail cannot use the key until it is Enabled`,
              );
            }
            const current = await ops.getKeyPolicy(key.region, keyArn);
            let merge;
            try {
              merge = mergeCloudTrailStatements(current, {
                trailArns,
                readers,
                keyArn,
                keyAccountId: accountId,
              });
            } catch (error) {
              if (error instanceof PolicyRejectedError) {
                throw new RemediationError(
                  `The key policy of ${keyArn} was not changed: ${error.message}`,
                );
              }
              throw error;
            }

            const summary = merge.changed
              ? `${merge.addedStatements.map(s => s.Sid).join(', ')} (${
                  merge.bytes
                } bytes)`
              : 'nothing: no statement was added, because the TrailGuard statements CloudTrail and the readers need are already there. This says nothing about what else the policy allows; the rescan reports that';
            if (!merge.changed) {
              ctx.logger.info(`${keyArn}: ${summary}`);
            } else if (ctx.isDryRun) {
              ctx.logger.info(
                `Dry run: would add to the key policy of ${keyArn}: ${summary}\n${merge.diff}`,
              );
            } else {
              // KMS has no conditional write; reading again narrows the window in
              // which someone else's edit could be overwritten to a moment.
              if ((await ops.getKeyPolicy(key.region, keyArn)) !== current) {
                throw new RemediationError(
                  `The key policy of ${keyArn} changed while it was being edited; nothing was written, run the step again`,
                );
              }
              await access.write(
                'kms:PutKeyPolicy',
                initiator,
                {
                  ...target,
                  policyBefore: current,
                  policyAfter: merge.policyText,
                },
                () => ops.putKeyPolicy(key.region, keyArn, merge.policyText),
              );
              ctx.logger.info(
                `Updated the key policy of ${keyArn}: ${summary}\n${merge.diff}`,
              );
            }
            ctx.output('changed', merge.changed);
            ctx.output('addedStatements', merge.addedStatements);
            ctx.output('extendedStatements', merge.extendedSids);
            if (ctx.isDryRun) ctx.output('policy', merge.policyText);
            ctx.output('diff', merge.diff);
            ctx.output('keyArn', keyArn);
            ctx.output('keyState', keyState);
          } finally {
            session.destroy();
          }
        },
      );
    },
  });
}
