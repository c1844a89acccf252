import { InputError } from '@backstage/errors';
import type { KeyMetadata } from '@aws-sdk/client-kms';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { RemediationError } from '../aws/errors';
import { RemediationOperations } from '../aws/operations';
import { withSessions } from '../aws/RemediationAws';
import { cloudTrailEncryptionRemediatePermission } from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  enableSseKmsInput,
  enableSseKmsOutput,
  forScaffolder,
  parseInput,
} from '../schemas';
import { awsOf, scopeOf, type RemediationActionOptions } from './options';
import {
  evaluateForTrails,
  grantsCloudTrail,
  missingPermissions,
} from '../policy/cloudTrailAccess';
import { isPlaceholderKeyArn } from '../policy/newKeyPolicy';
import { arnParts } from '../validation';
import { ENSURE_POLICY_ACTION_ID } from './ensureCloudTrailKeyPolicy';
import { CREATE_KEY_ACTION_ID } from './createCloudTrailKey';
import { EXAMPLE } from './fields';

/** @public */
export const ENABLE_SSE_KMS_ACTION_ID = 'aws:cloudtrail:enable-sse-kms';

/**
 * The checks CloudTrail itself makes on UpdateTrail, made first so that a
 * key CloudTrail would refuse (or, worse, accept and then fail to deliver
 * with) is reported with its reason and the trail is left as it was.
 */
function keyProblems(
  metadata: KeyMetadata,
  bucket: string,
  bucketRegion: string,
): string[] {
  const problems: string[] = [];
  if (metadata.KeyState !== 'Enabled') {
    problems.push(
      `the key is ${
        metadata.KeyState ?? 'not enabled'
      }; CloudTrail needs an Enabled key`,
    );
  }
  if (
    metadata.KeySpec !== 'SYMMETRIC_DEFAULT' ||
    metadata.KeyUsage !== 'ENCRYPT_DECRYPT'
  ) {
    problems.push(
      `the key is ${metadata.KeySpec}/${metadata.KeyUsage}; CloudTrail needs a symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT)`,
    );
  }
  problems.push(...regionProblems(metadata.Arn!, bucket, bucketRegion));
  return problems;
}

function regionProblems(
  keyArn: string,
  bucket: string,
  bucketRegion: string,
): string[] {
  const keyRegion = arnParts(keyArn).region;
  if (keyRegion === bucketRegion) return [];
  return [
    `the key is in ${keyRegion} but the trail's bucket ${bucket} is in ${bucketRegion}; CloudTrail requires the key in the bucket's Region (create one there with ${CREATE_KEY_ACTION_ID}, bucketRegion ${bucketRegion})`,
  ];
}

function policyProblems(
  policy: unknown,
  trailArn: string,
  keyArn: string,
): string[] {
  const access = evaluateForTrails(policy, [trailArn], {
    keyArn,
    keyAccountId: arnParts(keyArn).accountId,
  });
  if (!access.readable) {
    return [`the key policy cannot be evaluated: ${access.reason}`];
  }
  if (grantsCloudTrail(access.trails[0])) return [];
  return [
    `the key policy does not let cloudtrail.amazonaws.com use the key for this trail (${missingPermissions(
      access.trails[0],
    ).join('; ')}); run ${ENSURE_POLICY_ACTION_ID} first`,
  ];
}

/**
 * aws:cloudtrail:enable-sse-kms — switches a trail to SSE-KMS with the given
 * key, after checking everything CloudTrail checks.
 *
 * @public
 */
