import {
  partitionOf,
  partitionOfRegion,
  regionFromArn,
  type AwsPartition,
} from './arn';
import {
  accountDecryptStatement,
  cloudTrailDescribeStatement,
  cloudTrailEncryptStatement,
  consoleStyleCloudTrailKeyPolicy,
  CLOUDTRAIL_SERVICE_PRINCIPAL,
  type CloudTrailTrailsOptions,
  type PolicyJsonMap,
} from './keyPolicyStatements';
import type { EffectiveReader } from './effectiveReaders';
import type {
  AccountReport,
  DecryptPrincipal,
  Finding,
  KmsKeyInfo,
  TrailReport,
} from './report';

/**
 * One concrete step of a finding's fix, naming the trail's real values. The
 * card, the CLI and the documentation show the same steps.
 *
 * @public
 */
export interface RemediationStep {
  /** What to do and why, in words. */
  text: string;
  /** The account whose credentials the step needs, when it is an AWS change. */
  accountId?: string;
  /** An exact shell command (the `aws` CLI). */
  command?: string;
  /** A JSON document the step saves or adds (a key policy or one statement). */
  json?: {
    value: PolicyJsonMap;
    /** The file the commands read it from, when they do. */
    fileName?: string;
  };
}

/**
 * The file the key-policy edit steps save the current policy to.
 *
 * @public
 */
export const KEY_POLICY_FILE = 'key-policy.json';
/**
 * The file a new key's policy is saved to before the key is created.
 *
 * @public
 */
export const NEW_KEY_POLICY_FILE = 'cloudtrail-key-policy.json';

