import { InputError } from '@backstage/errors';
import { z } from 'zod';
import {
  ACCOUNT_ID_PATTERN,
  ALIAS_PATTERN,
  KEY_ARN_PATTERN,
  KEY_REF_PATTERN,
  MESSAGES,
  PRINCIPAL_PATTERN,
  REGION_PATTERN,
  shown,
  TRAIL_ARN_PATTERN,
} from './validation';

/**
 * The zod schemas of every remediation action's input and output: the one
 * source for validation. The scaffolder turns them into the JSON schema it
 * checks step input against (and the template form shows); the handlers
 * parse their input with the same objects (`parseInput`), which gives the
 * readable messages; the template checks use them too.
 */

const text = (message: string, pattern: RegExp) =>
  z
    .string({ invalid_type_error: message, required_error: 'is required' })
    .regex(pattern, message);

/** @public */
export const fieldSchemas = {
  accountId: text(MESSAGES.accountId, ACCOUNT_ID_PATTERN),
  region: text(MESSAGES.region, REGION_PATTERN),
  trailArn: text(MESSAGES.trailArn, TRAIL_ARN_PATTERN),
  keyArn: text(MESSAGES.keyArn, KEY_ARN_PATTERN),
  keyRef: text(MESSAGES.keyRef, KEY_REF_PATTERN),
  principal: text(MESSAGES.principal, PRINCIPAL_PATTERN),
  alias: text(MESSAGES.alias, ALIAS_PATTERN).refine(
    v => !v.replace(/^(alias\/)?/, 'alias/').startsWith('alias/aws/'),
    'must not start with alias/aws/, which AWS reserves for AWS managed keys',
  ),
};

const readers = z
  .array(fieldSchemas.principal, {
    invalid_type_error: 'must be a list of account ids or IAM role/user ARNs',
  })
  .max(100, 'must name at most 100 principals');

const TRAIL_ARNS_DESCRIPTION =
  'More trails that will use the key (together with trailArn). Give at least one of trailArn and trailArns.';

/** @public */
export const KEY_MODES = [
  'create',
  'existing',
  'restore',
  'replicate',
  'narrow-decrypt',
] as const;
/** @public */
export const RECOMMENDED_MODES = [...KEY_MODES, 'manual'] as const;

// cloudtrail-encryption:check-request
/** @public */
export const checkRequestInput = z.object({
  accountId: fieldSchemas.accountId.describe(
    'The scanned account the template was opened for',
  ),
  trailArn: fieldSchemas.trailArn.describe('The trail to remediate'),
  keyMode: z
    .enum(KEY_MODES, {
      errorMap: () => ({ message: `must be one of ${KEY_MODES.join(', ')}` }),
    })
    .describe('The remediation mode chosen in the form'),
  existingKeyArn: fieldSchemas.keyRef
    .optional()
    .describe(
      'The key for modes existing, restore, replicate and narrow-decrypt (for the last three, the key the trail uses now)',
    ),
  plan: z
    .object({
      readers: z.array(z.string()).optional(),
      keyAlias: z.string().optional(),
      multiRegionKey: z.boolean().optional(),
      decryptScope: z.string().optional(),
    })
    .optional()
    .describe(
      "The form's other values that decide the writes, so the confirmed plan covers them",
    ),
  confirmedPlan: z
    .string()
    .optional()
    .describe(
      'The planDigest of the dry run the user reviewed and confirmed; required outside a dry run, and refused when the plan it stands for has changed',
    ),
});
/** @public */
export const checkRequestOutput = z.object({
  planDigest: z
    .string()
    .describe(
      "SHA-256 of the request and of the trail's state in the report: what a confirmation is for",
    ),
  trailArn: z.string().describe('The trail, as the report has it'),
  ownerAccountId: z.string().describe("The trail's owner account"),
  bucketName: z.string().describe("The trail's bucket"),
  bucketRegion: z.string().describe("The bucket's Region"),
  currentKeyArn: z
    .string()
    .optional()
    .describe('The key the trail uses now, if any'),
  blockingFindings: z
    .array(z.string())
    .describe('Critical and high finding codes of the trail in the report'),
  recommendedMode: z
    .enum(RECOMMENDED_MODES)
    .describe('The mode the report calls for; manual when no action fixes it'),
  replicaKeyArn: z
    .string()
    .optional()
    .describe(
      "A replica of the trail's multi-Region key in the bucket's Region, when one exists",
    ),
  manualSteps: z
    .string()
    .optional()
    .describe('What to do by hand when the findings have no fix here'),
});

