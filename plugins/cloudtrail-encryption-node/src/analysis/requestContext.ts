import type { ContextValue, RequestContext } from './conditions';
import { CLOUDTRAIL_SERVICE_PRINCIPAL } from '../policy/cloudTrailStatements';
import { relatePattern } from '../policy/patterns';
import { hasWildcard } from '../policy/wildcard';

/**
 * What the evaluation is about.
 *
 * @public
 */
export interface KeyPolicyContext {
  trailArn: string;
  /** The account that owns the trail (the management account for organization trails). */
  trailOwnerAccountId: string;
  keyArn: string;
  keyAccountId: string;
  /**
   * The estate's organization, when known. With it, aws:PrincipalOrgID,
   * aws:PrincipalOrgPaths, aws:ResourceOrgID and aws:SourceOrgID are decided
   * for accounts known to be members; without it they stay conditions.
   */
  organizationId?: string;
  /** Accounts known to be members of `organizationId`. */
  organizationAccountIds?: string[];
  /**
   * Where the log files are written, when known: they make the object ARN
   * in the encryption context (`aws:s3:arn`) a known pattern instead of any
   * object, and decide kms:ViaService (`s3.<bucketRegion>.amazonaws.com`).
   */
  bucketName?: string;
  s3KeyPrefix?: string;
  bucketRegion?: string;
  isOrganizationTrail?: boolean;
}

const present = (...values: string[]): ContextValue => ({
  present: true,
  values,
});
const ABSENT: ContextValue = { present: false };

/**
 * CloudTrail's service principal (the same name in every partition).
 *
 * @public
 */
export const CLOUDTRAIL_SERVICE = CLOUDTRAIL_SERVICE_PRINCIPAL;
/** @public */
export const CLOUDTRAIL_CONTEXT_KEY = 'aws:cloudtrail:arn';

/** The encryption-context key S3 adds: the object's ARN. */
export const S3_CONTEXT_KEY = 'aws:s3:arn';

/**
 * The ARNs of the trail's log files as one pattern:
 * `arn:aws:s3:::BUCKET/[PREFIX/]AWSLogs/ACCOUNT/CloudTrail/REGION/…`, or
 * `AWSLogs/o-ORGID/ACCOUNT/…` for an organization trail. Unknown parts are
 * `*`.
 */
export function logObjectArnPattern(context: {
  trailArn: string;
  trailOwnerAccountId: string;
  bucketName?: string;
  s3KeyPrefix?: string;
  isOrganizationTrail?: boolean;
  organizationId?: string;
}): string {
  const partition = context.trailArn.split(':')[1] || 'aws';
  const prefix = context.s3KeyPrefix
    ? `${context.s3KeyPrefix.replace(/^\/+|\/+$/g, '')}/`
    : '';
  let owner = context.trailOwnerAccountId;
  if (context.isOrganizationTrail) {
    owner = `${context.organizationId ?? '*'}/*`;
  } else if (context.isOrganizationTrail === undefined && !context.bucketName) {
    owner = '*';
  }
  const bucket = context.bucketName ?? '*';
  return `arn:${partition}:s3:::${bucket}/${prefix}AWSLogs/${owner}/CloudTrail/*`;
}

/** `aws:s3:arn` of a log file: a pattern, decided where the pattern decides. */
export function objectArnValue(pattern: string): ContextValue {
  return {
    present: 'partial',
    mayBeAbsent: false,
    excludes: policyValue =>
      relatePattern(policyValue, pattern, true) === 'disjoint',
    relate: (policyValue, wildcards) =>
      relatePattern(policyValue, pattern, wildcards),
  };
}

/** The encryption context of every log file: both pairs, the object as a pattern. */
function logEncryptionContext(context: KeyPolicyContext) {
  return {
    [CLOUDTRAIL_CONTEXT_KEY]: present(context.trailArn),
    [S3_CONTEXT_KEY]: objectArnValue(logObjectArnPattern(context)),
  };
}

const logContextKeys = () => present(CLOUDTRAIL_CONTEXT_KEY, S3_CONTEXT_KEY);

const ENCRYPTION_CONTEXT_PREFIX = 'kms:encryptioncontext:';

/** What is known about the principal making a decrypt request. */
export interface PrincipalFacts {
  type: 'aws' | 'service' | 'federated' | 'unknown';
  accountId?: string;
  principalArn?: string;
  organizationId?: string;
  service?: string;
}

/**
 * A request's context as far as it is known: its own keys (a key set to
 * undefined is undetermined), then, in a chain, whatever `next` answers.
 * The last of a chain knows the encryption context, whose other pairs are
 * known to be absent.
 */
export class KnownKeys implements RequestContext {
  constructor(
    private readonly known: Record<string, ContextValue | undefined>,
    private readonly encryptionContext?: Record<string, ContextValue>,
    /**
     * Asked for every key `known` does not hold: keys shared by many
     * requests (an account's, a trail's) are kept once and not copied into
     * each request. The two hold no key in common.
     */
    private readonly next?: RequestContext,
  ) {}

  lookup(key: string): ContextValue | undefined {
    if (key in this.known) return this.known[key];
    if (this.next) return this.next.lookup(key);
    if (key.startsWith(ENCRYPTION_CONTEXT_PREFIX)) {
      // The whole encryption context is known, so any other pair is absent.
      const contextKey = key.slice(ENCRYPTION_CONTEXT_PREFIX.length);
      const entry = Object.entries(this.encryptionContext ?? {}).find(
        ([name]) => name.toLowerCase() === contextKey,
      );
      return entry ? entry[1] : ABSENT;
    }
    return undefined;
  }
}