const SAFE_SHELL_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A value as one shell word: quoted only when it has to be. */
function sh(value: string): string {
  return SAFE_SHELL_WORD.test(value)
    ? value
    : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * `aws <service> <operation> --opt value …`, continued over lines when it
 * would be long, so that it reads in a narrow card and pastes as one command.
 */
function awsCommand(
  service: string,
  operation: string,
  options: Array<[string, string] | [string]>,
): string {
  const parts = options.map(([name, value]) =>
    value === undefined ? `--${name}` : `--${name} ${value}`,
  );
  const oneLine = ['aws', service, operation, ...parts].join(' ');
  if (oneLine.length <= 80) return oneLine;
  return [`aws ${service} ${operation}`, ...parts].join(' \\\n  ');
}

/** A key's id in key ARN form when it can be known: KMS key commands take no alias for policies. */
function keyRef(key: KmsKeyInfo, partition: AwsPartition): string {
  if (/:key\/[^/]+$/.test(key.arn) || !key.keyId) return key.arn;
  return `arn:${partition}:kms:${key.region}:${key.accountId}:key/${key.keyId}`;
}

interface TrailContext {
  trail: TrailReport;
  partition: AwsPartition;
  /** The trail's owner: CloudTrail changes to the trail are made there. */
  owner: string;
  trailOptions: CloudTrailTrailsOptions;
  /** The account the report is about. */
  accountId: string;
  organizationId?: string;
}

function contextOf(
  trail: TrailReport,
  report: Pick<AccountReport, 'accountId' | 'membership'>,
): TrailContext {
  const partition =
    partitionOf(trail.trailArn) ?? partitionOfRegion(trail.homeRegion);
  return {
    trail,
    partition,
    owner: trail.ownerAccountId,
    // An organization trail's encryption context names the management
    // account's trail for every member's events.
    trailOptions: trail.isOrganizationTrail
      ? { orgTrail: trail.trailArn }
      : { trailArns: [trail.trailArn] },
    accountId: report.accountId,
    organizationId: report.membership?.organizationId,
  };
}

function trailLabel(trail: TrailReport): string {
  return `${trail.isOrganizationTrail ? 'organization trail' : 'trail'} ${
    trail.name
  }`;
}

/** Readers named by ARN today, kept on a replacement key. */
function namedReaders(trail: TrailReport): string[] {
  const arns = trail.decryptPrincipals
    .filter(
      p =>
        (p.kind === 'iam-role' || p.kind === 'iam-user') &&
        p.principal.startsWith('arn:') &&
        !p.principal.includes(':assumed-role/'),
    )
    .map(p => p.principal);
  return [...new Set(arns)];
}

function updateTrailStep(
  ctx: TrailContext,
  keyValue: string,
  keyWords: string,
): RemediationStep {
  const { trail } = ctx;
  return {
    text: `Point ${trailLabel(trail)} at ${keyWords}. Run it in account ${
      ctx.owner
    }, which owns the trail, in the trail's home Region ${trail.homeRegion}.`,
    accountId: ctx.owner,
    command: awsCommand('cloudtrail', 'update-trail', [
      ['name', sh(trail.trailArn)],
      ['kms-key-id', keyValue],
      ['region', sh(trail.homeRegion)],
    ]),
  };
}

/**
 * A new symmetric key in the bucket's Region, with the CloudTrail key policy
 * the console writes, rotation on, and the trail moved to it.
 */
function newKeySteps(ctx: TrailContext, why: string): RemediationStep[] {
  const { trail } = ctx;
  const readers = namedReaders(trail);
  const steps: RemediationStep[] = [];
  let region = trail.bucketRegion;
  if (!region) {
    steps.push({
      text: `${why} The Region of bucket ${trail.s3BucketName} is not known: look it up first (the key must be in the bucket's Region).`,
      command: `BUCKET_REGION=$(aws s3api head-bucket --bucket ${sh(
        trail.s3BucketName,
      )} --query BucketRegion --output text)`,
    });
    region = '"$BUCKET_REGION"';
  }
  const regionWords = trail.bucketRegion ?? 'the bucket Region';
  steps.push({
    text: `${
      trail.bucketRegion ? `${why} ` : ''
    }Save this key policy as ${NEW_KEY_POLICY_FILE}: account ${
      ctx.owner
    } administers the key, CloudTrail may encrypt the log files of ${
      trail.name
    } and describe the key${
      readers.length ? `, and ${readers.join(', ')} may decrypt them` : ''
    }.`,
    json: {
      value: consoleStyleCloudTrailKeyPolicy({
        ...ctx.trailOptions,
        keyAccountId: ctx.owner,
        readers,
      }),
      fileName: NEW_KEY_POLICY_FILE,
    },
  });
  steps.push({
    text: `Create a symmetric encryption key with that policy in ${regionWords}, where bucket ${trail.s3BucketName} is, in account ${ctx.owner}.`,
    accountId: ctx.owner,
    command: `KEY_ARN=$(${awsCommand('kms', 'create-key', [
      ['region', region],
      ['description', sh(`CloudTrail log files of ${trail.name}`)],
      ['key-spec', 'SYMMETRIC_DEFAULT'],
      ['key-usage', 'ENCRYPT_DECRYPT'],
      ['policy', `file://${NEW_KEY_POLICY_FILE}`],
      ['query', 'KeyMetadata.Arn'],
      ['output', 'text'],
    ])})`,
  });
  steps.push({
    text: 'Turn on automatic rotation of the new key.',
    accountId: ctx.owner,
    command: awsCommand('kms', 'enable-key-rotation', [
      ['key-id', '"$KEY_ARN"'],
      ['region', region],
    ]),
  });
  steps.push(updateTrailStep(ctx, '"$KEY_ARN"', 'the new key'));
  return steps;
}

/** Save the key's policy, change it as `edit` says, put it back. */
function keyPolicyEditSteps(
  ctx: TrailContext,
  key: KmsKeyInfo,
  edit: Omit<RemediationStep, 'command' | 'accountId'>,
): RemediationStep[] {
  const ref = keyRef(key, ctx.partition);
  return [
    {
      text: `Save the current policy of key ${ref} (account ${key.accountId}, ${key.region}).`,
      accountId: key.accountId,
      command: `${awsCommand('kms', 'get-key-policy', [
        ['key-id', sh(ref)],
        ['policy-name', 'default'],
        ['region', sh(key.region)],
        ['query', 'Policy'],
        ['output', 'text'],
      ])} > ${KEY_POLICY_FILE}`,
    },
    edit,
    {
      text: `Put the edited policy back on key ${ref}.`,
      accountId: key.accountId,
      command: awsCommand('kms', 'put-key-policy', [
        ['key-id', sh(ref)],
        ['policy-name', 'default'],
        ['policy', `file://${KEY_POLICY_FILE}`],
        ['region', sh(key.region)],
      ]),
    },
  ];
}

