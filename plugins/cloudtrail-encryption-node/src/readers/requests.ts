import type { ContextValue } from '../analysis/conditions';
import {
  CLOUDTRAIL_CONTEXT_KEY,
  KnownKeys,
  logObjectArnPattern,
  objectArnValue,
  S3_CONTEXT_KEY,
  s3ServiceName,
} from '../analysis/requestContext';
import { parseArn } from '../policy/arn';
import type { PrincipalRef, Request } from './statements';
import type { OrganizationPolicies, ReaderAnalysisInput } from './types';
import { AccountIdSet } from '../policy/accountIdSet';
import { ObjectMemo } from '../policy/objectMemo';

/**
 * The two requests reading a log file takes, as AWS makes them:
 * `s3:GetObject` on `arn:aws:s3:::BUCKET/[PREFIX/]AWSLogs/…/CloudTrail/…`
 * by the reader, then `kms:Decrypt` that S3 makes on the reader's behalf
 * with kms:ViaService = s3.<bucket Region>.amazonaws.com, kms:CallerAccount
 * = the reader's account and the log file's encryption context
 * (aws:cloudtrail:arn and aws:s3:arn).
 *
 * Keys the reader chooses are set to what a reader would send: TLS
 * (aws:SecureTransport true). Keys nobody can know ahead (source IP, VPC
 * endpoint, tags, MFA) stay undetermined, so conditions on them are kept.
 */

const present = (...values: string[]): ContextValue => ({
  present: true,
  values,
});
const ABSENT: ContextValue = { present: false };

const trustedSets = new ObjectMemo<
  string[],
  {
    trusted: ReadonlySet<string>;
    inside: WeakMap<ReadonlySet<string>, ReadonlySet<string>>;
  }
>();

/**
 * The accounts that count as ours. The trusted accounts are the whole
 * estate and the same list for every batch of a scan: their set is built
 * once and only the few members of a batch are added. An organization's
 * members given whole (every trail of a scan that admits the organization
 * is analysed with them) are joined to it once, not once per trail.
 */
function insideSet(members: ReadonlySet<string>, trusted: string[] = []) {
  let known = trustedSets.get(trusted);
  if (!known) {
    known = { trusted: new AccountIdSet(trusted), inside: new WeakMap() };
    trustedSets.set(trusted, known);
  }
  const set = known.trusted;
  let inside = known.inside.get(members);
  if (!inside) {
    let all = true;
    for (const m of members) {
      if (!set.has(m)) {
        all = false;
        break;
      }
    }
    inside = all ? set : new AccountIdSet([...set, ...members]);
    known.inside.set(members, inside);
  }
  return inside;
}

const memberSets = new ObjectMemo<OrganizationPolicies, ReadonlySet<string>>();

/** The organization's accounts, once per organization object. */
function membersOf(org: OrganizationPolicies | undefined): ReadonlySet<string> {
  if (!org) return new Set();
  let members = memberSets.get(org);
  if (!members) {
    members = new AccountIdSet([
      ...org.memberAccountIds,
      org.managementAccountId,
    ]);
    memberSets.set(org, members);
  }
  return members;
}

/** What is known about accounts and the organization. */
export class Membership {
  private readonly members: ReadonlySet<string>;
  /**
   * The accounts that count as ours: with `known` and the organization's
   * id, all that {@link Membership.isOutside} answers from. The same set
   * for every batch of a scan whose members are all trusted accounts.
   */
  readonly inside: ReadonlySet<string>;
  readonly known: boolean;

  constructor(private readonly input: ReaderAnalysisInput) {
    const org: OrganizationPolicies | undefined = input.organization;
    this.members = membersOf(org);
    this.inside = insideSet(this.members, input.trustedAccountIds);
    this.known = !!org || (input.trustedAccountIds ?? []).length > 0;
  }

  get organizationId(): string | undefined {
    return this.input.organization?.organizationId ?? this.input.organizationId;
  }

  isMember(accountId: string): boolean {
    return this.members.has(accountId);
  }

  /** Known not to be ours: outside the organization and not trusted. */
  isOutside(accountId: string): boolean {
    return this.known && !this.inside.has(accountId);
  }

  /** `aws:PrincipalOrgID`-style keys of an account (prefix `aws:principal`, `aws:resource`). */
  orgKeys(prefix: string, accountId: string | undefined) {
    const org = this.input.organization;
    const keys: Record<string, ContextValue | undefined> = {};
    if (!org || !accountId) return keys;
    if (!this.isMember(accountId)) {
      // In some other organization or none: ours is excluded.
      keys[`${prefix}orgid`] = {
        present: 'partial',
        mayBeAbsent: true,
        excludes: value => value === org.organizationId,
      };
      return keys;
    }
    keys[`${prefix}orgid`] = present(org.organizationId);
    const parents = org.parentsByAccount[accountId];
    if (parents) {
      keys[`${prefix}orgpaths`] = present(
        `${[org.organizationId, ...parents].join('/')}/`,
      );
    }
    return keys;
  }
}

