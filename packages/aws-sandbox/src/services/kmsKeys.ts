import {
  callerPrincipals,
  parsePolicy,
  policyAllows,
  policyDocumentProblem,
} from '../policy';
import { notAuthorized, RequestContext } from '../server/context';
import { AwsError, compact, epoch } from '../server/protocol';
import { keyArn, KeyRecord } from '../state/records';

const ARN_RE = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;

/** Encryption / signing / MAC algorithms per key spec and usage. */
const SPECS: Record<string, Record<string, Record<string, string[]>>> = {
  SYMMETRIC_DEFAULT: {
    ENCRYPT_DECRYPT: { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] },
  },
  ...Object.fromEntries(
    ['RSA_2048', 'RSA_3072', 'RSA_4096'].map(s => [
      s,
      {
        ENCRYPT_DECRYPT: {
          EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
        },
        SIGN_VERIFY: {
          SigningAlgorithms: [
            'RSASSA_PKCS1_V1_5_SHA_256',
            'RSASSA_PKCS1_V1_5_SHA_384',
            'RSASSA_PKCS1_V1_5_SHA_512',
            'RSASSA_PSS_SHA_256',
            'RSASSA_PSS_SHA_384',
            'RSASSA_PSS_SHA_512',
          ],
        },
      },
    ]),
  ),
  ECC_NIST_P256: { SIGN_VERIFY: { SigningAlgorithms: ['ECDSA_SHA_256'] } },
  ECC_NIST_P384: { SIGN_VERIFY: { SigningAlgorithms: ['ECDSA_SHA_384'] } },
  ECC_NIST_P521: { SIGN_VERIFY: { SigningAlgorithms: ['ECDSA_SHA_512'] } },
  ECC_SECG_P256K1: { SIGN_VERIFY: { SigningAlgorithms: ['ECDSA_SHA_256'] } },
  HMAC_224: { GENERATE_VERIFY_MAC: { MacAlgorithms: ['HMAC_SHA_224'] } },
  HMAC_256: { GENERATE_VERIFY_MAC: { MacAlgorithms: ['HMAC_SHA_256'] } },
  HMAC_384: { GENERATE_VERIFY_MAC: { MacAlgorithms: ['HMAC_SHA_384'] } },
  HMAC_512: { GENERATE_VERIFY_MAC: { MacAlgorithms: ['HMAC_SHA_512'] } },
};

export function keySpecAlgorithms(spec: string, usage: string) {
  return SPECS[spec]?.[usage];
}

export function defaultUsage(spec: string): string | undefined {
  const usages = Object.keys(SPECS[spec] ?? {});
  return usages.length === 1 ? usages[0] : undefined;
}

export function notFound(message: string): AwsError {
  return new AwsError('NotFoundException', message);
}

/**
 * Finds the key a KeyId names (key id, key ARN, alias name or alias ARN) in
 * the request Region, then checks that the caller may use it for `action`.
 */
export function resolveKey(
  ctx: RequestContext,
  raw: string,
  action = ctx.api,
): KeyRecord {
  const st = ctx.state;
  let account = ctx.caller.accountId;
  let region = ctx.region;
  let kind: 'key' | 'alias' = raw.startsWith('alias/') ? 'alias' : 'key';
  let name = raw;
  if (raw.startsWith('arn:')) {
    const m = ARN_RE.exec(raw);
    if (!m) throw notFound(`Invalid arn ${raw}`);
    [, region, account] = m;
    kind = m[3] as 'key' | 'alias';
    name = kind === 'alias' ? `alias/${m[4]}` : m[4];
    if (region !== ctx.region) throw notFound(`Invalid arn ${region}`);
  }
  let key: KeyRecord | undefined;
  if (kind === 'alias') {
    const alias = st.aliases.find(
      a => a.account === account && a.region === region && a.name === name,
    );
    if (!alias) {
      throw notFound(
        `Alias arn:aws:kms:${region}:${account}:${name} is not found.`,
      );
    }
    key = st.keys.get(keyArn(region, account, alias.targetKeyId));
  } else {
    key = st.keys.get(keyArn(region, account, name));
  }
  if (!key) {
    throw notFound(`Key '${keyArn(region, account, name)}' does not exist`);
  }
  checkKeyAccess(ctx, key, action);
  return key;
}