// aws:kms:create-cloudtrail-key
/** @public */
export const createKeyInput = z.object({
  accountId: fieldSchemas.accountId.describe(
    'Account the key is created in (the remediation role is assumed there)',
  ),
  bucketRegion: fieldSchemas.region.describe(
    "Region of the trail's S3 bucket; the key is created there, because CloudTrail requires the key and the bucket in the same Region",
  ),
  trailArn: fieldSchemas.trailArn
    .optional()
    .describe('Trail that will use the key'),
  trailArns: z
    .array(fieldSchemas.trailArn)
    .optional()
    .describe(TRAIL_ARNS_DESCRIPTION),
  trailOwnerAccountId: fieldSchemas.accountId
    .optional()
    .describe(
      'Owner of the trails (the management account for an organization trail); checked against the trail ARNs',
    ),
  readers: readers
    .optional()
    .describe(
      'Principals allowed to decrypt the log files: IAM role or user ARNs, or account ids (turned into the account root). Empty: only IAM policies in the key account can grant decrypt.',
    ),
  alias: z
    .union([z.literal(''), fieldSchemas.alias])
    .optional()
    .describe('Alias for the key, e.g. alias/cloudtrail-logs'),
  multiRegion: z
    .boolean({ invalid_type_error: 'must be true or false' })
    .optional()
    .describe('Create a multi-Region primary key. Default false.'),
  description: z
    .string({ invalid_type_error: 'must be a string' })
    .max(8192, 'must be at most 8192 characters')
    .optional()
    .describe('Key description'),
  tags: z
    .record(
      z.string({ invalid_type_error: 'must map tag keys to string values' }),
      {
        invalid_type_error: 'must map tag keys to string values',
      },
    )
    .optional()
    .describe(
      'Tags for the key; purpose=cloudtrail and created-by=trailguard are added unless given',
    ),
});
/** @public */
export const createKeyOutput = z.object({
  keyArn: z
    .string()
    .describe('ARN of the new key (a placeholder in a dry run)'),
  keyId: z.string().describe('Id of the new key'),
  policy: z
    .string()
    .optional()
    .describe(
      'Dry runs only: the key policy the real run would create the key with, for the next dry-run step to check',
    ),
  region: z.string().describe('Region the key is in'),
  aliasArn: z
    .string()
    .optional()
    .describe('ARN of the alias, when one was given'),
});

// aws:kms:ensure-cloudtrail-key-policy
/** @public */
export const ensurePolicyInput = z.object({
  accountId: fieldSchemas.accountId.describe(
    "Account that owns the key; its key policy is edited with this account's remediation role",
  ),
  keyArn: fieldSchemas.keyRef.describe('The key: a key ARN or an alias ARN'),
  trailArn: fieldSchemas.trailArn
    .optional()
    .describe('Trail that must be able to use the key'),
  trailArns: z
    .array(fieldSchemas.trailArn)
    .optional()
    .describe(TRAIL_ARNS_DESCRIPTION),
  readers: readers
    .optional()
    .describe(
      'Principals that must be able to decrypt the log files (IAM role/user ARNs or account ids); those the policy already allows are not added',
    ),
  requireEnabled: z
    .boolean({ invalid_type_error: 'must be true or false' })
    .optional()
    .describe(
      'Refuse, changing nothing, when the key is not Enabled (Disabled, PendingDeletion, …). Set it when the trail is switched to the key in the same run, which CloudTrail would refuse for such a key anyway.',
    ),
});
/** @public */
export const ensurePolicyOutput = z.object({
  changed: z
    .boolean()
    .describe('Whether the policy was (or, in a dry run, would be) changed'),
  addedStatements: z
    .array(z.record(z.any()))
    .describe(
      'TrailGuard statements added or extended, as they appear in the policy',
    ),
  extendedStatements: z
    .array(z.string())
    .describe('Sids of existing TrailGuard statements that were extended'),
  policy: z
    .string()
    .optional()
    .describe(
      'Dry runs only: the key policy the real run would write, for the next dry-run step to check. Never output by a real run.',
    ),
  diff: z
    .string()
    .describe(
      'The statements added or changed, as a diff of statements; empty when unchanged',
    ),
  keyArn: z.string().describe('The key ARN (aliases resolved)'),
  keyState: z
    .string()
    .describe('KeyState from DescribeKey, e.g. Enabled or Disabled'),
});

// aws:cloudtrail:enable-sse-kms
/** @public */
export const enableSseKmsInput = z.object({
  accountId: fieldSchemas.accountId.describe(
    'Account that owns the trail (for an organization trail, the management account)',
  ),
  trailArn: fieldSchemas.trailArn.describe('The trail to encrypt'),
  keyArn: fieldSchemas.keyRef.describe(
    "The key: a key ARN or alias ARN in the Region of the trail's bucket",
  ),
  dryRunKeyPolicy: z
    .union([z.string(), z.record(z.any())])
    .optional()
    .describe(
      'Dry runs only: the key policy an earlier dry-run step would write (its policy output), checked instead of the stored one. Ignored in a real run.',
    ),
});
/** @public */
export const enableSseKmsOutput = z.object({
  trailArn: z.string().describe('The trail'),
  kmsKeyId: z
    .string()
    .describe('The key the trail now uses (or would use, in a dry run)'),
  previousKmsKeyId: z
    .string()
    .optional()
    .describe('The key the trail used before; absent when it used SSE-S3'),
  changed: z.boolean().describe('False when the trail already used this key'),
  bucketRegion: z.string().describe("Region of the trail's bucket"),
});

