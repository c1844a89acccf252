import {
  compareSeverity,
  DecryptPrincipal,
  Finding,
  FindingCode,
  KmsKeyInfo,
  Severity,
  TrailDelivery,
  TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  FINDING_CATALOGUE,
  KEY_POLICY_DOCUMENT_REMEDIATION,
} from './catalogue';
import { dedupePrincipals } from './candidates';
import { evaluateKeyPolicy, PolicyDecision } from './evaluateKeyPolicy';
import { parseArn } from '../policy/arn';
import { principalsFromGrants } from './grants';
import { isOpenToAnyPrincipal } from './openAccess';
import {
  DescribedKeyInput,
  isDescribedKey,
  isMissingKey,
  TrailAssessmentInput,
  TrailStatusInput,
} from './types';

type AddFinding = (
  code: FindingCode,
  message: string,
  severity?: Severity,
  remediation?: string,
) => void;

/**
 * Most severe first; equal severities keep the order they were found in.
 *
 * @public
 */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort(
      (a, b) =>
        compareSeverity(a.finding.severity, b.finding.severity) ||
        a.index - b.index,
    )
    .map(({ finding }) => finding);
}

function deliveryOf(status: TrailStatusInput | undefined): TrailDelivery {
  if (!status || 'error' in status) return {};
  const delivery: TrailDelivery = {};
  if (status.isLogging !== undefined) delivery.isLogging = status.isLogging;
  if (status.latestDeliveryError) {
    delivery.latestDeliveryError = status.latestDeliveryError;
  }
  if (status.latestDeliveryTime) {
    delivery.latestDeliveryTime = status.latestDeliveryTime;
  }
  if (status.latestDeliveryAttemptTime) {
    delivery.latestDeliveryAttemptTime = status.latestDeliveryAttemptTime;
  }
  if (status.latestDeliveryAttemptSucceeded) {
    delivery.latestDeliveryAttemptSucceeded =
      status.latestDeliveryAttemptSucceeded;
  }
  return delivery;
}

/**
 * Whether the latest delivery attempt failed. GetTrailStatus keeps the
 * error of an older failed attempt after later ones succeed, so with attempt
 * times the verdict is "the latest attempt is later than the latest success";
 * without them (older APIs, a partial read) an error means failing.
 */
export function latestDeliveryFailed(delivery: TrailDelivery): boolean {
  const attempt = Date.parse(delivery.latestDeliveryAttemptTime ?? '');
  if (Number.isNaN(attempt)) return !!delivery.latestDeliveryError?.trim();
  const succeeded = Date.parse(delivery.latestDeliveryAttemptSucceeded ?? '');
  return Number.isNaN(succeeded) || attempt > succeeded;
}

/** A stand-in for a key DescribeKey could not return, built from its ARN. */
function keyFromArn(arn: string, input: TrailAssessmentInput): KmsKeyInfo {
  const parsed = parseArn(arn);
  const keyId = parsed?.resource.startsWith('key/')
    ? parsed.resource.slice('key/'.length)
    : undefined;
  return {
    arn,
    ...(keyId ? { keyId } : {}),
    region: parsed?.region || input.trail.homeRegion,
    accountId: parsed?.accountId || input.trail.ownerAccountId,
    state: 'Unknown',
    policyReadable: false,
  };
}

function trailName(input: TrailAssessmentInput): string {
  return `Trail "${input.trail.name}" (${input.trail.homeRegion})`;
}

function bucketName(input: TrailAssessmentInput): string {
  const region = input.bucketRegion ? ` (${input.bucketRegion})` : '';
  return `bucket "${input.trail.s3BucketName}"${region}`;
}

function keyName(key: KmsKeyInfo): string {
  return `KMS key ${key.arn} (${key.region})`;
}

