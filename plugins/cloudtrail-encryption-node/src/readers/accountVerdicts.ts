import { classifyAwsPrincipal } from '../analysis/principals';
import type { ParsedStatement, PrincipalSpec } from '../policy/document';
import { Membership, PRINCIPAL_SPECIFIC_KEYS } from './requests';
import {
  evaluatePolicy,
  PolicySource,
  PolicyVerdicts,
  PrincipalRef,
  Request,
  statementsFor,
} from './statements';
import type { OrganizationPolicies, ReaderAnalysisInput } from './types';
import { ObjectMemo } from '../policy/objectMemo';
import { AccountIdMap, AccountIndex } from '../policy/accountIdSet';
import { sharedText } from '../policy/textMemo';

/**
 * Accounts some of whose roles or users a statement names by ARN (in
 * Principal or NotPrincipal), and `'*'` when a statement covering the action
 * reads a key whose value differs between principals of one account.
 */
export function principalSensitivity(
  statements: ParsedStatement[],
  action: string,
): Set<string> {
  const accounts = new Set<string>();
  const name = (spec?: PrincipalSpec) => {
    for (const value of spec?.aws ?? []) {
      const identity = classifyAwsPrincipal(value);
      if (
        identity.kind !== 'any' &&
        identity.kind !== 'account-root' &&
        identity.accountId
      ) {
        accounts.add(identity.accountId);
      }
    }
  };
  for (const statement of statementsFor(statements, action)) {
    name(statement.principal);
    name(statement.notPrincipal);
    const keys = statement.conditions.map(c => c.key.toLowerCase());
    if (keys.some(k => PRINCIPAL_SPECIFIC_KEYS.has(k))) accounts.add('*');
  }
  return accounts;
}

/**
 * One resource policy (a key or bucket policy) judged for one trail's
 * request by every principal of the analysed accounts. The verdict is kept
 * per account when the policy cannot tell the account's principals apart:
 * it names none of them by ARN and reads no principal-specific key. With a
 * key open to the organization or to anyone, a fleet scan asks it of every
 * principal of every account.
 */
export class ResourcePolicyVerdicts {
  readonly #sensitive: Set<string>;
  /**
   * The last account's verdicts: an account's principals are asked one
   * after another, and an analysis given every account of a fleet would
   * otherwise keep one entry per account, once per trail.
   */
  #lastId?: string;
  #last?: PolicyVerdicts;

  constructor(private readonly source: PolicySource, action: string) {
    this.#sensitive = principalSensitivity(source.statements, action);
  }

  /** Whether the policy may decide differently for two principals of the account. */
  sensitiveTo(accountId: string): boolean {
    return this.#sensitive.has('*') || this.#sensitive.has(accountId);
  }

  of(request: Request, principal: PrincipalRef): PolicyVerdicts {
    if (this.sensitiveTo(principal.accountId)) {
      return evaluatePolicy(this.source, request, principal);
    }
    if (this.#last === undefined || this.#lastId !== principal.accountId) {
      this.#last = evaluatePolicy(this.source, request, principal);
      this.#lastId = principal.accountId;
    }
    return this.#last;
  }
}

/** Keys whose value is the principal's account itself. */
const ACCOUNT_KEYS = new Set(['kms:calleraccount', 'aws:principalaccount']);

const wildcardLists = new ObjectMemo<ParsedStatement[], boolean>();

/** Whether a condition on the caller's account uses a wildcard. */
function accountWildcard(statements: ParsedStatement[]): boolean {
  let found = wildcardLists.get(statements);
  if (found === undefined) {
    found = statements.some(s =>
      s.conditions.some(
        c =>
          ACCOUNT_KEYS.has(c.key.toLowerCase()) &&
          c.values.some(v => /[*?]/.test(v)),
      ),
    );
    wildcardLists.set(statements, found);
  }
  return found;
}

const mentionsOf = new ObjectMemo<object, ReadonlySet<string>>();

/** The account ids a document's text holds (kept per document object). */
function mentions(document: unknown): ReadonlySet<string> {
  const keyed = typeof document === 'object' && document !== null;
  const known = keyed ? mentionsOf.get(document) : undefined;
  if (known) return known;
  const json =
    typeof document === 'string' ? document : JSON.stringify(document ?? null);
  const ids = new Set<string>();
  for (const [id] of json.matchAll(/\d{12}/g)) ids.add(id);
  if (keyed) mentionsOf.set(document, ids);
  return ids;
}

