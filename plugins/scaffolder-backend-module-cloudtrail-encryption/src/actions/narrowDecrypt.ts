import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { cloudTrailEncryptionRemediatePermission } from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  evaluateKeyPolicy,
  isOpenToAnyPrincipal,
  serializePolicy,
  type PolicyJsonMap,
} from '@trailguard/plugin-cloudtrail-encryption-node';
import { RemediationError } from '../aws/errors';
import { replaceKeyPolicy } from './keyPolicyWrite';
import { RemediationOperations } from '../aws/operations';
import { KmsOperations } from '../kmsOperations';
import { assertSafeKeyPolicyChange } from '../policy/policyGuard';
import {
  assertWithinSizeLimit,
  parsePolicyText,
  PolicyRejectedError,
} from '../policy/policyText';
import { statementDiff } from '../policy/statementDiff';
import {
  forScaffolder,
  narrowDecryptInput,
  narrowDecryptOutput,
  parseInput,
} from '../schemas';
import { arnParts } from '../validation';
import { EXAMPLE } from './fields';
import { awsOf, scopeOf, type RemediationActionOptions } from './options';

/** @public */
export const NARROW_DECRYPT_ACTION_ID = 'aws:kms:narrow-cloudtrail-decrypt';

/** The trail the evaluation is made for: any trail of the key's account. */
function evaluationTrail(partition: string, region: string, account: string) {
  return `arn:${partition}:cloudtrail:${region}:${account}:trail/trailguard-evaluation`;
}

/** Labels (Sid or Statement[i]) of the statements that let every principal decrypt. */
function openStatements(
  document: unknown,
  context: Parameters<typeof evaluateKeyPolicy>[1],
): Set<string> {
  const evaluation = evaluateKeyPolicy(document, context);
  if (!evaluation.readable) {
    throw new PolicyRejectedError(
      `the key policy cannot be evaluated: ${evaluation.reason}`,
    );
  }
  return new Set(
    evaluation.decryptPrincipals
      .filter(p => p.via === 'key-policy' && isOpenToAnyPrincipal(p))
      .map(p => p.source ?? ''),
  );
}

/**
 * aws:kms:narrow-cloudtrail-decrypt — rewrites the key-policy statements
 * that let every principal decrypt, so that only the estate's organization
 * (aws:PrincipalOrgID) or the key's account (kms:CallerAccount) can.
 *
 * @public
 */
