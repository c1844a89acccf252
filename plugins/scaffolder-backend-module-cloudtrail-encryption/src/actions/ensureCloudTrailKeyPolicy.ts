import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { RemediationError } from '../aws/errors';
import { replaceKeyPolicy } from './keyPolicyWrite';
import { RemediationOperations } from '../aws/operations';
import { cloudTrailEncryptionRemediatePermission } from '@trailguard/plugin-cloudtrail-encryption-common';
import { KmsOperations } from '../kmsOperations';
import { assertSafeKeyPolicyChange } from '../policy/policyGuard';
import {
  ensurePolicyInput,
  ensurePolicyOutput,
  forScaffolder,
  parseInput,
} from '../schemas';
import { awsOf, scopeOf, type RemediationActionOptions } from './options';
import {
  mergeCloudTrailStatements,
  TRAILGUARD_SIDS,
} from '../policy/mergeKeyPolicy';
import { parsePolicyText, PolicyRejectedError } from '../policy/policyText';
import { statementDiff } from '../policy/statementDiff';
import { arnParts, readersFrom, trailArnsFrom } from '../validation';
import { EXAMPLE } from './fields';

/** @public */
export const ENSURE_POLICY_ACTION_ID = 'aws:kms:ensure-cloudtrail-key-policy';

/**
 * aws:kms:ensure-cloudtrail-key-policy — adds to an existing key's policy
 * only the CloudTrail statements it lacks, keeping every other statement as
 * it was. Allowed on disabled keys (fixing the policy first is the usual
 * order); the key state is reported.
 *
 * @public
 */
export function createEnsureCloudTrailKeyPolicyAction(
  options: RemediationActionOptions,
) {
  const { access } = options;
  const aws = awsOf(options);
  const scope = scopeOf(options);
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
      input: forScaffolder(ensurePolicyInput),
      output: forScaffolder(ensurePolicyOutput),
    },
    async handler(ctx) {
      const input = parseInput(ensurePolicyInput, ctx.input);
      const { accountId, keyArn: keyRef } = input;
      const target = {
        accountId,
        keyArn: keyRef,
        trailArn: input.trailArn,
      };
      const { initiator, credentials } = await access.authorize(
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
          const trailArns = trailArnsFrom(input);
          const readers = readersFrom(input.readers, key.partition);
          const owners = [
            ...new Set(trailArns.map(a => arnParts(a).accountId)),
          ];
          for (const [i, owner] of owners.entries()) {
            await scope.check(
              i === 0
                ? { ownerAccountId: owner, keyArn: keyRef, readers }
                : { ownerAccountId: owner, keyArn: keyRef },
              credentials,
              ctx.signal,
            );
          }

          const session = await aws.open(accountId, key.partition, initiator);
          try {
            const ops = new RemediationOperations(session, ctx.signal);
            const metadata = await ops.describeKey(key.region, keyRef);
            const keyArn = metadata.Arn!;
            target.keyArn = keyArn;
            const keyState = String(metadata.KeyState ?? 'Unknown');
            if (keyState !== 'Enabled' && input.requireEnabled) {
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

            if (merge.changed) {
              await scope.assertEditableKey(metadata, {
                credentials,
                accountIds: [accountId, ...owners],
                tags: () =>
                  new KmsOperations(session, ctx.signal).tags(
                    key.region,
                    keyArn,
                  ),
                signal: ctx.signal,
              });
              try {
                assertSafeKeyPolicyChange(current, merge.policyText, {
                  keyArn,
                  keyAccountId: accountId,
                  trailArn: trailArns[0],
                });
              } catch (error) {
                if (error instanceof PolicyRejectedError) {
                  throw new RemediationError(
                    `The key policy of ${keyArn} was not changed: ${error.message}`,
                  );
                }
                throw error;
              }
            }

            // The log shows the statements added or changed, never the whole policy.
            const changes = () =>
              statementDiff(
                parsePolicyText(current).statements,
                parsePolicyText(merge.policyText).statements,
              );
            const summary = merge.changed
              ? `${merge.addedStatements.map(s => s.Sid).join(', ')} (${
                  merge.bytes
                } bytes)`
              : 'nothing: no statement was added, because the TrailGuard statements CloudTrail and the readers need are already there. This says nothing about what else the policy allows; the rescan reports that';
            if (!merge.changed) {
              ctx.logger.info(`${keyArn}: ${summary}`);
            } else if (ctx.isDryRun) {
              ctx.logger.info(
                `Dry run: would add to the key policy of ${keyArn}: ${summary}\n${changes()}`,
              );
            } else {
              await replaceKeyPolicy({
                access,
                ops,
                initiator,
                target,
                region: key.region,
                keyArn,
                before: current,
                after: merge.policyText,
              });
              ctx.logger.info(
                `Updated the key policy of ${keyArn}: ${summary}\n${changes()}`,
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
