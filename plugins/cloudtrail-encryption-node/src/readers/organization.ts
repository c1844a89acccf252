import { parsePolicy, type ParsedStatement } from '../policy/document';
import { principalSensitivity } from './accountVerdicts';
import {
  contextFree,
  evaluatePolicy,
  PolicySource,
  PrincipalRef,
  Request,
} from './statements';
import type { OrganizationPolicies } from './types';
import { allOf, anyOf, unlessDenied, Verdict, YES } from './verdict';
import { AccountIdSet } from '../policy/accountIdSet';
import { ObjectMemo } from '../policy/objectMemo';

interface Guardrail {
  source: PolicySource;
  /** Accounts, OUs and roots; AWS attaches some policies to every account. */
  targetIds: ReadonlySet<string>;
}

interface ParsedGuardrails {
  scps: Guardrail[];
  rcps: Guardrail[];
  problems: string[];
  /** SCP verdicts by the SCPs attached at each level and action, where they decide alike for every request. */
  scpVerdicts: Map<string, Verdict>;
}

/** A scan analyses many trails and batches against the same guardrails: parsed once. */
const parsedGuardrails = new ObjectMemo<
  OrganizationPolicies['policies'],
  ParsedGuardrails
>();

function parseGuardrails(
  policies: OrganizationPolicies['policies'],
): ParsedGuardrails {
  const known = parsedGuardrails.get(policies);
  if (known) return known;
  const parsedAll: ParsedGuardrails = {
    scps: [],
    rcps: [],
    problems: [],
    scpVerdicts: new Map(),
  };
  for (const policy of policies) {
    const parsed = parsePolicy(policy.document, {
      kind: policy.type === 'SCP' ? 'identity' : 'resource',
    });
    if (!parsed.ok) {
      parsedAll.problems.push(`${policy.type} ${policy.id}: ${parsed.reason}`);
      continue;
    }
    const guardrail: Guardrail = {
      source: {
        layer: policy.type === 'SCP' ? 'scp' : 'rcp',
        policy: policy.name ? `${policy.id} (${policy.name})` : policy.id,
        statements: parsed.policy.statements,
      },
      targetIds: new AccountIdSet(policy.targetIds),
    };
    (policy.type === 'SCP' ? parsedAll.scps : parsedAll.rcps).push(guardrail);
  }
  parsedGuardrails.set(policies, parsedAll);
  return parsedAll;
}

const memberSets = new ObjectMemo<readonly string[], ReadonlySet<string>>();

/**
 * The members' set, once per list: every trail of a scan and every batch
 * of one share the organization's list.
 */
export function memberSetOf(ids: readonly string[]): ReadonlySet<string> {
  let set = memberSets.get(ids);
  if (!set) {
    set = new AccountIdSet(ids);
    memberSets.set(ids, set);
  }
  return set;
}

/**
 * The organization's guardrails. SCPs limit the principals of member
 * accounts: at every level from the root to the account some attached SCP
 * must allow the action, and a Deny in any of them wins. RCPs limit the
 * resources of member accounts (only their Deny statements matter: the
 * RCPFullAWSAccess policy AWS attaches everywhere allows the rest). Neither
 * applies to the management account nor to service-linked roles. A level
 * with no SCP in the data is taken as allowing: hiding a possible reader is
 * the worse error.
 */
export class Guardrails {
  private readonly scps: Guardrail[];
  private readonly rcps: Guardrail[];
  readonly problems: string[];
  private readonly members: ReadonlySet<string>;
  private readonly scpVerdicts: Map<string, Verdict>;

  constructor(private readonly org?: OrganizationPolicies) {
    const parsed = parseGuardrails(org?.policies ?? []);
    this.scps = parsed.scps;
    this.rcps = parsed.rcps;
    this.problems = parsed.problems;
    this.scpVerdicts = parsed.scpVerdicts;
    this.members = org ? memberSetOf(org.memberAccountIds) : new Set();
  }

  private levels(accountId: string): string[] | undefined {
    const org = this.org;
    if (!org || accountId === org.managementAccountId) return undefined;
    if (!this.members.has(accountId)) return undefined;
    return [...(org.parentsByAccount[accountId] ?? []), accountId];
  }

  /** Whether an SCP or RCP may decide differently for two principals of one account. */
  principalSensitive(action: string): boolean {
    return [...this.scps, ...this.rcps].some(
      g => principalSensitivity(g.source.statements, action).size > 0,
    );
  }

  /** The statements of every SCP and RCP. */
  statementLists(): ParsedStatement[][] {
    return [...this.scps, ...this.rcps].map(g => g.source.statements);
  }

  /** What the SCPs of the principal's account let it do. */
  scp(
    principal: PrincipalRef & { serviceLinked?: boolean },
    request: Request,
  ): Verdict {
    const levels = this.levels(principal.accountId);
    if (!levels || principal.serviceLinked) return YES;
    const attached = this.scps.filter(g =>
      levels.some(level => g.targetIds.has(level)),
    );
    if (
      !attached.every(g => contextFree(g.source.statements, request.action))
    ) {
      return this.judgeScps(levels, request);
    }
    // The SCPs decide by what is attached at each level, not by whose
    // levels they are: accounts of one OU that carry no SCP of their own
    // (or the same ones) share a verdict, so the memo grows with the OU
    // tree rather than with the fleet. The OU path names what its levels
    // carry; the account's own level is named by its attachments.
    const own = this.scps.flatMap((g, i) =>
      g.targetIds.has(principal.accountId) ? [i] : [],
    );
    const key = `${levels.slice(0, -1).join('/')}\n${own.join()}\n${
      request.action
    }`;
    let verdict = this.scpVerdicts.get(key);
    if (!verdict) {
      verdict = this.judgeScps(levels, request);
      this.scpVerdicts.set(key, verdict);
    }
    return verdict;
  }

  private judgeScps(levels: string[], request: Request): Verdict {
    const denies: Verdict[] = [];
    const allows = levels.map(level => {
      const attached = this.scps.filter(g => g.targetIds.has(level));
      if (!attached.length) return YES;
      const verdicts = attached.map(g => evaluatePolicy(g.source, request));
      denies.push(...verdicts.map(v => v.deny));
      return { ...anyOf(verdicts.map(v => v.direct)), steps: [] };
    });
    return unlessDenied(allOf(allows), anyOf(denies));
  }

  /** Whether the RCPs of the resource's account deny the principal. */
  rcp(
    resourceAccountId: string | undefined,
    principal: PrincipalRef & { serviceLinked?: boolean },
    request: Request,
  ): Verdict {
    const levels = resourceAccountId && this.levels(resourceAccountId);
    if (!levels || principal.serviceLinked) return YES;
    const denies = this.rcps
      .filter(g => levels.some(level => g.targetIds.has(level)))
      .map(g => evaluatePolicy(g.source, request, principal).deny);
    return unlessDenied(YES, anyOf(denies));
  }
}