/**
 * Same-account callers pass when the key policy delegates to the account or
 * names them; other accounts need an Allow naming their account or role.
 * Unreadable policies are treated as delegating to the owner only.
 */
export function checkKeyAccess(
  ctx: RequestContext,
  key: KeyRecord,
  action: string,
) {
  const doc = parsePolicy(key.policy);
  const caller = ctx.caller;
  const sameAccount = key.account === caller.accountId;
  const allowed = doc
    ? policyAllows(doc, {
        action,
        resource: key.arn,
        awsPrincipals: callerPrincipals(caller.accountId, caller.principalArn),
        context: {
          'kms:CallerAccount': caller.accountId,
          'aws:PrincipalAccount': caller.accountId,
          'aws:PrincipalArn': caller.principalArn,
        },
      })
    : sameAccount;
  if (!allowed) {
    throw new AwsError('AccessDeniedException', notAuthorized(ctx, key.arn));
  }
}

export function assertNotPendingDeletion(key: KeyRecord) {
  if (key.state === 'PendingDeletion') {
    throw new AwsError(
      'KMSInvalidStateException',
      `${key.arn} is pending deletion.`,
    );
  }
}

export function keyMetadata(ctx: RequestContext, key: KeyRecord) {
  const algorithms = keySpecAlgorithms(key.keySpec, key.keyUsage) ?? {};
  let mrc: Record<string, unknown> | undefined;
  if (key.multiRegion) {
    const primaryRegion = key.primaryRegion ?? key.region;
    const primary = ctx.state.keys.get(
      keyArn(primaryRegion, key.account, key.id),
    );
    mrc = {
      MultiRegionKeyType: key.multiRegionType ?? 'PRIMARY',
      PrimaryKey: {
        Arn: keyArn(primaryRegion, key.account, key.id),
        Region: primaryRegion,
      },
      ReplicaKeys: (primary?.replicaRegions ?? key.replicaRegions).map(r => ({
        Arn: keyArn(r, key.account, key.id),
        Region: r,
      })),
    };
  }
  return compact({
    AWSAccountId: key.account,
    KeyId: key.id,
    Arn: key.arn,
    CreationDate: epoch(key.creationDate),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
    DeletionDate:
      key.state === 'PendingDeletion' ? epoch(key.deletionDate) : undefined,
    Origin: 'AWS_KMS',
    KeyManager: key.keyManager ?? 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    ...algorithms,
    MultiRegion: key.multiRegion,
    MultiRegionConfiguration: mrc,
    PendingDeletionWindowInDays:
      key.state === 'PendingDeletion' ? key.pendingWindowInDays : undefined,
  });
}

const MAX_POLICY_BYTES = 32768;

/** Checks a new key policy the way PutKeyPolicy and CreateKey do. */
export function validateNewPolicy(
  ctx: RequestContext,
  policy: unknown,
  bypassLockoutCheck: boolean,
  forKeyArn?: string,
): string {
  if (typeof policy !== 'string' || policy.length === 0) {
    throw new AwsError(
      'ValidationException',
      "1 validation error detected: Value null at 'policy' failed to satisfy constraint: Member must not be null",
    );
  }
  if (Buffer.byteLength(policy, 'utf8') > MAX_POLICY_BYTES) {
    throw new AwsError(
      'LimitExceededException',
      `Policy size of ${Buffer.byteLength(
        policy,
        'utf8',
      )} bytes exceeds the limit of ${MAX_POLICY_BYTES} bytes.`,
    );
  }
  const doc = parsePolicy(policy);
  if (!doc) {
    throw new AwsError(
      'MalformedPolicyDocumentException',
      'The new key policy is not a valid JSON policy document with a Statement element.',
    );
  }
  const problem = policyDocumentProblem(doc);
  if (problem) throw new AwsError('MalformedPolicyDocumentException', problem);
  const caller = ctx.caller;
  const canStillManage = policyAllows(doc, {
    action: 'kms:PutKeyPolicy',
    resource: forKeyArn,
    awsPrincipals: callerPrincipals(caller.accountId, caller.principalArn),
    context: { 'kms:CallerAccount': caller.accountId },
  });
  if (!bypassLockoutCheck && !canStillManage) {
    throw new AwsError(
      'MalformedPolicyDocumentException',
      'The new key policy will not allow you to update the key policy in the future.',
    );
  }
  return policy;
}