interface OrganizationFacts {
  mentioned: ReadonlySet<string>;
  /** Per account: the SCPs and RCPs attached to the account itself. */
  attached: Pick<ReadonlyMap<string, string>, 'get'>;
}

const organizationFacts = new ObjectMemo<object, OrganizationFacts>();

function factsOf(
  policies: OrganizationPolicies['policies'],
): OrganizationFacts {
  let facts = organizationFacts.get(policies);
  if (!facts) {
    const mentioned = new Set<string>();
    const lists = new Map<string, string[]>();
    for (const policy of policies) {
      mentions(policy.document).forEach(id => mentioned.add(id));
      for (const id of policy.targetIds) {
        const list = lists.get(id) ?? [];
        list.push(policy.id);
        lists.set(id, list);
      }
    }
    // One string per distinct set of policies, shared by the accounts that
    // have it (most have the same: AWS attaches FullAWSAccess everywhere).
    // Kept for the scan, an entry per account: by position (AccountIdMap).
    const attached = new AccountIdMap<string>(
      new AccountIndex([...lists.keys()]),
    );
    const texts = new Map<string, string>();
    for (const [id, list] of lists) {
      attached.set(id, sharedText(texts, list.sort().join(',')));
    }
    facts = { mentioned, attached };
    organizationFacts.set(policies, facts);
  }
  return facts;
}

interface MemberClasses {
  facts: OrganizationFacts | undefined;
  /** Per account. */
  classes: Map<string, string>;
  /** Each distinct class once (usually far fewer than the accounts). */
  texts: Map<string, string>;
}

const memberClasses = new ObjectMemo<object, MemberClasses>();

/**
 * A member's class besides the policies of one trail (its OU path and the
 * guardrails attached along it), the same for every trail and batch of a
 * scan: made once per account, not once per trail and batch.
 */
function memberClassesOf(
  parents: object,
  facts: OrganizationFacts | undefined,
): MemberClasses {
  let known = memberClasses.get(parents);
  if (!known || known.facts !== facts) {
    known = { facts, classes: new Map(), texts: new Map() };
    memberClasses.set(parents, known);
  }
  return known;
}

/**
 * Which accounts the policies of one analysis (key policy, grants, SCPs,
 * RCPs) cannot tell apart. An account the documents never name (no account
 * id in their text, not the key's, bucket's, trail's or management account)
 * is judged by its place alone: a member of the organization under a given
 * OU path with given SCPs and RCPs attached to the account itself (AWS
 * attaches FullAWSAccess to every account), or an account outside it.
 * Should a condition on the caller's account use a wildcard, every account
 * is its own class. What does not change between the batches of one scan
 * (documents, the organization's attachments) is worked out once.
 */
export function accountClasses(
  input: ReaderAnalysisInput,
  membership: Membership,
  statementLists: ParsedStatement[][],
): (accountId: string) => string {
  if (statementLists.some(accountWildcard)) return accountId => accountId;
  const org = input.organization;
  const facts = org ? factsOf(org.policies) : undefined;
  const own = [
    input.key.accountId,
    input.trail.ownerAccountId,
    input.bucket.ownerAccountId,
    org?.managementAccountId,
  ];
  const key = mentions(input.key.policy);
  const grants = input.grants?.length ? mentions(input.grants) : undefined;
  const mentioned = (accountId: string) =>
    own.includes(accountId) ||
    key.has(accountId) ||
    !!grants?.has(accountId) ||
    !!facts?.mentioned.has(accountId);
  const parents = org?.parentsByAccount ?? {};
  const members = memberClassesOf(parents, facts);
  const classOf = (accountId: string) => {
    if (mentioned(accountId)) return accountId;
    if (!membership.isMember(accountId)) return '~outside';
    let known = members.classes.get(accountId);
    if (known === undefined) {
      const attached = facts?.attached.get(accountId) ?? '';
      known = sharedText(
        members.texts,
        `~member:${(parents[accountId] ?? ['?']).join('/')}:${attached}`,
      );
      members.classes.set(accountId, known);
    }
    return known;
  };
  // An account's principals are analysed one after another: the last
  // account's class is kept, not one per account (an analysis given every
  // account of a fleet would keep them all, once per trail).
  let lastId: string | undefined;
  let lastClass = '';
  return accountId => {
    if (lastId !== accountId) {
      lastClass = classOf(accountId);
      lastId = accountId;
    }
    return lastClass;
  };
}