/**
 * The keys of {@link principalKeys} whose value differs between two IAM
 * principals of one account; every other key is the same for the whole
 * account. A resource policy that reads none of them (and names no role or
 * user of the account) decides alike for all of the account's principals.
 */
export const PRINCIPAL_SPECIFIC_KEYS: ReadonlySet<string> = new Set([
  'aws:principalarn',
  'aws:principaltype',
  'aws:username',
]);

/**
 * The keys of a principal's requests that every principal of its account
 * shares: made once per account, not once per principal.
 */
function accountKeys(accountId: string, membership: Membership) {
  return {
    'aws:principalaccount': present(accountId),
    'aws:principalisawsservice': present('false'),
    'aws:principalservicename': ABSENT,
    'aws:sourcearn': ABSENT,
    'aws:sourceaccount': ABSENT,
    'aws:securetransport': present('true'),
    ...membership.orgKeys('aws:principal', accountId),
  };
}

/** The keys of {@link PRINCIPAL_SPECIFIC_KEYS}: the principal's own. */
function principalKeys(principal: PrincipalRef) {
  return {
    'aws:principalarn': present(principal.arn),
    'aws:principaltype': present(
      principal.kind === 'iam-role' ? 'AssumedRole' : 'User',
    ),
    'aws:username':
      principal.kind === 'iam-user' ? present(principal.name) : ABSENT,
  };
}

export interface ReaderRequests {
  objectPattern: string;
  read: (principal: PrincipalRef) => Request;
  decrypt: (principal: PrincipalRef) => Request;
}

export function readerRequests(
  input: ReaderAnalysisInput,
  membership: Membership,
): ReaderRequests {
  const { trail, key } = input;
  const objectPattern = logObjectArnPattern({
    trailArn: trail.trailArn,
    trailOwnerAccountId: trail.ownerAccountId,
    bucketName: trail.s3BucketName,
    s3KeyPrefix: trail.s3KeyPrefix,
    isOrganizationTrail: trail.isOrganizationTrail,
    organizationId: membership.organizationId,
  });
  const bucketOwner = input.bucket.ownerAccountId;
  const keyRegion = parseArn(key.arn)?.region;
  const encryptionContext = {
    [CLOUDTRAIL_CONTEXT_KEY]: present(trail.trailArn),
    [S3_CONTEXT_KEY]: objectArnValue(objectPattern),
  };
  // What does not depend on the principal, once per trail.
  const readKeys = {
    'aws:resourceaccount': bucketOwner ? present(bucketOwner) : undefined,
    ...membership.orgKeys('aws:resource', bucketOwner),
    'aws:viaawsservice': present('false'),
    'aws:calledvia': ABSENT,
    'aws:requestedregion': trail.bucketRegion
      ? present(trail.bucketRegion)
      : undefined,
  };
  const decryptKeys = {
    'kms:viaservice': trail.bucketRegion
      ? present(s3ServiceName(trail.bucketRegion))
      : undefined,
    'kms:encryptioncontextkeys': present(
      CLOUDTRAIL_CONTEXT_KEY,
      S3_CONTEXT_KEY,
    ),
    'kms:encryptionalgorithm': present('SYMMETRIC_DEFAULT'),
    'aws:resourceaccount': present(key.accountId),
    ...membership.orgKeys('aws:resource', key.accountId),
    'aws:viaawsservice': present('true'),
    'aws:requestedregion': keyRegion ? present(keyRegion) : undefined,
  };
  // Each request's context is the principal's own keys, then its
  // account's, then the trail's: an account's principals are analysed one
  // after another, so the account's are made once for all of them, and
  // both requests of a principal share its own.
  const readTrail = new KnownKeys(readKeys);
  const decryptTrail = new KnownKeys(decryptKeys, encryptionContext);
  let account:
    | { accountId: string; read: KnownKeys; decrypt: KnownKeys }
    | undefined;
  const accountOf = (accountId: string) => {
    if (account?.accountId !== accountId) {
      const keys = accountKeys(accountId, membership);
      account = {
        accountId,
        read: new KnownKeys(keys, undefined, readTrail),
        decrypt: new KnownKeys(
          { ...keys, 'kms:calleraccount': present(accountId) },
          undefined,
          decryptTrail,
        ),
      };
    }
    return account;
  };
  let lastPrincipal: PrincipalRef | undefined;
  let lastKeys: ReturnType<typeof principalKeys> | undefined;
  const keysOf = (principal: PrincipalRef) => {
    if (lastPrincipal !== principal || !lastKeys) {
      lastPrincipal = principal;
      lastKeys = principalKeys(principal);
    }
    return lastKeys;
  };
  const readResource = { pattern: objectPattern };
  const decryptResource = { arn: key.arn };
  return {
    objectPattern,
    read: principal => ({
      action: 's3:GetObject',
      resource: readResource,
      context: new KnownKeys(
        keysOf(principal),
        undefined,
        accountOf(principal.accountId).read,
      ),
    }),
    decrypt: principal => ({
      action: 'kms:Decrypt',
      resource: decryptResource,
      context: new KnownKeys(
        keysOf(principal),
        undefined,
        accountOf(principal.accountId).decrypt,
      ),
    }),
  };
}
