import { isAwsAccountId } from '@trailguard/plugin-cloudtrail-encryption-common';
import { assessTrail, evaluateKeyPolicy } from '../analysis';
import { parseArn } from '../policy/arn';

const TRAIL_ARN =
  /^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[\w.-]{1,128}$/;
const KEY_ARN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-)?[a-f0-9-]{32,36}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

export interface AnalyzePolicyOptions {
  /** The estate's organization, which decides aws:PrincipalOrgID & co. */
  organizationId?: string;
  /** Accounts whose decrypt access is not cross-account. */
  trustedAccountIds?: string[];
}

/** The CLI's `analyze-policy`: the evaluation and the findings it implies. */
export function analyzePolicy(
  policyText: string,
  trailArn: string,
  keyArn?: string,
  options: AnalyzePolicyOptions = {},
) {
  const { organizationId, trustedAccountIds = [] } = options;
  if (organizationId !== undefined && !ORGANIZATION_ID.test(organizationId)) {
    return {
      usage: `--organization-id is not an AWS Organizations id (o-…): "${organizationId}"`,
    };
  }
  const badAccount = trustedAccountIds.find(id => !isAwsAccountId(id));
  if (badAccount !== undefined) {
    return {
      usage: `--trusted-account must be a 12-digit AWS account id, got "${badAccount}"`,
    };
  }
  if (!TRAIL_ARN.test(trailArn)) {
    return {
      usage: `--trail-arn is not a CloudTrail trail ARN: "${trailArn}"`,
    };
  }
  if (keyArn !== undefined && !KEY_ARN.test(keyArn)) {
    return { usage: `--key-arn is not a KMS key ARN: "${keyArn}"` };
  }
  const trail = parseArn(trailArn)!;
  const key =
    keyArn ??
    `arn:${trail.partition}:kms:${trail.region}:${trail.accountId}:key/00000000-0000-0000-0000-000000000000`;
  const keyParts = parseArn(key)!;
  const context = {
    trailArn,
    trailOwnerAccountId: trail.accountId,
    keyArn: key,
    keyAccountId: keyParts.accountId,
  };
  // The trail owner and the trusted accounts stand for the estate: with an
  // organization id they are taken as its members.
  const members = [trail.accountId, ...trustedAccountIds];
  const organization = organizationId
    ? { organizationId, organizationAccountIds: members }
    : {};
  const evaluation = evaluateKeyPolicy(policyText, {
    ...context,
    ...organization,
  });
  const report = assessTrail({
    trail: {
      trailArn,
      name: trail.resource.replace(/^trail\//, ''),
      homeRegion: trail.region,
      isMultiRegionTrail: false,
      isOrganizationTrail: false,
      ownerAccountId: trail.accountId,
      s3BucketName: '(not analyzed)',
      kmsKeyId: key,
    },
    scannedAccountId: trail.accountId,
    bucketRegion: keyParts.region,
    key: {
      info: {
        arn: key,
        region: keyParts.region,
        accountId: keyParts.accountId,
        state: 'Enabled',
        keyManager: 'CUSTOMER',
        keySpec: 'SYMMETRIC_DEFAULT',
        keyUsage: 'ENCRYPT_DECRYPT',
      },
      policy: { raw: policyText },
    },
    trustedAccountIds,
    ...organization,
  });
  // Only what the policy decides: key state, rotation and delivery are not known here.
  const findings = report.findings.filter(
    f => !['KEY_ROTATION_DISABLED', 'TRAIL_NOT_LOGGING'].includes(f.code),
  );
  return {
    policyReadable: evaluation.readable,
    ...(evaluation.readable ? {} : { reason: evaluation.reason }),
    cloudTrailCanEncrypt: report.cloudTrailCanEncrypt ?? 'unknown',
    cloudTrailCanDescribe: report.cloudTrailCanDescribe ?? 'unknown',
    decryptPrincipals: report.decryptPrincipals,
    findings,
  };
}