function revokeGrantStep(
  ctx: TrailContext,
  key: KmsKeyInfo,
  principal: DecryptPrincipal,
): RemediationStep {
  const ref = keyRef(key, ctx.partition);
  return {
    text: `Revoke grant ${principal.source} on key ${ref}, which lets ${principal.principal} decrypt.`,
    accountId: key.accountId,
    command: awsCommand('kms', 'revoke-grant', [
      ['key-id', sh(ref)],
      ['grant-id', sh(principal.source ?? '')],
      ['region', sh(key.region)],
    ]),
  };
}

/** How a statement is named in words: its Sid, else its place in the policy. */
function statementWords(source: string | undefined): string {
  if (source === undefined) return 'the statement';
  return /^\d+$/.test(source)
    ? `the statement at index ${source} of the Statement list`
    : `statement "${source}"`;
}

function missingKey(ctx: TrailContext, finding: Finding): RemediationStep[] {
  return [
    {
      text: `The report has no key for ${trailLabel(
        ctx.trail,
      )}. ${filledRemediationText(finding, { trails: [ctx.trail] })}`,
    },
  ];
}

type StepBuilder = (
  ctx: TrailContext,
  finding: Finding,
) => RemediationStep[] | undefined;

const roleName = (arn: string) => arn.split('/').pop() ?? arn;

/** The key and bucket statements that let a reader in, in words. */
function readerPath(reader: EffectiveReader): string {
  const steps = reader.via.map(step =>
    step.layer === 'key-policy' || step.layer === 'bucket-policy'
      ? `${step.policy} statement ${step.statement}`
      : `${step.policy} (${step.layer.replace('-', ' ')})`,
  );
  return steps.length ? steps.join(', ') : 'its IAM policies';
}

function trustPolicySteps(
  reader: EffectiveReader,
  why: string,
): RemediationStep[] {
  const name = roleName(reader.principal);
  return [
    {
      text: `Role ${reader.principal} can read the log files and ${why}. Save its trust policy, restrict its Principal (or add an aws:PrincipalOrgID condition), then write it back.`,
      accountId: reader.accountId,
      command: `${awsCommand('iam', 'get-role', [
        ['role-name', sh(name)],
        ['query', 'Role.AssumeRolePolicyDocument'],
      ])} > trust-policy.json`,
    },
    {
      text: 'Put the restricted trust policy back.',
      accountId: reader.accountId,
      command: awsCommand('iam', 'update-assume-role-policy', [
        ['role-name', sh(name)],
        ['policy-document', 'file://trust-policy.json'],
      ]),
    },
  ];
}

const READER_BUILDERS: Pick<
  Record<Finding['code'], StepBuilder>,
  | 'READER_OUTSIDE_ORGANIZATION'
  | 'READER_ROLE_ASSUMABLE_BY_ANY'
  | 'READERS_UNRESOLVED'
  | 'READERS_VIA_BROAD_POLICY'
