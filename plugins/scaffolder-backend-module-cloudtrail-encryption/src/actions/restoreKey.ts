import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { cloudTrailEncryptionRemediatePermission } from '@trailguard/plugin-cloudtrail-encryption-common';
import { RemediationError } from '../aws/errors';
import { RemediationOperations } from '../aws/operations';
import { KmsOperations } from '../kmsOperations';
import {
  forScaffolder,
  parseInput,
  restoreKeyInput,
  restoreKeyOutput,
} from '../schemas';
import { arnParts } from '../validation';
import { EXAMPLE } from './fields';
import { awsOf, scopeOf, type RemediationActionOptions } from './options';

/** @public */
export const RESTORE_KEY_ACTION_ID = 'aws:kms:restore-cloudtrail-key';

/**
 * aws:kms:restore-cloudtrail-key — brings the trail's key back: cancels its
 * scheduled deletion when pending, then enables it.
 *
 * @public
 */
export function createRestoreCloudTrailKeyAction(
  options: RemediationActionOptions,
) {
  const { access } = options;
  const aws = awsOf(options);
  const scope = scopeOf(options);
  return createTemplateAction({
    id: RESTORE_KEY_ACTION_ID,
    description:
      "Restores a trail's customer managed KMS key: cancels its scheduled deletion (CancelKeyDeletion) when it is pending deletion, then enables it (EnableKey). Only keys a trail of the account uses, or that carry the editable-key tag. Uses the remediation role only.",
    supportsDryRun: true,
    examples: [
      {
        description: 'Re-enable the disabled key of a trail',
        example: [
          'steps:',
          '  - id: restore-key',
          '    name: Restore the key',
          `    action: ${RESTORE_KEY_ACTION_ID}`,
          '    input:',
          `      accountId: '${EXAMPLE.accountId}'`,
          `      keyArn: ${EXAMPLE.keyArn}`,
        ].join('\n'),
      },
    ],
    schema: {
      input: forScaffolder(restoreKeyInput),
      output: forScaffolder(restoreKeyOutput),
    },
    async handler(ctx) {
      const { accountId, keyArn: keyRef } = parseInput(
        restoreKeyInput,
        ctx.input,
      );
      const target = { accountId, keyArn: keyRef };
      const { initiator, credentials } = await access.authorize(
        ctx,
        RESTORE_KEY_ACTION_ID,
        cloudTrailEncryptionRemediatePermission,
        target,
      );
      await access.guard(
        RESTORE_KEY_ACTION_ID,
        initiator,
        () => target,
        async () => {
          aws.assertConfigured();
          const key = arnParts(keyRef);
          if (key.accountId !== accountId) {
            throw new InputError(
              `keyArn belongs to account ${key.accountId}, not ${accountId}; a key is restored by its own account, so set accountId to ${key.accountId}`,
            );
          }
          await scope.check(
            { ownerAccountId: accountId, keyArn: keyRef },
            credentials,
            ctx.signal,
          );
          const session = await aws.open(accountId, key.partition, initiator);
          try {
            const ops = new RemediationOperations(session, ctx.signal);
            const kms = new KmsOperations(session, ctx.signal);
            const metadata = await ops.describeKey(key.region, keyRef);
            const keyArn = metadata.Arn!;
            await scope.assertEditableKey(metadata, {
              credentials,
              accountIds: [accountId],
              tags: () => kms.tags(key.region, keyArn),
              signal: ctx.signal,
            });
            const previousState = String(metadata.KeyState ?? 'Unknown');
            const steps: string[] = [];
            if (previousState === 'PendingDeletion') {
              steps.push('CancelKeyDeletion');
            }
            if (
              previousState === 'PendingDeletion' ||
              previousState === 'Disabled'
            ) {
              steps.push('EnableKey');
            } else if (previousState !== 'Enabled') {
              throw new RemediationError(
                `${keyArn} is ${previousState}; only a Disabled key or one pending deletion can be restored here. Nothing was changed.`,
              );
            }
            ctx.output('keyArn', keyArn);
            ctx.output('previousState', previousState);
            if (steps.length === 0) {
              ctx.logger.info(`${keyArn} is already Enabled; nothing to do`);
              ctx.output('state', previousState);
              return;
            }
            if (ctx.isDryRun) {
              ctx.logger.info(
                `Dry run: would call ${steps.join(
                  ', then ',
                )} on ${keyArn} (now ${previousState})`,
              );
              ctx.output('state', 'Enabled');
              return;
            }
            if (steps.includes('CancelKeyDeletion')) {
              await access.write(
                'kms:CancelKeyDeletion',
                initiator,
                { accountId, keyArn, previousState },
                () => kms.cancelKeyDeletion(key.region, keyArn),
              );
            }
            await access.write(
              'kms:EnableKey',
              initiator,
              { accountId, keyArn, previousState },
              () => kms.enableKey(key.region, keyArn),
            );
            const after = await ops.describeKey(key.region, keyArn);
            ctx.logger.info(
              `${keyArn}: ${steps.join(', ')} done; it is ${
                after.KeyState
              } (was ${previousState})`,
            );
            ctx.output('state', String(after.KeyState ?? 'Unknown'));
          } finally {
            session.destroy();
          }
        },
      );
    },
  });
}
