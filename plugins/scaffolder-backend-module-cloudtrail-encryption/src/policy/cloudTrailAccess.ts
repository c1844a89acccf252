import type {
  DecryptPrincipal,
  PolicyCondition,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  evaluateKeyPolicy,
  parseArn,
  trailOwnerAccountId,
  type PolicyDecision,
  type ReadableKeyPolicy,
} from '@trailguard/plugin-cloudtrail-encryption-node';

/**
 * What a key policy lets CloudTrail do for each trail, decided by the same
 * evaluator the scan uses, so the actions agree with the report that sent
 * the user here.
 */
export interface TrailAccess {
  trailArn: string;
  encrypt: PolicyDecision;
  describe: PolicyDecision;
  encryptConditions: PolicyCondition[];
  describeConditions: PolicyCondition[];
  decryptPrincipals: DecryptPrincipal[];
  notes: string[];
}

export type PolicyAccess =
  | { readable: false; reason: string }
  | { readable: true; trails: TrailAccess[] };

/** @public */
export interface KeyRef {
  keyArn: string;
  keyAccountId: string;
}

export function evaluateForTrails(
  policy: unknown,
  trailArns: string[],
  key: KeyRef,
): PolicyAccess {
  const trails: TrailAccess[] = [];
  for (const trailArn of trailArns) {
    const evaluation = evaluateKeyPolicy(policy, {
      trailArn,
      trailOwnerAccountId: trailOwnerAccountId(trailArn),
      keyArn: key.keyArn,
      keyAccountId: key.keyAccountId,
    });
    if (!evaluation.readable) {
      return { readable: false, reason: evaluation.reason };
    }
    trails.push(toTrailAccess(trailArn, evaluation));
  }
  return { readable: true, trails };
}

function toTrailAccess(
  trailArn: string,
  evaluation: ReadableKeyPolicy,
): TrailAccess {
  return {
    trailArn,
    encrypt: evaluation.cloudTrailCanEncrypt,
    describe: evaluation.cloudTrailCanDescribe,
    encryptConditions: evaluation.cloudTrailEncryptConditions,
    describeConditions: evaluation.cloudTrailDescribeConditions,
    decryptPrincipals: evaluation.decryptPrincipals,
    notes: evaluation.notes,
  };
}

/** The account of an account-root ARN (`arn:<partition>:iam::<account>:root`). */
function rootAccount(principal: string): string | undefined {
  const arn = parseArn(principal);
  return arn?.service === 'iam' && arn.resource === 'root'
    ? arn.accountId
    : undefined;
}

/**
 * Whether the key policy alone already lets `reader` decrypt the trail's log
 * files, with no condition left undecided. A role that can only decrypt
 * through IAM delegation (the account-root statement) is not covered: that
 * depends on IAM policies the key policy cannot show.
 */
export function readerCovered(
  reader: string,
  principals: DecryptPrincipal[],
): boolean {
  const account = rootAccount(reader);
  return principals.some(p => {
    if (p.conditions.length > 0 || p.organizationId) return false;
    if (p.kind === 'any') return true;
    if (account) return p.kind === 'account-root' && p.accountId === account;
    return p.via === 'key-policy' && p.principal === reader;
  });
}

function conditionText(conditions: PolicyCondition[]): string {
  return conditions
    .map(c => `${c.operator} ${c.key} ${JSON.stringify(c.values)}`)
    .join('; ');
}

/** "kms:GenerateDataKey* is not allowed" / "… depends on …", per missing permission. */
export function missingPermissions(access: TrailAccess): string[] {
  const missing: string[] = [];
  const explain = (
    action: string,
    decision: PolicyDecision,
    conditions: PolicyCondition[],
  ) => {
    if (decision === true) return;
    missing.push(
      decision === 'unknown'
        ? `${action} depends on conditions that cannot be decided (${conditionText(
            conditions,
          )})`
        : `${action} is not allowed`,
    );
  };
  explain('kms:GenerateDataKey*', access.encrypt, access.encryptConditions);
  explain('kms:DescribeKey', access.describe, access.describeConditions);
  return missing;
}

export function grantsCloudTrail(access: TrailAccess): boolean {
  return access.encrypt === true && access.describe === true;
}
