import {
  consoleLinks,
  parseArn,
  type DecryptPrincipal,
  type KmsKeyInfo,
  type PolicyCondition,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/** Last path segment of an IAM resource, so `role/path/Auditor` reads `Auditor`. */
function iamName(arn: string, resourceType: 'role' | 'user'): string {
  const [type, ...path] = parseArn(arn)?.resource.split('/') ?? [];
  return (type === resourceType && path.pop()) || arn;
}

/** Roles assumed through STS appear as `assumed-role/Role/session`. */
function roleName(arn: string): string {
  const [type, role, ...session] = parseArn(arn)?.resource.split('/') ?? [];
  if (type === 'assumed-role' && role && session.length > 0) {
    return `${role} (session ${session.join('/')})`;
  }
  return iamName(arn, 'role');
}

export interface PrincipalDescription {
  label: string;
  /** Readable by anyone with AWS credentials: shown as a red flag. */
  isPublic: boolean;
  /** Belongs to an account other than the one being reported on. */
  isCrossAccount: boolean;
}

export function describePrincipal(
  principal: DecryptPrincipal,
  reportAccountId: string,
): PrincipalDescription {
  const { accountId } = principal;
  const isCrossAccount =
    accountId !== undefined &&
    accountId !== reportAccountId &&
    principal.kind !== 'service';
  const inAccount =
    accountId && accountId !== reportAccountId
      ? ` in account ${accountId}`
      : '';
  const plain = (label: string) => ({
    label,
    isPublic: false,
    isCrossAccount,
  });

  switch (principal.kind) {
    case 'iam-role':
      return plain(`Role ${roleName(principal.principal)}${inAccount}`);
    case 'iam-user':
      return plain(`User ${iamName(principal.principal, 'user')}${inAccount}`);
    case 'account-root': {
      const account = accountId ?? principal.principal;
      return plain(
        principal.via === 'iam-delegation'
          ? `Any IAM principal in account ${account} allowed by its IAM policies`
          : `Root user of account ${account}`,
      );
    }
    case 'service':
      return plain(`Service ${principal.principal}`);
    case 'federated':
      return plain(`Federated principal ${principal.principal}`);
    case 'any':
      return principal.organizationId
        ? plain(`Any principal in organization ${principal.organizationId}`)
        : {
            label: 'Any AWS principal (public)',
            isPublic: true,
            isCrossAccount: false,
          };
    default:
      return plain(principal.principal);
  }
}

export function formatCondition(condition: PolicyCondition): string {
  return `${condition.operator} ${condition.key}: ${condition.values.join(
    ', ',
  )}`;
}

/** Key id from the key itself, else from a `…:key/<id>` ARN. */
export function kmsKeyId(key: KmsKeyInfo): string | undefined {
  return key.keyId ?? key.arn.match(/:key\/(.+)$/)?.[1];
}

/** What people recognise a key by: its alias, else its id. */
export function kmsKeyLabel(key: KmsKeyInfo): string {
  return key.aliases?.[0] ?? kmsKeyId(key) ?? key.arn;
}

/**
 * The key's page in the KMS console of its own partition and Region; a key
 * known by an alias ARN links through its key id when the report has it.
 */
export function kmsConsoleUrl(key: KmsKeyInfo): string | undefined {
  const direct = consoleLinks.key(key.arn);
  if (direct || !key.keyId) return direct;
  const arn = parseArn(key.arn);
  return arn
    ? consoleLinks.key(
        `arn:${arn.partition}:kms:${arn.region}:${arn.accountId}:key/${key.keyId}`,
      )
    : undefined;
}