/** The organization an account is known to belong to (only ours is ever known). */
function knownOrganization(
  context: KeyPolicyContext,
  accountId: string | undefined,
): string | undefined {
  if (!context.organizationId || !accountId) return undefined;
  return context.organizationAccountIds?.includes(accountId)
    ? context.organizationId
    : undefined;
}

/**
 * An organization path (`o-…/r-…/ou-…/`) of a request in organization
 * `organizationId`: the OUs are not known, so only a policy path naming
 * another organization is known not to match.
 */
function pathsIn(organizationId: string | undefined): ContextValue | undefined {
  if (!organizationId) return undefined;
  return {
    present: 'partial',
    mayBeAbsent: false,
    excludes: policyPath => {
      const org = policyPath.split('/')[0];
      return !hasWildcard(org) && org !== organizationId;
    },
  };
}

/**
 * The request CloudTrail makes for this trail: GenerateDataKey carries the
 * log file's encryption context (aws:cloudtrail:arn and aws:s3:arn),
 * DescribeKey none. Both carry aws:SourceArn and
 * aws:SourceAccount. A service principal belongs to no organization, so
 * organization keys are absent (which is what makes an unguarded
 * "deny outside my organization" statement lock CloudTrail out).
 * kms:ViaService and kms:CallerAccount are left undetermined.
 */
export function cloudTrailServiceContext(
  context: KeyPolicyContext,
  operation: 'encrypt' | 'describe',
): RequestContext {
  const encryptionContext =
    operation === 'encrypt' ? logEncryptionContext(context) : undefined;
  return new KnownKeys(
    {
      'aws:sourcearn': present(context.trailArn),
      'aws:sourceaccount': present(context.trailOwnerAccountId),
      'aws:principalisawsservice': present('true'),
      'aws:principalservicename': present(CLOUDTRAIL_SERVICE),
      'aws:principalorgid': ABSENT,
      'aws:principalorgpaths': ABSENT,
      'aws:resourceaccount': present(context.keyAccountId),
      ...organizationKeys(context, 'aws:resource', context.keyAccountId),
      ...organizationKeys(context, 'aws:source', context.trailOwnerAccountId),
      'kms:encryptioncontextkeys': encryptionContext
        ? logContextKeys()
        : ABSENT,
    },
    encryptionContext ?? {},
  );
}

/** `<prefix>orgid` and `<prefix>orgpaths` of an account, when its organization is known. */
function organizationKeys(
  context: KeyPolicyContext,
  prefix: 'aws:resource' | 'aws:source' | 'aws:principal',
  accountId: string | undefined,
  pinned?: string,
): Record<string, ContextValue | undefined> {
  const organizationId = pinned ?? knownOrganization(context, accountId);
  if (!organizationId) return {};
  return {
    [`${prefix}orgid`]: present(organizationId),
    [`${prefix}orgpaths`]: pathsIn(organizationId),
  };
}

/**
 * A kms:Decrypt of one of the trail's log files by the given principal.
 * aws:SourceArn/aws:SourceAccount are only set on requests a service makes
 * as itself, so they are absent for IAM principals. Logs are read through
 * Amazon S3, whose calls carry kms:ViaService = s3.<bucket Region>.amazonaws.com:
 * decided when the bucket's Region is known, undetermined otherwise.
 */
export function decryptContext(
  context: KeyPolicyContext,
  facts: PrincipalFacts,
): RequestContext {
  const isAws = facts.type === 'aws';
  const isService = facts.type === 'service';
  const valueOr = (value: string | undefined, otherwise?: ContextValue) =>
    value === undefined ? otherwise : present(value);
  // Only AWS principals are known to lack service-only keys, and only
  // services are known to lack organization keys.
  const absentFor = (known: boolean) => (known ? ABSENT : undefined);
  const known: Record<string, ContextValue | undefined> = {
    'kms:encryptioncontextkeys': logContextKeys(),
    'kms:viaservice': context.bucketRegion
      ? present(s3ServiceName(context.bucketRegion))
      : undefined,
    'aws:resourceaccount': present(context.keyAccountId),
    'aws:sourcearn': absentFor(isAws),
    'aws:sourceaccount': absentFor(isAws),
    'kms:calleraccount': valueOr(facts.accountId),
    'aws:principalaccount': valueOr(facts.accountId),
    'aws:principalarn': valueOr(facts.principalArn),
    'aws:principalorgid': absentFor(isService),
    'aws:sourceorgid': absentFor(isAws),
    'aws:sourceorgpaths': absentFor(isAws),
    ...organizationKeys(context, 'aws:resource', context.keyAccountId),
    ...(isAws
      ? organizationKeys(
          context,
          'aws:principal',
          facts.accountId,
          facts.organizationId,
        )
      : {}),
    'aws:principalisawsservice':
      isAws || isService ? present(String(isService)) : undefined,
    'aws:principalservicename': valueOr(
      isService ? facts.service ?? '' : undefined,
      absentFor(isAws),
    ),
  };
  return new KnownKeys(known, logEncryptionContext(context));
}

/** The kms:ViaService value of S3 in a Region (China Regions end in .com.cn). */
export function s3ServiceName(region: string): string {
  return region.startsWith('cn-')
    ? `s3.${region}.amazonaws.com.cn`
    : `s3.${region}.amazonaws.com`;
}