function checkRegion(
  input: TrailAssessmentInput,
  key: KmsKeyInfo,
  report: TrailReport,
  add: AddFinding,
) {
  if (!input.bucketRegion || !key.region) return;
  report.keyRegionMatchesBucket = key.region === input.bucketRegion;
  if (report.keyRegionMatchesBucket) return;
  const replica = key.replicaKeyArns
    ?.concat(key.primaryKeyArn ?? [])
    .find(arn => parseArn(arn)?.region === input.bucketRegion);
  let replicaHint = '';
  if (replica) {
    replicaHint = `; use the multi-Region key's replica in ${input.bucketRegion}, ${replica}`;
  } else if (key.multiRegion && key.replicaKeyArns) {
    replicaHint = `; the multi-Region key has no replica in ${input.bucketRegion}: replicate it there (ReplicateKey) or create a key there`;
  } else if (key.multiRegion) {
    replicaHint = `; use the multi-Region key's replica in ${input.bucketRegion}`;
  }
  add(
    'KMS_KEY_REGION_MISMATCH',
    `${trailName(input)}: ${keyName(key)} is not in the Region of bucket "${
      input.trail.s3BucketName
    }" (${input.bucketRegion})${replicaHint}.`,
  );
}

function checkKeyState(
  input: TrailAssessmentInput,
  key: KmsKeyInfo,
  add: AddFinding,
) {
  const trail = trailName(input);
  if (
    key.state === 'PendingDeletion' ||
    key.state === 'PendingReplicaDeletion'
  ) {
    const when = key.deletionDate
      ? `scheduled for deletion on ${key.deletionDate}`
      : 'scheduled for deletion';
    add('KMS_KEY_PENDING_DELETION', `${trail}: ${keyName(key)} is ${when}.`);
  } else if (key.state !== 'Enabled' && key.state !== 'Unknown') {
    add('KMS_KEY_NOT_ENABLED', `${trail}: ${keyName(key)} is ${key.state}.`);
  }
  const specOk = !key.keySpec || key.keySpec === 'SYMMETRIC_DEFAULT';
  const usageOk = !key.keyUsage || key.keyUsage === 'ENCRYPT_DECRYPT';
  if (!specOk || !usageOk) {
    add(
      'KMS_KEY_NOT_SYMMETRIC',
      `${trail}: ${keyName(key)} has key spec ${
        key.keySpec ?? 'unknown'
      } and usage ${
        key.keyUsage ?? 'unknown'
      }; CloudTrail needs SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT.`,
    );
  } else if (key.rotationEnabled === false && key.keyManager !== 'AWS') {
    add(
      'KEY_ROTATION_DISABLED',
      `${trail}: automatic rotation is disabled for ${keyName(key)}.`,
    );
  }
}

function reportDecision(
  decision: PolicyDecision,
  code: 'CLOUDTRAIL_CANNOT_ENCRYPT' | 'CLOUDTRAIL_CANNOT_DESCRIBE_KEY',
  what: string,
  input: TrailAssessmentInput,
  key: KmsKeyInfo,
  add: AddFinding,
): boolean | undefined {
  const subject = `${trailName(input)}: the key policy of ${keyName(key)}`;
  if (decision === false) {
    add(code, `${subject} does not allow cloudtrail.amazonaws.com ${what}.`);
    return false;
  }
  if (decision === 'unknown') {
    add(
      code,
      `${subject} could not be confirmed to allow cloudtrail.amazonaws.com ${what}: it depends on conditions the scan cannot evaluate.`,
      'medium',
    );
    return undefined;
  }
  return true;
}

/** Our organization and its known members, as the key-policy evaluation takes them. */
function organizationOf(input: TrailAssessmentInput): {
  organizationId?: string;
  organizationAccountIds?: string[];
} {
  if (!input.organizationId) return {};
  const members = new Set(input.organizationAccountIds ?? []);
  // An organization trail seen from a member belongs to its management account.
  if (input.trail.isOrganizationTrail && members.has(input.scannedAccountId)) {
    members.add(input.trail.ownerAccountId);
  }
  return {
    organizationId: input.organizationId,
    organizationAccountIds: [...members],
  };
}

function policyOutcome(key: DescribedKeyInput, input: TrailAssessmentInput) {
  if (!key.policy) {
    return { reason: 'the key policy was not retrieved' } as const;
  }
  if ('error' in key.policy) return { reason: key.policy.error } as const;
  const evaluation = evaluateKeyPolicy(key.policy.raw, {
    trailArn: input.trail.trailArn,
    trailOwnerAccountId: input.trail.ownerAccountId,
    keyArn: key.info.arn,
    keyAccountId: key.info.accountId,
    bucketName: input.trail.s3BucketName,
    s3KeyPrefix: input.trail.s3KeyPrefix,
    bucketRegion: input.bucketRegion,
    isOrganizationTrail: input.trail.isOrganizationTrail,
    ...organizationOf(input),
  });
  return evaluation.readable
    ? ({ evaluation } as const)
    : ({ reason: evaluation.reason, document: true } as const);
}

