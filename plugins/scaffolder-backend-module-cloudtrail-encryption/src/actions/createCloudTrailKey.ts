import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  createTemplateAction,
  type ActionContext,
} from '@backstage/plugin-scaffolder-node';
import { RemediationError } from '../aws/errors';
import { RemediationOperations } from '../aws/operations';
import { cloudTrailEncryptionRemediatePermission } from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  createKeyInput,
  createKeyOutput,
  forScaffolder,
  parseInput,
} from '../schemas';
import type { RemediationScope } from '../scope';
import { awsOf, scopeOf, type RemediationActionOptions } from './options';
import {
  assertNewKeyPolicyGrants,
  buildNewKeyPolicy,
  placeholderKeyArn,
} from '../policy/newKeyPolicy';
import {
  parsePolicy,
  trailOwnerAccountId,
  type AwsPartition,
} from '@trailguard/plugin-cloudtrail-encryption-node';
import { arnParts, readersFrom, trailArnsFrom, validate } from '../validation';
import { EXAMPLE } from './fields';

/** @public */
export const CREATE_KEY_ACTION_ID = 'aws:kms:create-cloudtrail-key';

/** Tags every key gets, so IAM can scope key-policy edits to CloudTrail keys. */
const DEFAULT_TAGS = { purpose: 'cloudtrail', 'created-by': 'trailguard' };

interface CreateKeyPlan {
  accountId: string;
  region: string;
  partition: AwsPartition;
  trailArns: string[];
  readers: string[];
  alias?: string;
  multiRegion: boolean;
  description: string;
  tags: Record<string, string>;
}

function planFromInput(raw: unknown): CreateKeyPlan {
  const input = parseInput(createKeyInput, raw);
  const accountId = input.accountId;
  const region = input.bucketRegion;
  const trailArns = trailArnsFrom(input);
  const partitions = new Set(trailArns.map(a => arnParts(a).partition));
  if (partitions.size > 1) {
    throw new InputError('All trails must be in the same AWS partition');
  }
  const [partition] = partitions;
  if (input.trailOwnerAccountId !== undefined) {
    const owner = input.trailOwnerAccountId;
    const other = trailArns.find(a => trailOwnerAccountId(a) !== owner);
    if (other) {
      throw new InputError(
        `trailOwnerAccountId is ${owner}, but ${other} is owned by ${trailOwnerAccountId(
          other,
        )} (the account in a trail ARN is its owner; for an organization trail, the management account)`,
      );
    }
  }
  const tags = input.tags ?? {};
  const description =
    input.description === undefined
      ? `CloudTrail log encryption for ${trailArns
          .map(a => a.split('/').pop())
          .join(', ')} (created by TrailGuard)`
      : input.description;
  return {
    accountId,
    region,
    partition,
    trailArns,
    readers: readersFrom(input.readers, partition),
    alias:
      input.alias === undefined || input.alias === ''
        ? undefined
        : validate.alias(input.alias),
    multiRegion: input.multiRegion === true,
    description,
    tags: { ...DEFAULT_TAGS, ...tags },
  };
}

/**
 * A key in another Region than the bucket is useless to CloudTrail, so the
 * bucketRegion given is checked against the trails this account owns
 * (another account's trail, such as an organization trail using a central
 * key, cannot be read with this account's role and is checked when the trail
 * is switched).
 */
async function checkBucketRegions(
  ops: RemediationOperations,
  plan: CreateKeyPlan,
  logger: LoggerService,
) {
  for (const trailArn of plan.trailArns) {
    const trail = arnParts(trailArn);
    if (trail.accountId !== plan.accountId) {
      logger.info(
        `${trailArn} belongs to ${trail.accountId}; its bucket Region is checked when the trail is switched to the key`,
      );
      continue;
    }
    const { S3BucketName: bucket = '' } = await ops.getTrail(
      trail.region,
      trailArn,
    );
    const region = await ops.bucketRegion(trail.region, bucket);
    if (region !== plan.region) {
      throw new RemediationError(
        `${trailArn} writes to the bucket ${bucket} in ${region}, but bucketRegion is ${plan.region}; CloudTrail needs the key in the bucket's Region, so set bucketRegion to ${region}. Nothing was created.`,
      );
    }
  }
}

/**
 * aws:kms:create-cloudtrail-key — a new symmetric customer managed key in the
 * trail bucket's Region, with the key policy CloudTrail needs, rotation on.
 *
 * @public
 */