> = {
  READER_OUTSIDE_ORGANIZATION: ctx => {
    const readers = ctx.trail.readers?.readers ?? [];
    const steps: RemediationStep[] = [];
    for (const reader of readers.filter(r => r.outsideOrganization)) {
      steps.push({
        text: `${reader.principal} (account ${
          reader.accountId
        }, outside the organization) reads the logs through ${readerPath(
          reader,
        )}: remove its account from those statements, or add it to cloudtrailEncryption.trustedAccountIds if it is trusted.`,
      });
    }
    for (const reader of readers) {
      const outside = (reader.trustedBy ?? []).filter(
        t => t.kind !== 'any' && t.outsideOrganization,
      );
      if (!outside.length) continue;
      steps.push(
        ...trustPolicySteps(
          reader,
          `trusts ${outside
            .map(t => t.principal)
            .join(', ')} outside the organization`,
        ),
      );
    }
    return steps.length ? steps : undefined;
  },

  READER_ROLE_ASSUMABLE_BY_ANY: ctx => {
    const open = (ctx.trail.readers?.readers ?? []).filter(r =>
      (r.trustedBy ?? []).some(t => t.kind === 'any' && t.outsideOrganization),
    );
    const steps = open.flatMap(reader =>
      trustPolicySteps(reader, 'its trust policy lets any principal assume it'),
    );
    if (steps.length && ctx.organizationId) {
      steps.splice(1, 0, {
        text: 'For example, add this condition to the trust statement:',
        json: {
          value: {
            StringEquals: { 'aws:PrincipalOrgID': ctx.organizationId },
          },
        },
      });
    }
    return steps.length ? steps : undefined;
  },

  READERS_UNRESOLVED: ctx => {
    const unresolved = ctx.trail.readers?.unresolved ?? [];
    const steps: RemediationStep[] = unresolved.map(account =>
      account.missingPermission
        ? {
            text: `Allow the scan role of account ${account.accountId} ${account.missingPermission} (AWS's SecurityAudit managed policy includes it), then rescan. This check, run as the scan role, must succeed:`,
            accountId: account.accountId,
            command: awsCommand('iam', 'get-account-authorization-details', [
              ['max-items', '1'],
            ]),
          }
        : {
            text: `Account ${account.accountId}: ${account.reason}. Add it to the scanned estate to name its readers, or remove it from the key and bucket policies.`,
          },
    );
    return steps.length ? steps : undefined;
  },

  READERS_VIA_BROAD_POLICY: ctx => {
    const broad = (ctx.trail.readers?.readers ?? []).filter(r => r.broad);
    if (!broad.length) return undefined;
    return [
      {
        text: `Review these readers, which read the logs only through broad policies (all actions, or all KMS or S3 actions, on every resource): ${broad
          .map(r => r.principal)
          .join(
            ', ',
          )}. Scope their policies to what they need, or grant log access through a dedicated reader role.`,
      },
    ];
  },
};