// cloudtrail-encryption:rescan
/** @public */
export const rescanInput = z.object({
  accountId: fieldSchemas.accountId.describe('The account to rescan'),
});
/** @public */
export const rescanOutput = z.object({
  status: z
    .string()
    .describe(
      'compliant, non-compliant, no-trails or unknown; dry-run in a dry run',
    ),
  scanStatus: z.string().optional().describe('ok, error or pending'),
  findings: z.array(z.string()).describe('Finding codes left after the scan'),
  trails: z
    .array(z.object({ trailArn: z.string(), encryption: z.string() }))
    .describe('Each trail and its encryption (SSE-KMS or SSE-S3)'),
  fixed: z
    .boolean()
    .optional()
    .describe(
      'True when no critical or high finding remains and the account is compliant or has no trails',
    ),
  remainingFindings: z
    .array(z.object({ code: z.string(), severity: z.string() }))
    .optional()
    .describe('Each finding code left after the scan, with its severity'),
  scanError: z.string().optional().describe('Why the scan failed, when it did'),
});

// aws:kms:restore-cloudtrail-key
/** @public */
export const restoreKeyInput = z.object({
  accountId: fieldSchemas.accountId.describe('Account that owns the key'),
  keyArn: fieldSchemas.keyArn.describe(
    'The key to restore: cancel its deletion if pending, then enable it',
  ),
});
/** @public */
export const restoreKeyOutput = z.object({
  keyArn: z.string().describe('The key'),
  previousState: z.string().describe('KeyState before'),
  state: z.string().describe('KeyState after (what it would be, in a dry run)'),
});

// aws:kms:replicate-cloudtrail-key
/** @public */
export const replicateKeyInput = z.object({
  accountId: fieldSchemas.accountId.describe(
    'Account that owns the multi-Region primary key',
  ),
  primaryKeyArn: fieldSchemas.keyArn.describe(
    'The multi-Region primary key (an mrk- key id)',
  ),
  replicaRegion: fieldSchemas.region.describe(
    "The Region of the trail's bucket, where the replica is created",
  ),
  trailArn: fieldSchemas.trailArn.describe(
    'The trail that will use the replica',
  ),
  readers: readers
    .optional()
    .describe(
      'Principals allowed to decrypt the log files with the replica (IAM role/user ARNs or account ids)',
    ),
});
/** @public */
export const replicateKeyOutput = z.object({
  keyArn: z.string().describe('The replica key ARN'),
  policy: z
    .string()
    .optional()
    .describe(
      'Dry runs only: the key policy the replica would get, for the next dry-run step to check',
    ),
});

// aws:kms:narrow-cloudtrail-decrypt
/** @public */
export const narrowDecryptInput = z.object({
  accountId: fieldSchemas.accountId.describe('Account that owns the key'),
  keyArn: fieldSchemas.keyArn.describe(
    'The key whose policy lets every principal decrypt',
  ),
  scope: z
    .enum(['organization', 'account'], {
      errorMap: () => ({ message: 'must be organization or account' }),
    })
    .describe(
      "organization: only principals of the estate's AWS Organization (aws:PrincipalOrgID); account: only the key's account (kms:CallerAccount)",
    ),
});
/** @public */
export const narrowDecryptOutput = z.object({
  keyArn: z.string().describe('The key'),
  changedStatements: z
    .array(z.string())
    .describe('Sids (or #index) of the statements narrowed'),
  diff: z
    .string()
    .optional()
    .describe('The statements changed, as a diff of statements'),
});

/**
 * The schema in the form `createTemplateAction` takes. The scaffolder only
 * converts it to JSON schema; the zod object itself is what the handler
 * parses with.
 *
 * @public
 */
export function forScaffolder(schema: z.ZodTypeAny): (zImpl: any) => any {
  return () => schema;
}

function fieldName(path: Array<string | number>): string {
  const parts = path.map((p, i) => {
    if (typeof p === 'number') return `[${p}]`;
    return i === 0 ? p : `.${p}`;
  });
  return parts.join('') || 'input';
}

/**
 * Parses an action's input with its schema; the first problem becomes an
 * InputError naming the field, what was expected and (bounded) what was
 * given.
 *
 * @public
 */
export function parseInput<S extends z.ZodTypeAny>(
  schema: S,
  input: unknown,
): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = fieldName(issue.path);
  let value: unknown = input;
  for (const key of issue.path) {
    value =
      value !== null && typeof value === 'object'
        ? (value as Record<string | number, unknown>)[key]
        : undefined;
  }
  if (value === undefined) {
    throw new InputError(`${field} is required`);
  }
  throw new InputError(`${field} ${issue.message}; got ${shown(value)}`);
}