export function createEnableSseKmsAction(options: RemediationActionOptions) {
  const { access } = options;
  const aws = awsOf(options);
  const scope = scopeOf(options);
  return createTemplateAction({
    id: ENABLE_SSE_KMS_ACTION_ID,
    description:
      "Switches a CloudTrail trail to SSE-KMS with the given key, only after checking that the key exists and is Enabled, is in the Region of the trail's bucket, and that its policy lets CloudTrail encrypt and describe it for this trail. Otherwise fails with the reason and changes nothing. Uses the remediation role only.",
    supportsDryRun: true,
    examples: [
      {
        description: 'Encrypt a trail with a key created in an earlier step',
        example: [
          'steps:',
          '  - id: enable-sse-kms',
          '    name: Encrypt the trail',
          `    action: ${ENABLE_SSE_KMS_ACTION_ID}`,
          '    input:',
          `      accountId: '${EXAMPLE.accountId}'`,
          `      trailArn: ${EXAMPLE.trailArn}`,
          '      keyArn: ${{ steps["create-key"].output.keyArn }}',
        ].join('\n'),
      },
    ],
    schema: {
      input: forScaffolder(enableSseKmsInput),
      output: forScaffolder(enableSseKmsOutput),
    },
    async handler(ctx) {
      const input = parseInput(enableSseKmsInput, ctx.input);
      const { accountId, trailArn, keyArn: keyRef } = input;
      const target = { accountId, trailArn, keyArn: keyRef };
      const { initiator, credentials } = await access.authorize(
        ctx,
        ENABLE_SSE_KMS_ACTION_ID,
        cloudTrailEncryptionRemediatePermission,
        target,
      );
      await access.guard(
        ENABLE_SSE_KMS_ACTION_ID,
        initiator,
        () => target,
        async () => {
          aws.assertConfigured();
          const trail = arnParts(trailArn);
          if (trail.accountId !== accountId) {
            throw new InputError(
              `trailArn is owned by account ${trail.accountId}, not ${accountId}; only the owner can change a trail, so set accountId to ${trail.accountId}`,
            );
          }
          const placeholder = isPlaceholderKeyArn(keyRef);
          if (placeholder && !ctx.isDryRun) {
            throw new InputError(
              `${keyRef} is the placeholder a dry run of ${CREATE_KEY_ACTION_ID} outputs, not a real key`,
            );
          }
          const keyAccount = arnParts(keyRef).accountId;
          await scope.check(
            { ownerAccountId: accountId, keyArn: keyRef },
            credentials,
            ctx.signal,
          );

          await withSessions(
            aws,
            [accountId, keyAccount],
            { partition: trail.partition, initiator },
            async session => {
              const trailOps = new RemediationOperations(
                session(accountId),
                ctx.signal,
              );
              // The key is read with its own account's role: an organization
              // trail's key usually lives in a log-archive account.
              const keyOps = new RemediationOperations(
                session(keyAccount),
                ctx.signal,
              );
              const current = await trailOps.getTrail(trail.region, trailArn);
              const bucket = current.S3BucketName ?? '';
              const bucketRegion = await trailOps.bucketRegion(
                trail.region,
                bucket,
              );
              const previous = current.KmsKeyId || undefined;

              let keyArn = keyRef;
              const problems: string[] = [];
              // A dry run cannot see what earlier dry-run steps would have
              // written, so it may be handed that policy; a real run never trusts
              // it and always reads the key's stored policy.
              const assumedPolicy = ctx.isDryRun
                ? input.dryRunKeyPolicy
                : undefined;
              // In a dry run, a key an earlier dry-run step would create (a
              // replica, say) does not exist yet either.
              const { region: keyRegion } = arnParts(keyRef);
              const existing = placeholder
                ? undefined
                : await keyOps.describeKey(keyRegion, keyRef).catch(error => {
                    if (
                      ctx.isDryRun &&
                      assumedPolicy !== undefined &&
                      /NotFound|does not exist/i.test(
                        String(error?.message ?? error),
                      )
                    ) {
                      return undefined;
                    }
                    throw error;
                  });
              if (!existing) {
                problems.push(...regionProblems(keyRef, bucket, bucketRegion));
                ctx.logger.info(
                  'Dry run: the key does not exist yet; its state is left to the real run',
                );
              } else {
                const metadata = existing;
                keyArn = metadata.Arn!;
                target.keyArn = keyArn;
                if (metadata.KeyManager === 'AWS') {
                  throw new RemediationError(
                    `${keyArn} is an AWS managed key; a trail is only switched to a customer managed key. The trail was not changed.`,
                  );
                }
                problems.push(...keyProblems(metadata, bucket, bucketRegion));
                if (assumedPolicy === undefined) {
                  const stored = await keyOps.getKeyPolicy(keyRegion, keyArn);
                  problems.push(...policyProblems(stored, trailArn, keyArn));
                }
              }
              if (assumedPolicy !== undefined) {
                ctx.logger.info(
                  'Dry run: checking the key policy an earlier step would write',
                );
                problems.push(
                  ...policyProblems(assumedPolicy, trailArn, keyArn),
                );
              } else if (placeholder) {
                ctx.logger.info(
                  'Dry run: no key policy given, so the policy check is left to the real run',
                );
              }
              if (problems.length > 0) {
                throw new RemediationError(
                  `Refusing to switch ${trailArn} to ${keyArn}; the trail was not changed: ${problems.join(
                    '; ',
                  )}`,
                );
              }

              const changed = previous !== keyArn;
              if (!changed) {
                ctx.logger.info(`${trailArn} already uses ${keyArn}`);
              } else if (ctx.isDryRun) {
                ctx.logger.info(
                  `Dry run: checks passed; would call UpdateTrail on ${trailArn} in ${
                    trail.region
                  } with KmsKeyId ${keyArn} (now ${previous ?? 'SSE-S3'})`,
                );
              } else {
                await access.write(
                  'cloudtrail:UpdateTrail',
                  initiator,
                  { accountId, trailArn, keyArn, previousKeyArn: previous },
                  () =>
                    trailOps
                      .updateTrailKey(trail.region, trailArn, keyArn)
                      .catch(error => {
                        throw bucketPolicyRefusal(error, trailArn, bucket);
                      }),
                );
                ctx.logger.info(
                  `${trailArn} now encrypts its log files with ${keyArn} (was ${
                    previous ?? 'SSE-S3'
                  })`,
                );
              }
              ctx.output('trailArn', trailArn);
              ctx.output('kmsKeyId', keyArn);
              if (previous) ctx.output('previousKmsKeyId', previous);
              ctx.output('changed', changed);
              ctx.output('bucketRegion', bucketRegion);
            },
          );
        },
      );
    },
  });
}

/**
 * CloudTrail checks the bucket policy on UpdateTrail; its refusal becomes
 * one line saying what to fix.
 */
function bucketPolicyRefusal(
  error: unknown,
  trailArn: string,
  bucket: string,
): unknown {
  if (
    error instanceof RemediationError &&
    error.awsErrorCode === 'InsufficientS3BucketPolicyException'
  ) {
    return new RemediationError(
      `CloudTrail refused to update ${trailArn}: the policy of its bucket ${bucket} does not let cloudtrail.amazonaws.com write the log files (InsufficientS3BucketPolicyException); fix the bucket policy, then run again. The trail was not changed.`,
      error.awsErrorCode,
    );
  }
  return error;
}