const BUILDERS: Record<Finding['code'], StepBuilder> = {
  TRAIL_NOT_KMS_ENCRYPTED: ctx =>
    newKeySteps(
      ctx,
      `Log files of ${ctx.trail.name} are only encrypted with SSE-S3.`,
    ),

  KMS_KEY_REGION_MISMATCH: (ctx, finding) => {
    const { trail } = ctx;
    const key = trail.kmsKey;
    if (!key) return missingKey(ctx, finding);
    const bucketRegion = trail.bucketRegion;
    const keyId = key.keyId ?? key.arn.match(/:key\/(.+)$/)?.[1];
    const why = `The key is in ${key.region}; bucket ${
      trail.s3BucketName
    } is in ${bucketRegion ?? 'another Region'}.`;
    if (!key.multiRegion || !keyId?.startsWith('mrk-') || !bucketRegion) {
      return newKeySteps(ctx, why);
    }
    // A multi-Region key: its replica in the bucket Region has the same id,
    // and replicas are made from the primary, in the primary's Region.
    const primaryArn = key.primaryKeyArn ?? keyRef(key, ctx.partition);
    const primaryRegion = regionFromArn(primaryArn) ?? key.region;
    const replicaArn = `arn:${ctx.partition}:kms:${bucketRegion}:${key.accountId}:key/${keyId}`;
    const existing =
      primaryRegion === bucketRegion ||
      (key.replicaKeyArns ?? []).some(a => regionFromArn(a) === bucketRegion);
    if (existing) {
      return [
        updateTrailStep(
          ctx,
          sh(replicaArn),
          `${
            primaryRegion === bucketRegion ? 'the primary key' : 'the replica'
          } ${replicaArn}, which already exists in ${bucketRegion}`,
        ),
      ];
    }
    return [
      {
        text: `${why} Save this key policy as ${NEW_KEY_POLICY_FILE} for the replica (a replica does not inherit the primary's policy).`,
        json: {
          value: consoleStyleCloudTrailKeyPolicy({
            ...ctx.trailOptions,
            keyAccountId: key.accountId,
            readers: namedReaders(trail),
          }),
          fileName: NEW_KEY_POLICY_FILE,
        },
      },
      {
        text: `Replicate multi-Region key ${keyId} into ${bucketRegion}, from its primary in ${primaryRegion}.`,
        accountId: key.accountId,
        command: awsCommand('kms', 'replicate-key', [
          ['key-id', sh(primaryArn)],
          ['replica-region', sh(bucketRegion)],
          ['policy', `file://${NEW_KEY_POLICY_FILE}`],
          ['region', sh(primaryRegion)],
        ]),
      },
      updateTrailStep(ctx, sh(replicaArn), `the replica ${replicaArn}`),
    ];
  },

  KMS_KEY_NOT_ENABLED: (ctx, finding) => {
    const key = ctx.trail.kmsKey;
    if (!key) return missingKey(ctx, finding);
    // Only a disabled key can be enabled again; an unavailable or vanished
    // one is replaced.
    if (key.state !== 'Disabled' && key.state !== 'Enabled') {
      return newKeySteps(
        ctx,
        `Key ${key.arn} is ${key.state} and cannot be enabled again.`,
      );
    }
    const ref = keyRef(key, ctx.partition);
    return [
      {
        text: `Enable key ${ref} in account ${key.accountId}. CloudTrail delivers again once it is enabled.`,
        accountId: key.accountId,
        command: awsCommand('kms', 'enable-key', [
          ['key-id', sh(ref)],
          ['region', sh(key.region)],
        ]),
      },
    ];
  },

  KMS_KEY_PENDING_DELETION: (ctx, finding) => {
    const key = ctx.trail.kmsKey;
    if (!key) return missingKey(ctx, finding);
    const ref = keyRef(key, ctx.partition);
    return [
      {
        text: `Cancel the scheduled deletion of key ${ref}${
          key.deletionDate ? ` (due ${key.deletionDate})` : ''
        }: once deleted, every log file encrypted with it is unreadable.`,
        accountId: key.accountId,
        command: awsCommand('kms', 'cancel-key-deletion', [
          ['key-id', sh(ref)],
          ['region', sh(key.region)],
        ]),
      },
      {
        text: 'A key whose deletion is cancelled stays disabled: enable it.',
        accountId: key.accountId,
        command: awsCommand('kms', 'enable-key', [
          ['key-id', sh(ref)],
          ['region', sh(key.region)],
        ]),
      },
    ];
  },

  KMS_KEY_NOT_SYMMETRIC: (ctx, finding) => {
    const key = ctx.trail.kmsKey;
    if (!key) return missingKey(ctx, finding);
    return newKeySteps(
      ctx,
      `Key ${key.arn} is ${
        key.keySpec ? `a ${key.keySpec} key` : 'not a symmetric encryption key'
      }; CloudTrail only uses symmetric encryption keys (SYMMETRIC_DEFAULT).`,
    );
  },

  CLOUDTRAIL_CANNOT_ENCRYPT: (ctx, finding) => {
    const key = ctx.trail.kmsKey;
    if (!key) return missingKey(ctx, finding);
    return [
      ...keyPolicyEditSteps(ctx, key, {
        text: `Add this statement to the Statement list of ${KEY_POLICY_FILE}: ${CLOUDTRAIL_SERVICE_PRINCIPAL} may call kms:GenerateDataKey* for ${trailLabel(
          ctx.trail,
        )}.`,
        json: { value: cloudTrailEncryptStatement(ctx.trailOptions) },
      }),
      {
        text: `Make sure no Deny statement of the policy matches ${CLOUDTRAIL_SERVICE_PRINCIPAL}, then check that the trail delivers again.`,
        command: awsCommand('cloudtrail', 'get-trail-status', [
          ['name', sh(ctx.trail.trailArn)],
          ['region', sh(ctx.trail.homeRegion)],
          ['query', '[LatestDeliveryTime,LatestDeliveryError]'],
        ]),
        accountId: ctx.owner,
      },
    ];
  },

  CLOUDTRAIL_CANNOT_DESCRIBE_KEY: (ctx, finding) => {
    const key = ctx.trail.kmsKey;
    if (!key) return missingKey(ctx, finding);
    return keyPolicyEditSteps(ctx, key, {
      text: `Add this statement to the Statement list of ${KEY_POLICY_FILE}: ${CLOUDTRAIL_SERVICE_PRINCIPAL} may call kms:DescribeKey for ${trailLabel(
        ctx.trail,
      )}.`,
      json: { value: cloudTrailDescribeStatement(ctx.trailOptions) },
    });
  },

  DECRYPT_OPEN_TO_ANY_PRINCIPAL: (ctx, finding) => {
    const key = ctx.trail.kmsKey;
    if (!key) return missingKey(ctx, finding);
    const open = ctx.trail.decryptPrincipals.filter(
      p => p.kind === 'any' && !p.organizationId,
    );
    const grants = open.filter(p => p.via === 'grant' && p.source);
    const statements = open.filter(p => p.via !== 'grant');
    const steps = grants.map(p => revokeGrantStep(ctx, key, p));
    if (statements.length > 0 || grants.length === 0) {
      const named = [...new Set(statements.map(p => p.source))];
      steps.push(
        ...keyPolicyEditSteps(ctx, key, {
          text: `In ${KEY_POLICY_FILE}, replace ${
            named.length
              ? named.map(statementWords).join(' and ')
              : 'the statement'
          } that lets any principal decrypt with this one, which limits decryption to principals of account ${
            key.accountId
          } (their IAM policies still have to allow kms:Decrypt).`,
          json: {
            value: accountDecryptStatement({
              ...ctx.trailOptions,
              sid:
                named.length === 1 && named[0] && !/^\d+$/.test(named[0])
                  ? named[0]
                  : 'Allow principals in the account to decrypt log files',
              callerAccountId: key.accountId,
            }),
          },
        }),
      );
    }
    return steps;
  },

  DECRYPT_CROSS_ACCOUNT: (ctx, finding) => {
    const key = ctx.trail.kmsKey;
    if (!key) return missingKey(ctx, finding);
    const own = new Set([ctx.accountId, ctx.owner, key.accountId]);
    const outside = ctx.trail.decryptPrincipals.filter(
      p =>
        p.kind !== 'service' &&
        ((p.accountId !== undefined && !own.has(p.accountId)) ||
          (p.kind === 'any' &&
            !!p.organizationId &&
            p.organizationId !== ctx.organizationId)),
    );
    if (outside.length === 0) {
      return [
        {
          text: `${finding.message} Confirm that this reader should read the logs; otherwise remove it from the policy or grants of key ${key.arn}.`,
        },
      ];
    }
    const who = outside
      .map(p =>
        p.kind === 'any'
          ? `any principal of organization ${p.organizationId}`
          : p.principal,
      )
      .join(', ');
    const steps: RemediationStep[] = [
      {
        text: `Confirm whether ${who} should read these logs. If so, add ${
          [...new Set(outside.map(p => p.accountId).filter(Boolean))].join(
            ', ',
          ) || 'the account'
        } to cloudtrailEncryption.trustedAccountIds; otherwise remove ${
          outside.length === 1 ? 'it' : 'them'
        } as follows.`,
      },
    ];
    for (const p of outside.filter(q => q.via === 'grant' && q.source)) {
      steps.push(revokeGrantStep(ctx, key, p));
    }
    const inPolicy = outside.filter(p => p.via !== 'grant');
    if (inPolicy.length > 0) {
      steps.push(
        ...keyPolicyEditSteps(ctx, key, {
          text: `In ${KEY_POLICY_FILE}, ${inPolicy
            .map(
              p =>
                `remove ${
                  p.kind === 'any'
                    ? `the aws:PrincipalOrgID ${p.organizationId} statement`
                    : p.principal
                } from ${statementWords(p.source)}`,
            )
            .join('; ')} (delete a statement that names no one else).`,
        }),
      );
    }
    return steps;
  },

  NO_DECRYPT_PRINCIPALS: (ctx, finding) => {
    const key = ctx.trail.kmsKey;
    if (!key) return missingKey(ctx, finding);
    return [
      ...keyPolicyEditSteps(ctx, key, {
        text: `Add this statement to the Statement list of ${KEY_POLICY_FILE}: principals of account ${key.accountId} may decrypt the log files of ${ctx.trail.name} when their IAM policies allow kms:Decrypt.`,
        json: {
          value: accountDecryptStatement({
            ...ctx.trailOptions,
            sid: 'Allow principals in the account to decrypt log files',
            callerAccountId: key.accountId,
          }),
        },
      }),
      {
        text: `Then allow your log readers kms:Decrypt on ${keyRef(
          key,
          ctx.partition,
        )} in their IAM policies in account ${key.accountId}.`,
      },
    ];
  },

  KEY_POLICY_UNREADABLE: (ctx, finding) => {
    const key = ctx.trail.kmsKey;
    if (!key) return missingKey(ctx, finding);
    const ref = keyRef(key, ctx.partition);
    // The policy was read but KMS would refuse it as written: more access
    // does not help, the document must change.
    if (/PutKeyPolicy/.test(finding.remediation)) {
      return keyPolicyEditSteps(ctx, key, {
        text: `Correct ${KEY_POLICY_FILE} where the finding says (${finding.message}); kms:PutKeyPolicy refuses the document otherwise. Then rescan.`,
      });
    }
    const elsewhere = key.accountId !== ctx.accountId;
    return [
      {
        text: `Allow the scan role of account ${
          ctx.accountId
        } kms:DescribeKey, kms:GetKeyPolicy, kms:GetKeyRotationStatus and kms:ListGrants on key ${ref}${
          elsewhere
            ? `. The key belongs to account ${key.accountId}: either add the scan role of ${ctx.accountId} to that key's policy, or add account ${key.accountId} to the scanned estate so its own scan role reads the key`
            : ' (its IAM policy and the key policy)'
        }. Then rescan. This check, run as the scan role, must succeed:`,
        accountId: ctx.accountId,
        command: awsCommand('kms', 'get-key-policy', [
          ['key-id', sh(ref)],
          ['policy-name', 'default'],
          ['region', sh(key.region)],
        ]),
      },
    ];
  },

  KEY_ROTATION_DISABLED: (ctx, finding) => {
    const key = ctx.trail.kmsKey;
    if (!key) return missingKey(ctx, finding);
    const ref = keyRef(key, ctx.partition);
    return [
      {
        text: `Turn on automatic rotation of key ${ref} in account ${key.accountId}.`,
        accountId: key.accountId,
        command: awsCommand('kms', 'enable-key-rotation', [
          ['key-id', sh(ref)],
          ['region', sh(key.region)],
        ]),
      },
    ];
  },

  TRAIL_NOT_LOGGING: ctx => [
    {
      text: `Start logging on ${trailLabel(ctx.trail)} in account ${
        ctx.owner
      }, in its home Region ${ctx.trail.homeRegion}.`,
      accountId: ctx.owner,
      command: awsCommand('cloudtrail', 'start-logging', [
        ['name', sh(ctx.trail.trailArn)],
        ['region', sh(ctx.trail.homeRegion)],
      ]),
    },
  ],

  ...READER_BUILDERS,

  TRAIL_DELIVERY_FAILING: ctx => {
    const { trail } = ctx;
    const error = trail.delivery.latestDeliveryError;
    let cause = `Fix the cause: the key's state or policy (key ${
      trail.kmsKey?.arn ?? 'none'
    }), the bucket policy of ${trail.s3BucketName}, or the bucket's existence.`;
    if (error && /kms|encrypt/i.test(error)) {
      cause = `The error is about the key: make sure key ${
        trail.kmsKey?.arn ?? '(none)'
      } is enabled, in ${
        trail.bucketRegion ?? "the bucket's Region"
      }, and that its policy lets ${CLOUDTRAIL_SERVICE_PRINCIPAL} encrypt for ${
        trail.name
      } (see the key findings of this trail).`;
    } else if (error && /NoSuchBucket/i.test(error)) {
      cause = `Bucket ${trail.s3BucketName} no longer exists: create it again with a CloudTrail bucket policy, or point the trail at another bucket.`;
    } else if (error && /AccessDenied|Forbidden/i.test(error)) {
      cause = `The bucket policy of ${trail.s3BucketName} must let ${CLOUDTRAIL_SERVICE_PRINCIPAL} call s3:PutObject for ${trail.trailArn} (aws:SourceArn) with the bucket-owner-full-control ACL.`;
    }
    return [
      {
        text: `CloudTrail cannot deliver the log files of ${
          trail.name
        } to bucket ${trail.s3BucketName}${
          error ? `: ${error}` : ''
        }. ${cause}`,
      },
      {
        text: 'Then check that the last delivery time advances and the error clears.',
        accountId: ctx.owner,
        command: awsCommand('cloudtrail', 'get-trail-status', [
          ['name', sh(trail.trailArn)],
          ['region', sh(trail.homeRegion)],
          ['query', '[LatestDeliveryTime,LatestDeliveryError]'],
        ]),
      },
    ];
  },
};

