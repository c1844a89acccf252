import type {
  EffectiveReader,
  Finding,
  IneffectiveStatement,
  PartialReader,
  ReaderTrustee,
  TrailReaders,
  UnresolvedReaderAccount,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { grantAllowsLogContext } from '../analysis/grants';
import { classifyGrantee } from '../analysis/principals';
import { parsePolicy, ParsedPolicy } from '../policy/document';
import {
  admissionOf,
  Admission,
  DECRYPT_ACTIONS,
  READ_ACTIONS,
  grantAccounts,
} from './accounts';
import { principalsOf, IamPrincipal } from './authorizationDetails';
import { accountClasses, ResourcePolicyVerdicts } from './accountVerdicts';
import { partialFilter, resourcePolicyMayAdmit } from './admits';
import {
  evaluateHalf,
  HalfVerdict,
  identitySignature,
  identityVerdict,
  knownIdentityVerdict,
  orderSteps,
} from './evaluatePrincipal';
import { readerFindings } from './findings';
import { Guardrails } from './organization';
import { Membership, readerRequests } from './requests';
import type { PolicySource } from './statements';
import { trusteesOf } from './trust';
import type { ReaderAccountInput, ReaderAnalysisInput } from './types';
import { anyOf, NO, uniqueConditions, uniqueSteps, Verdict } from './verdict';
import { ObjectMemo } from '../policy/objectMemo';

const MISSING_IAM_PERMISSION = 'iam:GetAccountAuthorizationDetails';
const DENIED: HalfVerdict = { ...NO, broad: false };
/** In a scan, partial readers listed beyond those always listed (see partialFilter). */
export const PARTIAL_LIMIT = 100;

type ParsedResourcePolicy =
  | { ok: true; policy: ParsedPolicy }
  | { ok: false; reason: string };

/** Per document object and kind: a scan analyses a trail a batch of accounts at a time. */
const parsedResourcePolicies = new ObjectMemo<
  object,
  Partial<Record<'key' | 'resource', ParsedResourcePolicy>>
>();

function parseResourcePolicy(
  policy: unknown,
  kind: 'key' | 'resource',
): ParsedResourcePolicy {
  const keyed = typeof policy === 'object' && policy !== null;
  const known = keyed ? parsedResourcePolicies.get(policy) : undefined;
  const cached = known?.[kind];
  if (cached) return cached;
  let result: ParsedResourcePolicy;
  try {
    result = parsePolicy(policy, { kind });
  } catch (error) {
    result = { ok: false, reason: (error as Error).message };
  }
  if (keyed) parsedResourcePolicies.set(policy, { ...known, [kind]: result });
  return result;
}

function ineffectiveOf(
  name: string,
  policy: ParsedPolicy,
): IneffectiveStatement[] {
  return policy.ineffective.map(s => ({
    policy: name,
    statement: s.label.startsWith('Statement[') ? `#${s.index}` : s.label,
    reason: `${s.reason}: accepted by AWS but without effect, ignored`,
  }));
}

const isAccessDenied = (error: string) =>
  /AccessDenied|not authorized|UnauthorizedOperation/i.test(error);

/** Whether an admission lets in an account. */
function admits(
  admission: Admission,
  accountId: string,
  membership: Membership,
): boolean {
  if (admission.any || admission.accounts.has(accountId)) return true;
  const org = membership.organizationId;
  return (
    !!org && admission.organizations.has(org) && membership.isMember(accountId)
  );
}

/**
 * Names the effective readers of one trail's log files: every IAM role and
 * user of the given accounts allowed both s3:GetObject on the log objects
 * and kms:Decrypt through S3, with the path that lets each in. Pure: the
 * engine reads the documents, this decides. Documented in docs/readers.md.
 *
 * @public
 */
export function analyzeReaders(input: ReaderAnalysisInput): {
  readers: TrailReaders;
  findings: Finding[];
} {
  const { readers, findings } = analyzeReadersCounted(input);
  return { readers, findings };
}

/**
 * The same, with how many partial readers were listed under
 * `partialLimit`: a scan analysing a trail in batches of accounts carries
 * the limit from one batch to the next. With `findings: false` no findings
 * are drawn: the scan draws a trail's findings from its batches' merged
 * readers, so those of each batch would only be dropped.
 */
export function analyzeReadersCounted(
  input: ReaderAnalysisInput,
  options: { findings?: boolean } = {},
): {
  readers: TrailReaders;
  findings: Finding[];
  partialListedUnderLimit: number;
} {
  const analysis = trailReaderAnalysis(input);
  for (const account of input.accounts) analysis.account(account);
  const given = new Set(input.accounts.map(a => a.accountId));
  const { readers, partialListedUnderLimit } = analysis.finish(id =>
    given.has(id),
  );
  return {
    readers,
    findings: options.findings === false ? [] : readerFindings(input, readers),
    partialListedUnderLimit,
  };
}

/**
 * One trail's reader analysis, its documents worked out once and its
 * accounts given one at a time: a scan analyses each account against every
 * trail whose key admits the organization as soon as the account's IAM is
 * read, so that nothing of the account outlives that turn.
 */
export interface TrailReaderAnalysis {
  /**
   * Analyses one account's principals. Should it throw, nothing of the
   * account is kept.
   */
  account(account: ReaderAccountInput): void;
  /** Readers, partial readers and unresolved accounts held so far. */
  held(): number;
  /**
   * The readers, partial readers and unresolved accounts found so far,
   * handed over and no longer held (the trail's limit on partial readers
   * still counts them).
   */
  take(): TrailReaders;
  /**
   * The rest of the trail's readers, with the accounts both resource
   * policies let in that were never `given` (readers may hide there), the
   * statements left out and the partial readers omitted. Called once.
   */
  finish(given: (accountId: string) => boolean): {
    readers: TrailReaders;
    partialListedUnderLimit: number;
  };
}

/**
 * Sets up one trail's analysis from its documents (`input.accounts` is not
 * read: the accounts are given to it).
 */
export function trailReaderAnalysis(
  input: ReaderAnalysisInput,
): TrailReaderAnalysis {
  const membership = new Membership(input);
  const ineffective: IneffectiveStatement[] = [];
  let result: TrailReaders = { readers: [], partial: [], unresolved: [] };
  let partialOmitted = 0;
  let othersListed = 0;
  const held = () =>
    result.readers.length + result.partial.length + result.unresolved.length;
  const take = () => {
    const taken = result;
    result = { readers: [], partial: [], unresolved: [] };
    return taken;
  };

  const key = parseResourcePolicy(input.key.policy, 'key');
  if (!key.ok) {
    result.unresolved.push({
      accountId: input.key.accountId,
      reason: `the key policy could not be read: ${key.reason}`,
    });
    return {
      account: () => undefined,
      held,
      take,
      finish: () => ({ readers: result, partialListedUnderLimit: 0 }),
    };
  }
  const requests = readerRequests(input, membership);
  const guardrails = new Guardrails(input.organization);
  ineffective.push(...ineffectiveOf('key policy', key.policy));
  const keySource: PolicySource = {
    layer: 'key-policy',
    policy: 'key policy',
    statements: key.policy.statements,
  };

  let bucketSource: PolicySource | undefined;
  let bucketUnknown = input.bucket.policyError;
  if (input.bucket.policy !== undefined && input.bucket.policy !== null) {
    const bucket = parseResourcePolicy(input.bucket.policy, 'resource');
    if (bucket.ok) {
      ineffective.push(...ineffectiveOf('bucket policy', bucket.policy));
      bucketSource = {
        layer: 'bucket-policy',
        policy: 'bucket policy',
        statements: bucket.policy.statements,
      };
    } else {
      bucketUnknown = `the bucket policy could not be understood: ${bucket.reason}`;
    }
  } else if (input.bucket.policy === undefined && !bucketUnknown) {
    bucketUnknown = 'the bucket policy was not read';
  }
  const bucketOwner = input.bucket.ownerAccountId ?? input.trail.ownerAccountId;

  const grants = (input.grants ?? []).filter(
    g =>
      g.GranteePrincipal &&
      (g.Operations ?? []).includes('Decrypt') &&
      grantAllowsLogContext(g, input.trail.trailArn),
  );

  // Asked of every principal of every account: only a few hold a grant.
  const granteeAccounts = new Set(
    grants.flatMap(g => {
      const grantee = classifyGrantee(g.GranteePrincipal!);
      return grantee.accountId ? [grantee.accountId] : [];
    }),
  );
  const granteeArns = new Set(grants.map(g => g.GranteePrincipal!));
  const grantVerdict = (principal: IamPrincipal): Verdict | undefined => {
    if (
      !granteeArns.has(principal.arn) &&
      !granteeAccounts.has(principal.accountId)
    ) {
      return undefined;
    }
    const matching = grants.filter(g => {
      const grantee = classifyGrantee(g.GranteePrincipal!);
      return (
        g.GranteePrincipal === principal.arn ||
        (grantee.kind === 'iam-role' &&
          grantee.accountId === principal.accountId &&
          g.GranteePrincipal!.endsWith(`/${principal.name}`))
      );
    });
    if (!matching.length) return undefined;
    return anyOf(
      matching.map(g => ({
        result: 'true' as const,
        conditions: [],
        steps: [
          {
            layer: 'grant' as const,
            policy: g.GrantId ?? g.Name ?? 'grant',
            statement: g.Name ?? g.GrantId ?? 'grant',
          },
        ],
      })),
    );
  };

  const unknownBucket = (): Verdict => ({
    result: 'undecided',
    conditions: [
      {
        operator: 'UnreadablePolicy',
        key: 'bucket policy',
        values: [bucketUnknown ?? 'unknown'],
      },
    ],
    steps: [],
  });

  // A cross-account half that no statement of the resource policy can let
  // in is denied without evaluating the principal's policies: with a key
  // open to every account, most principals of a fleet lack the S3 half.
  // What depends on the trail's documents alone is worked out once for
  // all the batches of accounts it is analysed in.
  const memo = memoFor(input);
  const keyMayAdmit = (memo.keyMayAdmit ??= resourcePolicyMayAdmit(
    key.policy.statements,
    'kms:Decrypt',
  ));
  const bucketMayAdmit = (memo.bucketMayAdmit ??= bucketSource
    ? resourcePolicyMayAdmit(bucketSource.statements, 's3:GetObject')
    : () => false);

  const keyVerdicts = new ResourcePolicyVerdicts(keySource, 'kms:Decrypt');
  const bucketVerdicts = bucketSource
    ? new ResourcePolicyVerdicts(bucketSource, 's3:GetObject')
    : undefined;

  // The decrypt half of principals no policy can tell apart is decided
  // once: same kind, same identity policies deciding alike for every
  // request, accounts of the same class (see accountClasses), no grant of
  // their own. A key open to the organization or to anyone is asked of
  // every principal of the fleet; most of them are the same few roles.
  const classOf = accountClasses(input, membership, [
    key.policy.statements,
    ...guardrails.statementLists(),
  ]);
  const shapes = guardrails.principalSensitive('kms:Decrypt')
    ? undefined
    : memo.shapes;
  /** Set by shapeOf: the principal's key among its class's verdicts. */
  let shapeKey = '';
  /**
   * The verdicts of the principal's class, its key among them left in
   * `shapeKey` (asked of every principal of a fleet, it makes no object
   * for its answer).
   */
  const shapeOf = (
    principal: IamPrincipal,
  ): Map<string, HalfVerdict> | undefined => {
    if (!shapes || keyVerdicts.sensitiveTo(principal.accountId)) {
      return undefined;
    }
    const shape = principalShape(principal);
    if (shape === undefined) return undefined;
    const accountClass = classOf(principal.accountId);
    let verdicts = shapes.get(accountClass);
    if (!verdicts) {
      verdicts = new Map();
      shapes.set(accountClass, verdicts);
    }
    shapeKey = shape;
    return verdicts;
  };

  const decryptHalf = (principal: IamPrincipal): HalfVerdict => {
    const grantsOf = grantVerdict(principal);
    if (
      principal.accountId !== input.key.accountId &&
      !grantsOf &&
      !keyMayAdmit(principal.accountId)
    ) {
      return DENIED;
    }
    // Across accounts both the key policy and the principal's own policies
    // must allow: policies that allow nothing settle it (the key policy
    // need not be read for the principal).
    const crossAccount = principal.accountId !== input.key.accountId;
    if (
      crossAccount &&
      !grantsOf &&
      knownIdentityVerdict(principal, 'kms:Decrypt')?.allow.result === 'false'
    ) {
      return DENIED;
    }
    const shaped = grantsOf ? undefined : shapeOf(principal);
    const shape = shapeKey;
    const known = shaped?.get(shape);
    if (known) return known;
    const decryptRequest = requests.decrypt(principal);
    if (
      crossAccount &&
      !grantsOf &&
      identityVerdict(principal, decryptRequest).allow.result === 'false'
    ) {
      return DENIED;
    }
    const verdict = evaluateHalf({
      principal,
      request: decryptRequest,
      resourceAccountId: input.key.accountId,
      resource: keyVerdicts.of(decryptRequest, principal),
      grants: grantsOf,
      needsDelegation: true,
      guardrails,
    });
    shaped?.set(shape, verdict);
    return verdict;
  };

  const readHalf = (principal: IamPrincipal): HalfVerdict => {
    if (
      principal.accountId !== bucketOwner &&
      !bucketUnknown &&
      !bucketMayAdmit(principal.accountId)
    ) {
      return DENIED;
    }
    const readRequest = requests.read(principal);
    let bucket = bucketVerdicts?.of(readRequest, principal);
    if (bucketUnknown && principal.accountId !== bucketOwner) {
      bucket = {
        direct: unknownBucket(),
        account: unknownBucket(),
        deny: { result: 'false', conditions: [], steps: [] },
      };
    }
    return evaluateHalf({
      principal,
      request: readRequest,
      resourceAccountId: bucketOwner,
      resource: bucket,
      needsDelegation: false,
      guardrails,
    });
  };

  const keepPartial = (memo.keepPartial ??= partialFilter(
    input,
    key.policy,
    bucketSource,
  ));
  const partialLimit = input.partialLimit ?? Infinity;

  const analyseAccount = (account: ReaderAccountInput): void => {
    if (account.error || !account.details) {
      const reason =
        account.error ?? 'its IAM authorization details were not read';
      result.unresolved.push({
        accountId: account.accountId,
        ...(account.accountName ? { accountName: account.accountName } : {}),
        reason,
        ...(account.error && isAccessDenied(account.error)
          ? { missingPermission: MISSING_IAM_PERMISSION }
          : {}),
      });
      return;
    }
    // Added to the trail's lists once the whole account is analysed (made
    // for the few accounts that have any: most add none to most trails).
    let readers: EffectiveReader[] | undefined;
    let partial: PartialReader[] | undefined;
    let omitted = 0;
    let listed = othersListed;
    for (const principal of principalsOf(account.details, account.accountId)) {
      const decrypt = decryptHalf(principal);
      const read = readHalf(principal);
      if (decrypt.result === 'false' && read.result === 'false') continue;
      const isReader = decrypt.result !== 'false' && read.result !== 'false';
      if (!isReader && !keepPartial(principal)) {
        if (listed >= partialLimit) {
          omitted += 1;
          continue;
        }
        listed += 1;
      }
      const reader: EffectiveReader = {
        principal: principal.arn,
        kind: principal.kind,
        accountId: principal.accountId,
        ...(account.accountName ? { accountName: account.accountName } : {}),
        crossAccount: principal.accountId !== bucketOwner,
        outsideOrganization: membership.isOutside(principal.accountId),
        via: orderSteps(uniqueSteps([...decrypt.steps, ...read.steps])),
        conditions: uniqueConditions([
          ...decrypt.conditions,
          ...read.conditions,
        ]),
      };
      if (decrypt.broad || read.broad) reader.broad = true;
      if (principal.kind === 'iam-role' && principal.trustPolicy) {
        reader.trustedBy = trusteesFor(principal, membership);
      }
      if (isReader) {
        (readers ??= []).push(reader);
      } else {
        (partial ??= []).push({
          ...reader,
          lacks: decrypt.result === 'false' ? 'kms:Decrypt' : 's3:GetObject',
        });
      }
    }
    if (readers) result.readers.push(...readers);
    if (partial) result.partial.push(...partial);
    partialOmitted += omitted;
    othersListed = listed;
  };

  const finish = (given: (accountId: string) => boolean) => {
    if (bucketUnknown) result.bucketPolicyError = bucketUnknown;
    result.unresolved.push(
      ...outsideTheScan(
        given,
        membership,
        (memo.admissions ??= admissionsOf(
          input,
          key.policy,
          bucketSource,
          bucketUnknown,
        )),
      ),
    );
    if (ineffective.length) result.ineffective = ineffective;
    if (partialOmitted) result.partialOmitted = partialOmitted;
    return { readers: result, partialListedUnderLimit: othersListed };
  };

  return { account: analyseAccount, held, take, finish };
}

/**
 * A reader role's trustees, kept with the principal while what they are
 * judged by is the same (see {@link trusteesFor}).
 */
const trusteeMemo = new ObjectMemo<
  IamPrincipal,
  {
    inside: ReadonlySet<string>;
    known: boolean;
    organizationId: string | undefined;
    trustees: ReaderTrustee[];
  }
>();

/**
 * Who may assume a reader role. A role that reads the logs of every trail
 * admitting the organization is listed under each of them, batch after
 * batch: its trustees are worked out once for as long as the accounts that
 * count as ours and the organization are the same (all its trust policy is
 * judged by), and the list is shared by those readers (nothing changes it).
 */
function trusteesFor(
  principal: IamPrincipal,
  membership: Membership,
): ReaderTrustee[] {
  const known = trusteeMemo.get(principal);
  if (
    known &&
    known.inside === membership.inside &&
    known.known === membership.known &&
    known.organizationId === membership.organizationId
  ) {
    return known.trustees;
  }
  const trustees = trusteesOf(
    principal.name,
    principal.trustPolicy,
    membership,
  );
  trusteeMemo.set(principal, {
    inside: membership.inside,
    known: membership.known,
    organizationId: membership.organizationId,
    trustees,
  });
  return trustees;
}

/** Decrypt verdicts by account class, then by principal shape. */
type Shapes = Map<string, Map<string, HalfVerdict>>;

/** What one trail's documents decide, whichever accounts are analysed. */
interface TrailMemo {
  input: ReaderAnalysisInput;
  shapes: Shapes;
  keyMayAdmit?: (accountId: string) => boolean;
  bucketMayAdmit?: (accountId: string) => boolean;
  keepPartial?: (principal: IamPrincipal) => boolean;
  admissions?: Admissions;
}

const principalShapes = new ObjectMemo<IamPrincipal, string | null>();

/**
 * What decides a principal's decrypt half besides its account's class: its
 * kind, whether it is service-linked and its identity policies (kept per
 * principal, so the trails that ask it again reuse the same key).
 */
function principalShape(principal: IamPrincipal): string | undefined {
  let shape = principalShapes.get(principal);
  if (shape === undefined) {
    const identity = identitySignature(principal, 'kms:Decrypt');
    shape =
      identity === undefined
        ? null
        : [principal.kind, principal.serviceLinked ? 'slr' : '', identity].join(
            '\u0003',
          );
    principalShapes.set(principal, shape);
  }
  return shape ?? undefined;
}

const trailMemos = new ObjectMemo<object, TrailMemo>();

/**
 * What one trail's documents decide (its decrypt verdicts by shape, which
 * accounts its policies may let in, which partial readers it lists), kept
 * across the batches of accounts a scan analyses it in (each batch is
 * another input with the same documents): kept with the key policy object,
 * used again only while the trail, its documents and the organization's
 * policies are the same.
 */
function memoFor(input: ReaderAnalysisInput): TrailMemo {
  const policy = input.key.policy;
  if (typeof policy !== 'object' || policy === null) {
    return { input, shapes: new Map() };
  }
  const cached = trailMemos.get(policy);
  const same = (a: ReaderAnalysisInput) =>
    a.trail.trailArn === input.trail.trailArn &&
    a.trail.s3BucketName === input.trail.s3BucketName &&
    a.trail.s3KeyPrefix === input.trail.s3KeyPrefix &&
    a.trail.bucketRegion === input.trail.bucketRegion &&
    a.key.arn === input.key.arn &&
    a.bucket.policy === input.bucket.policy &&
    a.bucket.policyError === input.bucket.policyError &&
    a.bucket.ownerAccountId === input.bucket.ownerAccountId &&
    a.grants === input.grants &&
    a.organizationId === input.organizationId &&
    a.organization?.policies === input.organization?.policies &&
    a.organization?.parentsByAccount === input.organization?.parentsByAccount;
  if (cached && same(cached.input)) return cached;
  const fresh: TrailMemo = { input, shapes: new Map() };
  trailMemos.set(policy, fresh);
  return fresh;
}

interface Admissions {
  key: Admission;
  bucket: Admission;
}

/** Whom the key (with its grants) and the bucket let in, from the documents alone. */
function admissionsOf(
  input: ReaderAnalysisInput,
  key: ParsedPolicy,
  bucket: PolicySource | undefined,
  bucketUnknown: string | undefined,
): Admissions {
  const keyAdmission = admissionOf(key.statements, DECRYPT_ACTIONS);
  grantAccounts(input.grants).forEach(a => keyAdmission.accounts.add(a));
  keyAdmission.accounts.add(input.key.accountId);
  const bucketOwner = input.bucket.ownerAccountId ?? input.trail.ownerAccountId;
  const bucketAdmission = bucket
    ? admissionOf(bucket.statements, READ_ACTIONS)
    : {
        accounts: new Set<string>(),
        organizations: new Set<string>(),
        any: !!bucketUnknown,
      };
  bucketAdmission.accounts.add(bucketOwner);
  return { key: keyAdmission, bucket: bucketAdmission };
}

/**
 * Accounts both resource policies let in whose IAM was not given: readers
 * may hide there. `*` stands for "any AWS account".
 */
function outsideTheScan(
  given: (accountId: string) => boolean,
  membership: Membership,
  { key: keyAdmission, bucket: bucketAdmission }: Admissions,
): UnresolvedReaderAccount[] {
  const unresolved: UnresolvedReaderAccount[] = [];
  const named = new Set([
    ...keyAdmission.accounts,
    ...bucketAdmission.accounts,
  ]);
  for (const accountId of [...named].sort()) {
    if (given(accountId)) continue;
    if (!admits(keyAdmission, accountId, membership)) continue;
    if (!admits(bucketAdmission, accountId, membership)) continue;
    unresolved.push({ accountId, reason: 'not in the scanned estate' });
  }
  if (keyAdmission.any && bucketAdmission.any) {
    unresolved.push({
      accountId: '*',
      reason:
        'the key policy and the bucket policy let in principals of any AWS account; only the scanned accounts are named',
    });
  }
  return unresolved;
}