function assessDescribedKey(
  input: TrailAssessmentInput,
  key: DescribedKeyInput,
  report: TrailReport,
  add: AddFinding,
) {
  const info: KmsKeyInfo = { ...key.info, policyReadable: false };
  report.kmsKey = info;
  checkRegion(input, info, report, add);
  checkKeyState(input, info, add);

  const outcome = policyOutcome(key, input);
  let policyPrincipals: DecryptPrincipal[] = [];
  if ('reason' in outcome) {
    add(
      'KEY_POLICY_UNREADABLE',
      `${trailName(input)}: the key policy of ${keyName(
        info,
      )} could not be read: ${outcome.reason}.`,
      undefined,
      'document' in outcome ? KEY_POLICY_DOCUMENT_REMEDIATION : undefined,
    );
  } else {
    const { evaluation } = outcome;
    info.policyReadable = true;
    report.cloudTrailCanEncrypt = reportDecision(
      evaluation.cloudTrailCanEncrypt,
      'CLOUDTRAIL_CANNOT_ENCRYPT',
      `to call kms:GenerateDataKey* for ${input.trail.trailArn}`,
      input,
      info,
      add,
    );
    report.cloudTrailCanDescribe = reportDecision(
      evaluation.cloudTrailCanDescribe,
      'CLOUDTRAIL_CANNOT_DESCRIBE_KEY',
      'to call kms:DescribeKey, so the trail cannot be created or updated with this key',
      input,
      info,
      add,
    );
    policyPrincipals = evaluation.decryptPrincipals;
  }

  const grantsKnown = key.grants === undefined || Array.isArray(key.grants);
  const grantPrincipals = Array.isArray(key.grants)
    ? principalsFromGrants(key.grants, input.trail)
    : [];
  report.decryptPrincipals = dedupePrincipals([
    ...policyPrincipals,
    ...grantPrincipals,
  ]);
  if ('reason' in outcome) return;

  const open = report.decryptPrincipals.filter(isOpenToAnyPrincipal);
  if (open.length) {
    const sources = [...new Set(open.map(p => p.source ?? p.principal))];
    add(
      'DECRYPT_OPEN_TO_ANY_PRINCIPAL',
      `${trailName(input)}: the key policy of ${keyName(
        info,
      )} lets any AWS principal decrypt the log files (${sources.join('; ')}).`,
    );
  }
  if (report.decryptPrincipals.length === 0 && grantsKnown) {
    add(
      'NO_DECRYPT_PRINCIPALS',
      `${trailName(
        input,
      )}: no principal may decrypt the log files with ${keyName(
        info,
      )} (neither its key policy nor its grants allow kms:Decrypt for this trail).`,
    );
  }
}

function checkCrossAccount(
  input: TrailAssessmentInput,
  report: TrailReport,
  add: AddFinding,
) {
  const ours = new Set([
    input.trail.ownerAccountId,
    input.scannedAccountId,
    ...(input.trustedAccountIds ?? []),
  ]);
  if (report.kmsKey) ours.add(report.kmsKey.accountId);
  const outside = new Map<string, DecryptPrincipal[]>();
  for (const principal of report.decryptPrincipals) {
    const account = principal.accountId;
    if (!account || ours.has(account)) continue;
    outside.set(account, [...(outside.get(account) ?? []), principal]);
  }
  for (const [account, principals] of outside) {
    const names = principals.map(p => `${p.principal} via ${p.via}`);
    add(
      'DECRYPT_CROSS_ACCOUNT',
      `${trailName(
        input,
      )}: account ${account} can decrypt the log files with ${keyName(
        report.kmsKey!,
      )} (${names.join('; ')}).`,
    );
  }
  // "*" pinned to an organization: ours is not cross-account; another one is.
  // Without our organization id the pin is left to the account status.
  const foreign = new Map<string, DecryptPrincipal[]>();
  for (const principal of report.decryptPrincipals) {
    const org = principal.organizationId;
    if (principal.accountId || !org || !input.organizationId) continue;
    if (org === input.organizationId) continue;
    foreign.set(org, [...(foreign.get(org) ?? []), principal]);
  }
  for (const [org, principals] of foreign) {
    const sources = [...new Set(principals.map(p => p.source ?? p.principal))];
    add(
      'DECRYPT_CROSS_ACCOUNT',
      `${trailName(
        input,
      )}: any principal of organization ${org}, which is not this estate's organization ${
        input.organizationId
      }, can decrypt the log files with ${keyName(
        report.kmsKey!,
      )} (${sources.join('; ')}).`,
    );
  }
}

