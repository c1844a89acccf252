import { randomBytes, randomUUID } from 'node:crypto';
import { defaultKeyPolicy } from '../policy';
import {
  decodeToken,
  encodeToken,
  Handler,
  optionalInt,
  RequestContext,
  requireString,
  requireWrite,
} from '../server/context';
import { AwsError, compact, epoch } from '../server/protocol';
import { keyArn, KeyRecord } from '../state/records';
import {
  assertNotPendingDeletion,
  defaultUsage,
  keyMetadata,
  keySpecAlgorithms,
  notFound,
  resolveKey,
  validateNewPolicy,
} from './kmsKeys';

const DAY = 86_400_000;

function validation(member: string, value: unknown, constraint: string) {
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

function limitParam(ctx: RequestContext, max: number): number {
  const limit = optionalInt(ctx, 'Limit') ?? 50;
  if (limit < 1 || limit > max) {
    throw validation(
      'limit',
      limit,
      `Member must have value less than or equal to ${max}`,
    );
  }
  return limit;
}

function paginate<T>(ctx: RequestContext, items: T[], salt: string, max = 100) {
  const limit = limitParam(ctx, max);
  const start = decodeToken(
    ctx.params.Marker,
    salt,
    () => new AwsError('InvalidMarkerException', 'Invalid marker'),
  );
  const page = items.slice(start, start + limit);
  const truncated = start + limit < items.length;
  return {
    page,
    Truncated: truncated,
    NextMarker: truncated ? encodeToken(start + limit, salt) : undefined,
  };
}

function key(ctx: RequestContext): KeyRecord {
  return resolveKey(ctx, requireString(ctx, 'KeyId'));
}

function writableKey(ctx: RequestContext): KeyRecord {
  const raw = requireString(ctx, 'KeyId');
  requireWrite(
    ctx,
    raw.startsWith('arn:')
      ? raw
      : `arn:aws:kms:${ctx.region}:${ctx.caller.accountId}:key/${raw}`,
  );
  return resolveKey(ctx, raw);
}

function createKey(ctx: RequestContext) {
  const p = ctx.params;
  requireWrite(ctx, '*');
  const spec = String(
    p.KeySpec ?? p.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT',
  );
  const usage = String(p.KeyUsage ?? defaultUsage(spec) ?? '');
  if (!keySpecAlgorithms(spec, usage)) {
    if (!p.KeyUsage && spec !== 'SYMMETRIC_DEFAULT') {
      throw new AwsError(
        'ValidationException',
        'You must specify a KeyUsage value for an asymmetric KMS key.',
      );
    }
    throw new AwsError(
      'ValidationException',
      `KeySpec ${spec} is not supported for KeyUsage ${usage}`,
    );
  }
  if (p.Origin && p.Origin !== 'AWS_KMS') {
    throw new AwsError(
      'UnsupportedOperationException',
      `Origin ${p.Origin} is not supported.`,
    );
  }
  const account = ctx.caller.accountId;
  const multiRegion = p.MultiRegion === true;
  const id = multiRegion
    ? `mrk-${randomBytes(16).toString('hex')}`
    : randomUUID();
  const policy =
    p.Policy === undefined
      ? defaultKeyPolicy(account)
      : validateNewPolicy(
          ctx,
          p.Policy,
          p.BypassPolicyLockoutSafetyCheck === true,
          keyArn(ctx.region, account, id),
        );
  const record: KeyRecord = {
    account,
    region: ctx.region,
    id,
    arn: keyArn(ctx.region, account, id),
    state: 'Enabled',
    keySpec: spec,
    keyUsage: usage,
    multiRegion,
    multiRegionType: multiRegion ? 'PRIMARY' : undefined,
    primaryRegion: multiRegion ? ctx.region : undefined,
    replicaRegions: [],
    rotation: false,
    rotationPeriodInDays: 365,
    policy,
    description: String(p.Description ?? ''),
    creationDate: ctx.now,
    grants: [],
    tags: Object.fromEntries(
      ((p.Tags as Array<{ TagKey: string; TagValue: string }>) ?? []).map(t => [
        t.TagKey,
        t.TagValue,
      ]),
    ),
  };
  ctx.state.keys.set(record.arn, record);
  return { KeyMetadata: keyMetadata(ctx, record) };
}

/**
 * ReplicateKey, called in the primary key's Region: creates a replica of a
 * multi-Region primary key in `ReplicaRegion`, with the same key id and key
 * material, and its own key policy (the default one when none is given).
 */
function replicateKey(ctx: RequestContext) {
  const primary = writableKey(ctx);
  const p = ctx.params;
  const region = requireString(ctx, 'ReplicaRegion');
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) {
    throw validation(
      'replicaRegion',
      region,
      'Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$',
    );
  }
  if (!primary.multiRegion || primary.multiRegionType !== 'PRIMARY') {
    throw new AwsError(
      'UnsupportedOperationException',
      `${primary.arn} is not a multi-Region primary key.`,
    );
  }
  assertNotPendingDeletion(primary);
  if (region === primary.region || primary.replicaRegions.includes(region)) {
    throw new AwsError(
      'AlreadyExistsException',
      `A key with ID ${primary.id} already exists in Region ${region}.`,
    );
  }
  const arn = keyArn(region, primary.account, primary.id);
  const policy =
    p.Policy === undefined
      ? defaultKeyPolicy(primary.account)
      : validateNewPolicy(
          ctx,
          p.Policy,
          p.BypassPolicyLockoutSafetyCheck === true,
          arn,
        );
  const replica: KeyRecord = {
    ...structuredClone(primary),
    region,
    arn,
    multiRegionType: 'REPLICA',
    replicaRegions: [],
    policy,
    description: String(p.Description ?? primary.description),
    creationDate: ctx.now,
    grants: [],
    state: 'Enabled',
    tags: Object.fromEntries(
      ((p.Tags as Array<{ TagKey: string; TagValue: string }>) ?? []).map(t => [
        t.TagKey,
        t.TagValue,
      ]),
    ),
  };
  primary.replicaRegions.push(region);
  ctx.state.keys.set(arn, replica);
  ctx.state.touchDelivery(t => t.kmsKeyArn === arn);
  return {
    ReplicaKeyMetadata: keyMetadata(ctx, replica),
    ReplicaPolicy: policy,
    ReplicaTags: Object.entries(replica.tags).map(([TagKey, TagValue]) => ({
      TagKey,
      TagValue,
    })),
  };
}