export function createNarrowCloudTrailDecryptAction(
  options: RemediationActionOptions,
) {
  const { access } = options;
  const aws = awsOf(options);
  const scope = scopeOf(options);
  return createTemplateAction({
    id: NARROW_DECRYPT_ACTION_ID,
    description:
      "Narrows the key-policy statements that let every principal (\"*\") decrypt a trail's log files: each gets the condition aws:PrincipalOrgID = the estate's organization (scope organization) or kms:CallerAccount = the key's account (scope account). Every other statement is kept as it was. Uses the remediation role only.",
    supportsDryRun: true,
    examples: [
      {
        description: 'Limit decrypt to the organization',
        example: [
          'steps:',
          '  - id: narrow-decrypt',
          '    name: Narrow who can decrypt',
          `    action: ${NARROW_DECRYPT_ACTION_ID}`,
          '    input:',
          `      accountId: '${EXAMPLE.accountId}'`,
          `      keyArn: ${EXAMPLE.keyArn}`,
          '      scope: organization',
        ].join('\n'),
      },
    ],
    schema: {
      input: forScaffolder(narrowDecryptInput),
      output: forScaffolder(narrowDecryptOutput),
    },
    async handler(ctx) {
      const input = parseInput(narrowDecryptInput, ctx.input);
      const { accountId, keyArn: keyRef } = input;
      const target = { accountId, keyArn: keyRef };
      const { initiator, credentials } = await access.authorize(
        ctx,
        NARROW_DECRYPT_ACTION_ID,
        cloudTrailEncryptionRemediatePermission,
        target,
      );
      await access.guard(
        NARROW_DECRYPT_ACTION_ID,
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
          const estate = await scope.check(
            { ownerAccountId: accountId, keyArn: keyRef },
            credentials,
            ctx.signal,
          );
          const organizationId =
            estate.accounts[accountId]?.organizationId ?? estate.organizationId;
          if (input.scope === 'organization' && !organizationId) {
            throw new RemediationError(
              `The estate has no AWS Organization, so decrypt cannot be limited to one; use scope "account". Nothing was changed.`,
            );
          }
          const condition =
            input.scope === 'organization'
              ? { key: 'aws:PrincipalOrgID', value: organizationId! }
              : { key: 'kms:CallerAccount', value: accountId };

          const session = await aws.open(accountId, key.partition, initiator);
          try {
            const ops = new RemediationOperations(session, ctx.signal);
            const kms = new KmsOperations(session, ctx.signal);
            const metadata = await ops.describeKey(key.region, keyRef);
            const keyArn = metadata.Arn!;
            target.keyArn = keyArn;
            const current = await ops.getKeyPolicy(key.region, keyArn);
            const context = {
              trailArn: evaluationTrail(key.partition, key.region, accountId),
              trailOwnerAccountId: accountId,
              keyArn,
              keyAccountId: accountId,
            };
            let policyText: string;
            let changed: string[];
            let diff: string;
            try {
              const stored = parsePolicyText(current);
              const open = openStatements(stored.document, context);
              changed = [];
              const statements = stored.statements.map((s, i) => {
                const labelled =
                  typeof s.Sid === 'string' ? s.Sid : `Statement[${i}]`;
                if (!open.has(labelled) || s.Effect !== 'Allow') return s;
                changed.push(typeof s.Sid === 'string' ? s.Sid : `#${i + 1}`);
                const copy = structuredClone(s) as PolicyJsonMap;
                const conditions = (copy.Condition ?? {}) as PolicyJsonMap;
                const equals = (conditions.StringEquals ?? {}) as PolicyJsonMap;
                equals[condition.key] = condition.value;
                conditions.StringEquals = equals;
                copy.Condition = conditions;
                return copy;
              });
              if (changed.length === 0) {
                ctx.logger.info(
                  `${keyArn}: no statement lets every principal decrypt; nothing to narrow`,
                );
                ctx.output('keyArn', keyArn);
                ctx.output('changedStatements', []);
                return;
              }
              const result = { ...stored.document, Statement: statements };
              policyText = serializePolicy(result, stored.indented);
              assertWithinSizeLimit(policyText);
              const stillOpen = openStatements(result, context);
              if (stillOpen.size > 0) {
                throw new PolicyRejectedError(
                  `even narrowed, statements ${[...stillOpen].join(
                    ', ',
                  )} would still let every principal decrypt`,
                );
              }
              assertSafeKeyPolicyChange(current, policyText, {
                keyArn,
                keyAccountId: accountId,
                trailArn: context.trailArn,
                allowNarrowingAny: true,
              });
              diff = statementDiff(stored.statements, statements);
            } catch (error) {
              if (error instanceof PolicyRejectedError) {
                throw new RemediationError(
                  `The key policy of ${keyArn} was not changed: ${error.message}`,
                );
              }
              throw error;
            }
            await scope.assertEditableKey(metadata, {
              credentials,
              accountIds: [accountId],
              tags: () => kms.tags(key.region, keyArn),
              signal: ctx.signal,
            });
            const summary = `${changed.join(', ')} limited to ${
              condition.key
            } = ${condition.value}`;
            if (ctx.isDryRun) {
              ctx.logger.info(
                `Dry run: would narrow the key policy of ${keyArn}: ${summary}\n${diff}`,
              );
            } else {
              await replaceKeyPolicy({
                access,
                ops,
                initiator,
                target: { accountId, keyArn },
                region: key.region,
                keyArn,
                before: current,
                after: policyText,
              });
              ctx.logger.info(
                `Narrowed the key policy of ${keyArn}: ${summary}\n${diff}`,
              );
            }
            ctx.output('keyArn', keyArn);
            ctx.output('changedStatements', changed);
            ctx.output('diff', diff);
          } finally {
            session.destroy();
          }
        },
      );
    },
  });
}
