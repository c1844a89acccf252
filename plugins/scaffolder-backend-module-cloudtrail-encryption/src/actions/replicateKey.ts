import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { cloudTrailEncryptionRemediatePermission } from '@trailguard/plugin-cloudtrail-encryption-common';
import { trailOwnerAccountId } from '@trailguard/plugin-cloudtrail-encryption-node';
import { RemediationError } from '../aws/errors';
import { RemediationOperations } from '../aws/operations';
import { KmsOperations } from '../kmsOperations';
import {
  assertNewKeyPolicyGrants,
  buildNewKeyPolicy,
} from '../policy/newKeyPolicy';
import { PolicyRejectedError } from '../policy/policyText';
import {
  forScaffolder,
  parseInput,
  replicateKeyInput,
  replicateKeyOutput,
} from '../schemas';
import { arnParts, readersFrom } from '../validation';
import { EXAMPLE } from './fields';
import { awsOf, scopeOf, type RemediationActionOptions } from './options';

/** @public */
export const REPLICATE_KEY_ACTION_ID = 'aws:kms:replicate-cloudtrail-key';

/**
 * aws:kms:replicate-cloudtrail-key — a replica of the trail's multi-Region
 * primary key in the bucket's Region, with the CloudTrail key policy, so the
 * trail can keep its key material and use a key in the bucket's Region.
 *
 * @public
 */