function policyName(ctx: RequestContext): string {
  const name = ctx.params.PolicyName ?? 'default';
  if (name !== 'default') throw notFound(`Policy ${name} does not exist.`);
  return name;
}

function putKeyPolicy(ctx: RequestContext) {
  const k = writableKey(ctx);
  policyName(ctx);
  k.policy = validateNewPolicy(
    ctx,
    ctx.params.Policy,
    ctx.params.BypassPolicyLockoutSafetyCheck === true,
    k.arn,
  );
  ctx.state.touchDelivery(t => t.kmsKeyArn === k.arn);
  return {};
}

function rotationStatus(ctx: RequestContext) {
  const k = key(ctx);
  if (k.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new AwsError(
      'UnsupportedOperationException',
      `${k.arn} origin is AWS_KMS which is not valid for this operation.`,
    );
  }
  const next = k.rotation
    ? new Date(
        k.creationDate.getTime() +
          Math.ceil(
            (ctx.now.getTime() - k.creationDate.getTime() + 1) /
              (k.rotationPeriodInDays * DAY),
          ) *
            k.rotationPeriodInDays *
            DAY,
      )
    : undefined;
  return compact({
    KeyRotationEnabled: k.rotation,
    KeyId: k.arn,
    RotationPeriodInDays: k.rotation ? k.rotationPeriodInDays : undefined,
    NextRotationDate: epoch(next),
  });
}