function checkDelivery(
  input: TrailAssessmentInput,
  report: TrailReport,
  add: AddFinding,
) {
  const delivery = report.delivery;
  if (delivery.isLogging === false) {
    add('TRAIL_NOT_LOGGING', `${trailName(input)} is not logging.`);
  }
  const error = delivery.latestDeliveryError?.trim();
  if (latestDeliveryFailed(delivery)) {
    add(
      'TRAIL_DELIVERY_FAILING',
      `${trailName(input)} fails to deliver log files to ${bucketName(input)}${
        report.kmsKey ? ` encrypted with ${keyName(report.kmsKey)}` : ''
      }${
        error
          ? `: "${error}"`
          : ` (latest attempt ${
              delivery.latestDeliveryAttemptTime
            }, latest success ${
              delivery.latestDeliveryAttemptSucceeded || 'never'
            })`
      }.`,
    );
  }
}

/**
 * Builds one trail's report and findings from what the scan read.
 *
 * @public
 */
export function assessTrail(input: TrailAssessmentInput): TrailReport {
  const { trail, key } = input;
  const findings: Finding[] = [];
  const add: AddFinding = (code, message, severity, remediation) =>
    findings.push({
      code,
      severity: severity ?? FINDING_CATALOGUE[code].severity,
      message,
      remediation: remediation ?? FINDING_CATALOGUE[code].remediation,
      trailArn: trail.trailArn,
    });
  const encrypted = !!trail.kmsKeyId || !!key;
  const report: TrailReport = {
    trailArn: trail.trailArn,
    name: trail.name,
    homeRegion: trail.homeRegion,
    isMultiRegionTrail: trail.isMultiRegionTrail,
    isOrganizationTrail: trail.isOrganizationTrail,
    ownerAccountId: trail.ownerAccountId,
    s3BucketName: trail.s3BucketName,
    ...(input.bucketRegion ? { bucketRegion: input.bucketRegion } : {}),
    encryption: encrypted ? 'SSE-KMS' : 'SSE-S3',
    decryptPrincipals: [],
    delivery: deliveryOf(input.status),
    findings: [],
  };

  if (!encrypted) {
    add(
      'TRAIL_NOT_KMS_ENCRYPTED',
      `${trailName(input)}: log files in ${bucketName(
        input,
      )} are encrypted with SSE-S3 only; no KMS key is configured.`,
    );
  } else if (key && isDescribedKey(key)) {
    assessDescribedKey(input, key, report, add);
  } else {
    const info = keyFromArn(trail.kmsKeyId ?? 'unknown key', input);
    report.kmsKey = info;
    if (key && isMissingKey(key)) {
      // A key that does not exist can do nothing: these are facts, not unknowns.
      report.cloudTrailCanEncrypt = false;
      report.cloudTrailCanDescribe = false;
      add(
        'KMS_KEY_NOT_ENABLED',
        `${trailName(input)}: ${keyName(
          info,
        )} does not exist (deleted or not found); CloudTrail cannot encrypt log files.`,
      );
    } else {
      if (parseArn(info.arn)) checkRegion(input, info, report, add);
      const reason =
        key && 'error' in key ? key.error : 'the key was not described';
      add(
        'KEY_POLICY_UNREADABLE',
        `${trailName(input)}: ${keyName(
          info,
        )} could not be described: ${reason}.`,
      );
    }
  }
  checkCrossAccount(input, report, add);
  checkDelivery(input, report, add);
  report.findings = sortFindings(findings);
  return report;
}