export function createReplicateCloudTrailKeyAction(
  options: RemediationActionOptions,
) {
  const { access } = options;
  const aws = awsOf(options);
  const scope = scopeOf(options);
  return createTemplateAction({
    id: REPLICATE_KEY_ACTION_ID,
    description:
      "Replicates the trail's multi-Region primary KMS key into the Region of the trail's bucket (ReplicateKey), with the key policy CloudTrail needs for the trail, so that the trail can be switched to the replica. Uses the remediation role only.",
    supportsDryRun: true,
    examples: [
      {
        description: "Replicate the trail's key into the bucket's Region",
        example: [
          'steps:',
          '  - id: replicate-key',
          '    name: Replicate the key',
          `    action: ${REPLICATE_KEY_ACTION_ID}`,
          '    input:',
          `      accountId: '${EXAMPLE.accountId}'`,
          '      primaryKeyArn: arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
          '      replicaRegion: us-east-1',
          `      trailArn: ${EXAMPLE.trailArn}`,
        ].join('\n'),
      },
    ],
    schema: {
      input: forScaffolder(replicateKeyInput),
      output: forScaffolder(replicateKeyOutput),
    },
    async handler(ctx) {
      const input = parseInput(replicateKeyInput, ctx.input);
      const { accountId, primaryKeyArn, replicaRegion, trailArn } = input;
      const target = { accountId, trailArn, keyArn: primaryKeyArn };
      const { initiator, credentials } = await access.authorize(
        ctx,
        REPLICATE_KEY_ACTION_ID,
        cloudTrailEncryptionRemediatePermission,
        target,
      );
      await access.guard(
        REPLICATE_KEY_ACTION_ID,
        initiator,
        () => target,
        async () => {
          aws.assertConfigured();
          const key = arnParts(primaryKeyArn);
          if (key.accountId !== accountId) {
            throw new InputError(
              `primaryKeyArn belongs to account ${key.accountId}, not ${accountId}; a key is replicated by its own account, so set accountId to ${key.accountId}`,
            );
          }
          if (key.region === replicaRegion) {
            throw new InputError(
              `primaryKeyArn is already in ${replicaRegion}; use it with keyMode "existing"`,
            );
          }
          const owner = trailOwnerAccountId(trailArn);
          const readers = readersFrom(input.readers, key.partition);
          await scope.check(
            { ownerAccountId: owner, keyArn: primaryKeyArn, readers },
            credentials,
            ctx.signal,
          );
          const policy = buildNewKeyPolicy({
            partition: key.partition,
            accountId,
            region: replicaRegion,
            trailArns: [trailArn],
            readers,
          });
          let policyText: string;
          try {
            policyText = assertNewKeyPolicyGrants(policy, {
              partition: key.partition,
              accountId,
              region: replicaRegion,
              trailArns: [trailArn],
              readers,
            });
          } catch (error) {
            if (error instanceof PolicyRejectedError) {
              throw new RemediationError(
                `The replica's key policy was refused: ${error.message}`,
              );
            }
            throw error;
          }

          const session = await aws.open(accountId, key.partition, initiator);
          try {
            const ops = new RemediationOperations(session, ctx.signal);
            const kms = new KmsOperations(session, ctx.signal);
            const metadata = await ops.describeKey(key.region, primaryKeyArn);
            const keyArn = metadata.Arn!;
            target.keyArn = keyArn;
            await scope.assertEditableKey(metadata, {
              credentials,
              accountIds: [...new Set([accountId, owner])],
              tags: () => kms.tags(key.region, keyArn),
              signal: ctx.signal,
            });
            const mrc = metadata.MultiRegionConfiguration;
            if (
              !metadata.MultiRegion ||
              mrc?.MultiRegionKeyType !== 'PRIMARY'
            ) {
              throw new RemediationError(
                `${keyArn} is not a multi-Region primary key, so it cannot be replicated; create a new key in ${replicaRegion} instead. Nothing was changed.`,
              );
            }
            const existing = (mrc.ReplicaKeys ?? []).find(
              r => r.Region === replicaRegion,
            );
            if (existing?.Arn) {
              throw new RemediationError(
                `${keyArn} already has a replica in ${replicaRegion}: ${existing.Arn}; use it with keyMode "existing". Nothing was changed.`,
              );
            }
            if (metadata.KeyState !== 'Enabled') {
              throw new RemediationError(
                `${keyArn} is ${metadata.KeyState}; a replica of it could not be used by CloudTrail. Nothing was changed.`,
              );
            }
            if (owner === accountId) {
              const trail = await ops.getTrail(
                arnParts(trailArn).region,
                trailArn,
              );
              const bucketRegion = await ops.bucketRegion(
                arnParts(trailArn).region,
                trail.S3BucketName ?? '',
              );
              if (bucketRegion !== replicaRegion) {
                throw new RemediationError(
                  `${trailArn} writes to the bucket ${trail.S3BucketName} in ${bucketRegion}, but replicaRegion is ${replicaRegion}; set replicaRegion to ${bucketRegion}. Nothing was changed.`,
                );
              }
            }
            const replicaArn = `arn:${key.partition}:kms:${replicaRegion}:${accountId}:key/${metadata.KeyId}`;
            const sids = policy.Statement.map((s, i) =>
              typeof s.Sid === 'string' ? s.Sid : `#${i + 1}`,
            ).join(', ');
            if (ctx.isDryRun) {
              ctx.logger.info(
                `Dry run: would replicate ${keyArn} into ${replicaRegion} as ${replicaArn}, with the policy statements ${sids}`,
              );
              ctx.output('keyArn', replicaArn);
              ctx.output('policy', policyText);
              return;
            }
            const replica = await ctx.checkpoint({
              key: `replicate-cloudtrail-key:${
                ctx.step?.id ?? REPLICATE_KEY_ACTION_ID
              }`,
              fn: async () => {
                const created = await access.write(
                  'kms:ReplicateKey',
                  initiator,
                  {
                    accountId,
                    trailArn,
                    keyArn,
                    replicaRegion,
                    policyAfter: policyText,
                  },
                  () =>
                    kms.replicateKey(key.region, keyArn, {
                      replicaRegion,
                      policy: policyText,
                      description: `CloudTrail log encryption for ${trailArn
                        .split('/')
                        .pop()} (replica created by TrailGuard)`,
                      tags: {
                        purpose: 'cloudtrail',
                        'created-by': 'trailguard',
                        [scope.settings.editableKeyTag]: 'true',
                      },
                    }),
                );
                return { keyArn: created.Arn! };
              },
            });
            ctx.logger.info(
              `Replicated ${keyArn} into ${replicaRegion}: ${replica.keyArn}, with the policy statements ${sids}`,
            );
            ctx.output('keyArn', replica.keyArn);
          } finally {
            session.destroy();
          }
        },
      );
    },
  });
}
