import {
  parseArn,
  type EffectiveReader,
  type ReaderPathLayer,
  type ReaderPathStep,
  type ReaderTrustee,
  type TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/**
 * What people call an IAM role, user or group: the last segment of its path
 * (`role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_…` reads
 * `AWSReservedSSO_Admin_…`); anything else as written.
 */
export function iamPrincipalName(arn: string): string {
  const resource = parseArn(arn)?.resource;
  const match = resource?.match(/^(?:role|user|group)\/(?:.*\/)?([^/]+)$/);
  return match?.[1] ?? arn;
}

/** `payments-prod (100000000001)`, or the bare id when the name is unknown. */
export function accountLabel(accountId: string, accountName?: string): string {
  return accountName && accountName !== accountId
    ? `${accountName} (${accountId})`
    : accountId;
}

const LAYER_LABELS: Record<ReaderPathLayer, string> = {
  'key-policy': 'Key policy',
  grant: 'KMS grant',
  'identity-policy': 'Identity policy',
  'bucket-policy': 'Bucket policy',
  'permission-boundary': 'Permission boundary',
  scp: 'Service control policy',
  rcp: 'Resource control policy',
};

export interface PathStepDescription {
  layer: string;
  /** The policy as people know it; `policyId` keeps the full reference. */
  policy?: string;
  policyId?: string;
  statement: string;
  /** `on role X` for inline and group policies. */
  attachedTo?: string;
}

function attachedToLabel(arn: string): string {
  const type = parseArn(arn)?.resource.split('/')[0];
  const name = iamPrincipalName(arn);
  return type === 'role' || type === 'user' || type === 'group'
    ? `${type} ${name}`
    : name;
}

/** The policy of a step: a managed policy by name, an inline one as such. */
function policyLabel(step: ReaderPathStep): string | undefined {
  // The key and bucket policies are named by the layer already.
  if (step.layer === 'key-policy' || step.layer === 'bucket-policy') {
    return undefined;
  }
  const inline = step.policy.match(/^inline:(.+)$/);
  if (inline) return inline[1];
  const arn = parseArn(step.policy);
  if (arn?.service === 'iam') {
    const name = arn.resource.split('/').pop() ?? step.policy;
    return arn.accountId === 'aws' ? `${name} (AWS managed)` : name;
  }
  return step.policy;
}

export function describePathStep(step: ReaderPathStep): PathStepDescription {
  const policy = policyLabel(step);
  const inline = step.policy.startsWith('inline:');
  return {
    layer:
      inline && step.layer === 'identity-policy'
        ? 'Inline policy'
        : LAYER_LABELS[step.layer] ?? step.layer,
    policy,
    policyId: policy && policy !== step.policy ? step.policy : undefined,
    statement: /^#\d+$/.test(step.statement)
      ? `statement ${step.statement}`
      : `statement “${step.statement}”`,
    attachedTo: step.attachedTo
      ? `on ${attachedToLabel(step.attachedTo)}`
      : undefined,
  };
}

export interface TrusteeDescription {
  label: string;
  /** Anyone, or any AWS account: the role is as open as its trust policy. */
  isOpen: boolean;
}

export function describeTrustee(
  trustee: ReaderTrustee,
  accountNames: ReadonlyMap<string, string> = new Map(),
): TrusteeDescription {
  const account = (id?: string) =>
    id ? ` in account ${accountLabel(id, accountNames.get(id))}` : '';
  switch (trustee.kind) {
    case 'any':
      return { label: 'Anyone (any AWS account)', isOpen: true };
    case 'account-root': {
      const id = trustee.accountId ?? trustee.principal;
      return {
        label: `Principals of account ${accountLabel(
          id,
          accountNames.get(id),
        )} allowed by their IAM policies`,
        isOpen: false,
      };
    }
    case 'iam-role':
      return {
        label: `Role ${iamPrincipalName(trustee.principal)}${account(
          trustee.accountId,
        )}`,
        isOpen: false,
      };
    case 'iam-user':
      return {
        label: `User ${iamPrincipalName(trustee.principal)}${account(
          trustee.accountId,
        )}`,
        isOpen: false,
      };
    case 'service':
      return { label: `Service ${trustee.principal}`, isOpen: false };
    case 'federated': {
      if (trustee.permissionSet) {
        return {
          label: `IAM Identity Center users with permission set ${trustee.permissionSet}`,
          isOpen: false,
        };
      }
      // A SAML provider's users, or web identities (an OIDC provider such
      // as GitHub Actions, or a provider named by its host).
      const resource = parseArn(trustee.principal)?.resource;
      const saml = resource?.match(/^saml-provider\/(.+)$/)?.[1];
      if (saml) {
        return { label: `Federated users of ${saml}`, isOpen: false };
      }
      const oidc =
        resource?.match(/^oidc-provider\/(.+)$/)?.[1] ??
        (resource === undefined ? trustee.principal : undefined);
      return {
        label: oidc
          ? `Web identities from ${oidc}`
          : `Federated users of ${trustee.principal}`,
        isOpen: false,
      };
    }
    default:
      return { label: trustee.principal, isOpen: false };
  }
}

/**
 * Who beyond the organization may become a reader role, from its trust
 * policy: anyone, an outside account, or nobody (undefined).
 */
export function assumableFrom(
  reader: EffectiveReader,
): 'anyone' | 'outside' | undefined {
  const trustees = reader.trustedBy ?? [];
  if (trustees.some(t => t.kind === 'any')) return 'anyone';
  if (trustees.some(t => t.outsideOrganization)) return 'outside';
  return undefined;
}

/**
 * Readers in the order a reviewer works through them: those someone outside
 * the organization is or may become first, then other accounts, then by name.
 */
export function sortReaders<T extends EffectiveReader>(readers: T[]): T[] {
  const rank = (reader: T) =>
    (reader.outsideOrganization || assumableFrom(reader) ? 0 : 2) +
    (reader.crossAccount ? 0 : 1);
  return [...readers].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      iamPrincipalName(a.principal).localeCompare(
        iamPrincipalName(b.principal),
      ) ||
      a.principal.localeCompare(b.principal),
  );
}

/** Why a trail's report has no reader analysis, in one line. */
export function whyNoReaders(trail: TrailReport): string {
  if (trail.encryption !== 'SSE-KMS' || !trail.kmsKey) {
    return 'Not analysed: without a KMS key, anyone allowed to read the bucket reads the logs.';
  }
  if (!trail.kmsKey.policyReadable) {
    return 'Not analysed: the key policy could not be read.';
  }
  return 'Not analysed in this report; the next scan lists them.';
}
