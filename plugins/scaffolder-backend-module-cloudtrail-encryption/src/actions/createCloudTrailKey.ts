import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  createTemplateAction,
  type ActionContext,
} from '@backstage/plugin-scaffolder-node';
import { RemediationError } from '../aws/errors';
import { RemediationOperations } from '../aws/operations';
import { RemediationAws } from '../aws/RemediationAws';
import { cloudTrailEncryptionRemediatePermission } from '@trailguard/plugin-cloudtrail-encryption-common';
import type { RemediationAccess } from './access';
import {
  assertNewKeyPolicyGrants,
  buildNewKeyPolicy,
  placeholderKeyArn,
} from '../policy/newKeyPolicy';
import { trailOwner } from '../policy/statements';
import { arnParts, readersFrom, trailArnsFrom, validate } from '../validation';
import { EXAMPLE, fields, TRAIL_ARNS_DESCRIPTION } from './fields';

export const CREATE_KEY_ACTION_ID = 'aws:kms:create-cloudtrail-key';

/** Tags every key gets, so IAM can scope key-policy edits to CloudTrail keys. */
const DEFAULT_TAGS = { purpose: 'cloudtrail', 'created-by': 'trailguard' };

interface CreateKeyPlan {
  accountId: string;
  region: string;
  partition: string;
  trailArns: string[];
  readers: string[];
  alias?: string;
  multiRegion: boolean;
  description: string;
  tags: Record<string, string>;
}

function planFromInput(input: Record<string, unknown>): CreateKeyPlan {
  const accountId = validate.accountId(input.accountId);
  const region = validate.region(input.bucketRegion, 'bucketRegion');
  const trailArns = trailArnsFrom(input);
  const partitions = new Set(trailArns.map(a => arnParts(a).partition));
  if (partitions.size > 1) {
    throw new InputError('All trails must be in the same AWS partition');
  }
  const [partition] = partitions;
  if (input.trailOwnerAccountId !== undefined) {
    const owner = validate.accountId(
      input.trailOwnerAccountId,
      'trailOwnerAccountId',
    );
    const other = trailArns.find(a => trailOwner(a) !== owner);
    if (other) {
      throw new InputError(
        `trailOwnerAccountId is ${owner}, but ${other} is owned by ${trailOwner(
          other,
        )} (the account in a trail ARN is its owner; for an organization trail, the management account)`,
      );
    }
  }
  const tags = input.tags ?? {};
  if (
    typeof tags !== 'object' ||
    Array.isArray(tags) ||
    Object.values(tags).some(v => typeof v !== 'string')
  ) {
    throw new InputError('tags must map tag keys to string values');
  }
  const description =
    input.description === undefined
      ? `CloudTrail log encryption for ${trailArns
          .map(a => a.split('/').pop())
          .join(', ')} (created by TrailGuard)`
      : String(input.description);
  if (description.length > 8192) {
    throw new InputError('description must be at most 8192 characters');
  }
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
    tags: { ...DEFAULT_TAGS, ...(tags as Record<string, string>) },
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
 */
export function createCreateCloudTrailKeyAction(options: {
  config: Config;
  aws?: RemediationAws;
  access: RemediationAccess;
}) {
  const { access } = options;
  const aws = options.aws ?? new RemediationAws(options.config);
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
      input: {
        accountId: z =>
          fields.accountId(
            z,
            'Account the key is created in (the remediation role is assumed there)',
          ),
        bucketRegion: z =>
          fields.region(
            z,
            "Region of the trail's S3 bucket; the key is created there, because CloudTrail requires the key and the bucket in the same Region",
          ),
        trailArn: z =>
          fields.trailArn(z, 'Trail that will use the key').optional(),
        trailArns: z =>
          z
            .array(fields.trailArn(z, 'Trail ARN'))
            .optional()
            .describe(TRAIL_ARNS_DESCRIPTION),
        trailOwnerAccountId: z =>
          fields
            .accountId(
              z,
              'Owner of the trails (the management account for an organization trail); checked against the trail ARNs',
            )
            .optional(),
        readers: z =>
          z
            .array(fields.principal(z))
            .optional()
            .describe(
              'Principals allowed to decrypt the log files: IAM role or user ARNs, or account ids (turned into the account root). Empty: only IAM policies in the key account can grant decrypt.',
            ),
        alias: z =>
          z
            .string()
            .optional()
            .describe('Alias for the key, e.g. alias/cloudtrail-logs'),
        multiRegion: z =>
          z
            .boolean()
            .optional()
            .describe('Create a multi-Region primary key. Default false.'),
        description: z =>
          z.string().max(8192).optional().describe('Key description'),
        tags: z =>
          z
            .record(z.string())
            .optional()
            .describe(
              'Tags for the key; purpose=cloudtrail and created-by=trailguard are added unless given',
            ),
      },
      output: {
        keyArn: z =>
          z
            .string()
            .describe('ARN of the new key (a placeholder in a dry run)'),
        keyId: z => z.string().describe('Id of the new key'),
        policy: z =>
          z
            .string()
            .optional()
            .describe(
              'Dry runs only: the key policy the real run would create the key with, for the next dry-run step to check',
            ),
        region: z => z.string().describe('Region the key is in'),
        aliasArn: z =>
          z
            .string()
            .optional()
            .describe('ARN of the alias, when one was given'),
      },
    },
    async handler(ctx) {
      const accountId = validate.accountId(ctx.input.accountId);
      const target = { accountId, trailArn: ctx.input.trailArn as string };
      const { initiator } = await access.authorize(
        ctx,
        CREATE_KEY_ACTION_ID,
        cloudTrailEncryptionRemediatePermission,
        target,
      );
      await access.guard(
        CREATE_KEY_ACTION_ID,
        initiator,
        () => target,
        () => createKey(ctx, initiator),
      );
    },
  });

  return action;

  async function createKey(ctx: ActionContext<any, any>, initiator: string) {
    aws.assertConfigured();
    const plan = planFromInput(ctx.input);
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
  const statements = (JSON.parse(policyText).Statement ?? []) as Array<{
    Sid?: string;
  }>;
  return statements.map((st, i) => st.Sid ?? `#${i + 1}`).join(', ');
}