export function createCreateCloudTrailKeyAction(
  options: RemediationActionOptions,
) {
  const { access } = options;
  const aws = awsOf(options);
  const scope: RemediationScope = scopeOf(options);
  const action = createTemplateAction({
    id: CREATE_KEY_ACTION_ID,
    description:
      'Creates a symmetric KMS key for CloudTrail log encryption in the Region of the trail bucket, with the key policy the CloudTrail console would write (account administration, CloudTrail encrypt and describe for the given trails, decrypt for the readers), rotation enabled and an optional alias. Uses the remediation role only.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Create a key for one trail, readable by an audit role',
        example: [
          'steps:',
          '  - id: create-key',
          '    name: Create the CloudTrail key',
          `    action: ${CREATE_KEY_ACTION_ID}`,
          '    input:',
          `      accountId: '${EXAMPLE.accountId}'`,
          '      bucketRegion: us-east-1',
          `      trailArn: ${EXAMPLE.trailArn}`,
          '      readers:',
          `        - ${EXAMPLE.reader}`,
          '      alias: alias/cloudtrail-logs',
        ].join('\n'),
      },
    ],
    schema: {
      input: forScaffolder(createKeyInput),
      output: forScaffolder(createKeyOutput),
    },
    async handler(ctx) {
      const { accountId } = parseInput(
        createKeyInput.pick({ accountId: true }),
        ctx.input,
      );
      const target = {
        accountId,
        trailArn: (ctx.input as { trailArn?: string }).trailArn,
      };
      const { initiator, credentials } = await access.authorize(
        ctx,
        CREATE_KEY_ACTION_ID,
        cloudTrailEncryptionRemediatePermission,
        target,
      );
      await access.guard(
        CREATE_KEY_ACTION_ID,
        initiator,
        () => target,
        () => createKey(ctx, initiator, credentials),
      );
    },
  });

  return action;

  async function createKey(
    ctx: ActionContext<any, any>,
    initiator: string,
    credentials: BackstageCredentials,
  ) {
    aws.assertConfigured();
    const plan = planFromInput(ctx.input);
    const owners = [
      ...new Set(plan.trailArns.map(a => trailOwnerAccountId(a))),
    ];
    for (const [i, owner] of owners.entries()) {
      await scope.check(
        {
          ownerAccountId: owner,
          // The key is created in accountId: it must be the owner's account or one of its organization.
          keyArn: `arn:${plan.partition}:kms:${plan.region}:${plan.accountId}:key/new`,
          ...(i === 0 ? { readers: plan.readers } : {}),
        },
        credentials,
        ctx.signal,
      );
    }
    const policy = buildNewKeyPolicy(plan);
    const policyText = assertNewKeyPolicyGrants(policy, plan);
    const aliasArn = plan.alias
      ? `arn:${plan.partition}:kms:${plan.region}:${plan.accountId}:${plan.alias}`
      : undefined;

    const session = await aws.open(plan.accountId, plan.partition, initiator);
    try {
      const ops = new RemediationOperations(session, ctx.signal);
      await checkBucketRegions(ops, plan, ctx.logger);
      if (plan.alias) {
        const target = await ops.aliasTarget(plan.region, plan.alias);
        if (target) {
          throw new RemediationError(
            `alias ${plan.alias} already exists in ${plan.accountId} ${plan.region} (it points to ${target}); choose another alias, or use that key with keyMode "existing"`,
          );
        }
      }
      if (ctx.isDryRun) {
        const keyArn = placeholderKeyArn(plan);
        ctx.logger.info(
          `Dry run: would create a key in ${plan.accountId} ${
            plan.region
          } whose policy has the statements ${statementSids(
            policyText,
          )}, enable rotation${plan.alias ? ` and create ${plan.alias}` : ''}`,
        );
        ctx.output('keyArn', keyArn);
        ctx.output('keyId', keyArn.split('/').pop()!);
        ctx.output('policy', policyText);
        ctx.output('region', plan.region);
        if (aliasArn) ctx.output('aliasArn', aliasArn);
        return;
      }

      // A task resumed after a restart must not create a second key.
      const key = await ctx.checkpoint({
        key: `create-cloudtrail-key:${ctx.step?.id ?? CREATE_KEY_ACTION_ID}`,
        fn: async () => {
          const created = await access.write(
            'kms:CreateKey',
            initiator,
            {
              accountId: plan.accountId,
              trailArn: plan.trailArns.join(','),
              region: plan.region,
              policyAfter: policyText,
            },
            () =>
              ops.createKey(plan.region, {
                policy: policyText,
                description: plan.description,
                multiRegion: plan.multiRegion,
                tags: plan.tags,
              }),
          );
          return { keyArn: created.Arn!, keyId: created.KeyId! };
        },
      });
      ctx.logger.info(
        `Created ${key.keyArn} with the policy statements ${statementSids(
          policyText,
        )}`,
      );
      ctx.output('keyArn', key.keyArn);
      ctx.output('keyId', key.keyId);
      ctx.output('region', plan.region);

      try {
        await access.write(
          'kms:EnableKeyRotation',
          initiator,
          { accountId: plan.accountId, keyArn: key.keyArn },
          () => ops.enableKeyRotation(plan.region, key.keyArn),
        );
        if (plan.alias) {
          const alias = plan.alias;
          await ctx.checkpoint({
            key: `create-cloudtrail-key-alias:${ctx.step?.id ?? alias}`,
            fn: async () => {
              await access.write(
                'kms:CreateAlias',
                initiator,
                { accountId: plan.accountId, keyArn: key.keyArn, alias },
                () => ops.createAlias(plan.region, alias, key.keyId),
              );
            },
          });
          ctx.output('aliasArn', aliasArn!);
        }
      } catch (error) {
        throw new RemediationError(
          `key ${key.keyArn} was created, but finishing it failed: ${
            (error as Error).message
          }. Enable its rotation${
            plan.alias ? ` and create ${plan.alias}` : ''
          } by hand, or use it with keyMode "existing".`,
          (error as RemediationError).awsErrorCode,
        );
      }
      ctx.logger.info(
        `Enabled rotation of ${key.keyArn}${
          plan.alias ? `, created ${plan.alias}` : ''
        }`,
      );
    } finally {
      session.destroy();
    }
  }
}

/** "TrailGuardCloudTrailEncrypt, …": what a log may say about a key policy instead of the whole text. */
function statementSids(policyText: string): string {
  const parsed = parsePolicy(policyText);
  if (!parsed.ok) return parsed.reason;
  return parsed.policy.rawStatements
    .map((st, i) => (typeof st.Sid === 'string' ? st.Sid : `#${i + 1}`))
    .join(', ');
}