function setRotation(ctx: RequestContext, enabled: boolean) {
  const k = writableKey(ctx);
  if (k.state === 'Disabled')
    throw new AwsError('DisabledException', `${k.arn} is disabled.`);
  assertNotPendingDeletion(k);
  if (k.keySpec !== 'SYMMETRIC_DEFAULT' || k.multiRegionType === 'REPLICA') {
    throw new AwsError(
      'UnsupportedOperationException',
      `${k.arn} does not support automatic key rotation.`,
    );
  }
  const period = optionalInt(ctx, 'RotationPeriodInDays');
  if (enabled && period !== undefined && (period < 90 || period > 2560)) {
    throw validation(
      'rotationPeriodInDays',
      period,
      'Member must have value greater than or equal to 90',
    );
  }
  k.rotation = enabled;
  if (enabled && period !== undefined) k.rotationPeriodInDays = period;
  return {};
}

function listGrants(ctx: RequestContext) {
  const k = key(ctx);
  let grants = k.grants;
  if (ctx.params.GrantId)
    grants = grants.filter(g => g.grantId === ctx.params.GrantId);
  if (ctx.params.GranteePrincipal) {
    grants = grants.filter(
      g => g.granteePrincipal === ctx.params.GranteePrincipal,
    );
  }
  const { page, ...rest } = paginate(ctx, grants, `grants/${k.arn}`);
  return compact({
    Grants: page.map(g =>
      compact({
        KeyId: k.arn,
        GrantId: g.grantId,
        Name: g.name,
        CreationDate: epoch(g.creationDate),
        GranteePrincipal: g.granteePrincipal,
        RetiringPrincipal: g.retiringPrincipal,
        IssuingAccount: g.issuingAccount,
        Operations: g.operations,
        Constraints:
          g.encryptionContextSubset || g.encryptionContextEquals
            ? compact({
                EncryptionContextSubset: g.encryptionContextSubset,
                EncryptionContextEquals: g.encryptionContextEquals,
              })
            : undefined,
      }),
    ),
    ...rest,
  });
}

const ALIAS_RE = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

function createAlias(ctx: RequestContext) {
  const name = requireString(ctx, 'AliasName');
  const aliasArn = `arn:aws:kms:${ctx.region}:${ctx.caller.accountId}:${name}`;
  requireWrite(ctx, aliasArn);
  if (!ALIAS_RE.test(name)) {
    throw new AwsError(
      'ValidationException',
      `Alias ${name} must begin with alias/ and use only [a-zA-Z0-9/_-].`,
    );
  }
  if (name.startsWith('alias/aws/')) {
    throw new AwsError(
      'InvalidAliasNameException',
      'Alias must not begin with alias/aws/.',
    );
  }
  const target = requireString(ctx, 'TargetKeyId');
  if (target.includes('alias/')) {
    throw new AwsError(
      'ValidationException',
      'TargetKeyId must be a key ID or key ARN.',
    );
  }
  const k = resolveKey(ctx, target);
  if (k.account !== ctx.caller.accountId)
    throw notFound(`Key '${k.arn}' does not exist`);
  assertNotPendingDeletion(k);
  const exists = ctx.state.aliases.some(
    a => a.account === k.account && a.region === ctx.region && a.name === name,
  );
  if (exists) {
    throw new AwsError(
      'AlreadyExistsException',
      `An alias with the name ${aliasArn} already exists`,
    );
  }
  ctx.state.aliases.push({
    account: k.account,
    region: ctx.region,
    name,
    targetKeyId: k.id,
    creationDate: ctx.now,
  });
  return {};
}

