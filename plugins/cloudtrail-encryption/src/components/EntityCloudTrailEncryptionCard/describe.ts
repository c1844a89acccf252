import type {
  DecryptPrincipal,
  KmsKeyInfo,
  PolicyCondition,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/** Last path segment of an IAM resource, so `role/path/Auditor` reads `Auditor`. */
function iamName(arn: string, resourceType: 'role' | 'user'): string {
  const marker = `:${resourceType}/`;
  const index = arn.indexOf(marker);
  if (index === -1) return arn;
  return (
    arn
      .slice(index + marker.length)
      .split('/')
      .pop() || arn
  );
}

/** Roles assumed through STS appear as `assumed-role/Role/session`. */
function roleName(arn: string): string {
  const assumed = arn.match(/:assumed-role\/([^/]+)\/(.+)$/);
  if (assumed) return `${assumed[1]} (session ${assumed[2]})`;
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

export function kmsConsoleUrl(key: KmsKeyInfo): string | undefined {
  const id = kmsKeyId(key);
  if (!id || !key.region) return undefined;
  const region = encodeURIComponent(key.region);
  return `https://console.aws.amazon.com/kms/home?region=${region}#/kms/keys/${encodeURIComponent(
    id,
  )}`;
}