/**
 * The concrete steps that fix a finding, with this trail's real ARNs,
 * Regions, bucket and key: exact `aws` commands and the key-policy
 * statements to add (built by the CloudTrail statement builders). A finding
 * about no trail of the report, or of a code this version does not know,
 * falls back to its catalogue text.
 *
 * @public
 */
export function remediationSteps(
  finding: Finding,
  report: Pick<AccountReport, 'accountId' | 'membership' | 'trails'>,
): RemediationStep[] {
  const trail = finding.trailArn
    ? report.trails.find(t => t.trailArn === finding.trailArn)
    : undefined;
  const build = BUILDERS[finding.code];
  const generic = [{ text: filledRemediationText(finding, report) }];
  if (!trail || trail.error || !build) return generic;
  try {
    return build(contextOf(trail, report), finding) ?? generic;
  } catch {
    // A trail ARN the statement builders refuse (not a trail ARN): the
    // catalogue text is still right, only less specific.
    return generic;
  }
}

/**
 * A finding's catalogue text with its placeholders (`<owner-account-id>`,
 * `<trail>`, `<bucket>`, `<key>`, `<region>`) filled in with the trail's real
 * values; the text as stored when the finding is about no trail of the report.
 *
 * @public
 */
export function filledRemediationText(
  finding: Finding,
  report: Pick<AccountReport, 'trails'>,
): string {
  const trail = finding.trailArn
    ? report.trails.find(t => t.trailArn === finding.trailArn)
    : undefined;
  if (!trail) return finding.remediation;
  const values: Record<string, string | undefined> = {
    'owner-account-id': trail.ownerAccountId,
    'account-id': trail.ownerAccountId,
    trail: trail.name,
    'trail-arn': trail.trailArn,
    bucket: trail.s3BucketName,
    'bucket-region': trail.bucketRegion,
    key: trail.kmsKey?.arn,
    'key-arn': trail.kmsKey?.arn,
    region: trail.homeRegion,
  };
  return finding.remediation.replace(
    /<([a-z-]+)>/g,
    (placeholder, name: string) => values[name] ?? placeholder,
  );
}