function listAliases(ctx: RequestContext) {
  const account = ctx.caller.accountId;
  let aliases = ctx.state.aliases.filter(
    a => a.account === account && a.region === ctx.region,
  );
  if (ctx.params.KeyId) {
    const k = resolveKey(ctx, String(ctx.params.KeyId));
    aliases = aliases.filter(a => a.targetKeyId === k.id);
  }
  const { page, ...rest } = paginate(
    ctx,
    aliases,
    `aliases/${account}/${ctx.region}`,
  );
  return compact({
    Aliases: page.map(a => ({
      AliasName: a.name,
      AliasArn: `arn:aws:kms:${a.region}:${a.account}:${a.name}`,
      TargetKeyId: a.targetKeyId,
      CreationDate: epoch(a.creationDate),
      LastUpdatedDate: epoch(a.creationDate),
    })),
    ...rest,
  });
}

function listKeys(ctx: RequestContext) {
  const keys = ctx.state.keysIn(ctx.caller.accountId, ctx.region);
  const { page, ...rest } = paginate(
    ctx,
    keys,
    `keys/${ctx.caller.accountId}/${ctx.region}`,
    1000,
  );
  return compact({
    Keys: page.map(k => ({ KeyId: k.id, KeyArn: k.arn })),
    ...rest,
  });
}

function setEnabled(ctx: RequestContext, enabled: boolean) {
  const k = writableKey(ctx);
  assertNotPendingDeletion(k);
  k.state = enabled ? 'Enabled' : 'Disabled';
  ctx.state.touchDelivery(t => t.kmsKeyArn === k.arn);
  return {};
}

function scheduleKeyDeletion(ctx: RequestContext) {
  const k = writableKey(ctx);
  const days = optionalInt(ctx, 'PendingWindowInDays') ?? 30;
  if (days < 7 || days > 30) {
    throw validation(
      'pendingWindowInDays',
      days,
      days < 7
        ? 'Member must have value greater than or equal to 7'
        : 'Member must have value less than or equal to 30',
    );
  }
  assertNotPendingDeletion(k);
  k.state = 'PendingDeletion';
  k.pendingWindowInDays = days;
  k.deletionDate = new Date(ctx.now.getTime() + days * DAY);
  ctx.state.touchDelivery(t => t.kmsKeyArn === k.arn);
  return {
    KeyId: k.arn,
    DeletionDate: epoch(k.deletionDate),
    KeyState: k.state,
    PendingWindowInDays: days,
  };
}

function cancelKeyDeletion(ctx: RequestContext) {
  const k = writableKey(ctx);
  if (k.state !== 'PendingDeletion') {
    throw new AwsError(
      'KMSInvalidStateException',
      `${k.arn} is not pending deletion.`,
    );
  }
  k.state = 'Disabled';
  k.deletionDate = undefined;
  k.pendingWindowInDays = undefined;
  ctx.state.touchDelivery(t => t.kmsKeyArn === k.arn);
  return { KeyId: k.arn };
}

export const kmsHandlers: Record<string, Handler> = {
  CreateKey: createKey,
  DescribeKey: ctx => ({ KeyMetadata: keyMetadata(ctx, key(ctx)) }),
  GetKeyPolicy: ctx => {
    const k = key(ctx);
    return { Policy: k.policy, PolicyName: policyName(ctx) };
  },
  PutKeyPolicy: putKeyPolicy,
  GetKeyRotationStatus: rotationStatus,
  EnableKeyRotation: ctx => setRotation(ctx, true),
  DisableKeyRotation: ctx => setRotation(ctx, false),
  ListGrants: listGrants,
  CreateAlias: createAlias,
  ListAliases: listAliases,
  ListKeys: listKeys,
  EnableKey: ctx => setEnabled(ctx, true),
  DisableKey: ctx => setEnabled(ctx, false),
  ScheduleKeyDeletion: scheduleKeyDeletion,
  CancelKeyDeletion: cancelKeyDeletion,
  ReplicateKey: replicateKey,
};
