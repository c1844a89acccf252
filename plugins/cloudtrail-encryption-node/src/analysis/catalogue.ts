import {
  FINDING_TITLES,
  type FindingCode,
  type Severity,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/** @public */
export interface FindingCatalogueEntry {
  severity: Severity;
  title: string;
  description: string;
  remediation: string;
}

/**
 * The finding codes, as documented in docs/findings.md (a test keeps the two in step).
 *
 * @public
 */
export const FINDING_CATALOGUE: Record<FindingCode, FindingCatalogueEntry> = {
  TRAIL_NOT_KMS_ENCRYPTED: {
    ...FINDING_TITLES.TRAIL_NOT_KMS_ENCRYPTED,
    description:
      'The trail has no KMS key, so its log files are only encrypted with SSE-S3: anyone who can read the bucket can read the logs.',
    remediation:
      'Create a symmetric customer managed KMS key in the bucket Region with a CloudTrail key policy, and set it on the trail (aws cloudtrail update-trail --kms-key-id).',
  },
  KMS_KEY_REGION_MISMATCH: {
    ...FINDING_TITLES.KMS_KEY_REGION_MISMATCH,
    description:
      'CloudTrail requires the KMS key to be in the same Region as the S3 bucket that receives the logs. For a multi-Region key, the key ARN set on the trail must be the replica in the bucket Region.',
    remediation:
      'Use a key (or a replica of a multi-Region key) in the bucket Region and update the trail to use its ARN.',
  },
  KMS_KEY_NOT_ENABLED: {
    ...FINDING_TITLES.KMS_KEY_NOT_ENABLED,
    description:
      'The trail key is disabled, in another unusable state, or no longer exists; CloudTrail cannot encrypt and deliver log files.',
    remediation:
      'Enable the key (aws kms enable-key) or, if it was deleted, configure the trail with a new key that has a CloudTrail key policy.',
  },
  KMS_KEY_PENDING_DELETION: {
    ...FINDING_TITLES.KMS_KEY_PENDING_DELETION,
    description:
      'The trail key is scheduled for deletion. Delivery already fails, and once it is deleted every log file encrypted with it becomes permanently unreadable.',
    remediation:
      'Cancel the deletion (aws kms cancel-key-deletion), then re-enable the key; or move the trail to another key before the deletion date.',
  },
  KMS_KEY_NOT_SYMMETRIC: {
    ...FINDING_TITLES.KMS_KEY_NOT_SYMMETRIC,
    description:
      'CloudTrail only supports symmetric encryption keys (key spec SYMMETRIC_DEFAULT, key usage ENCRYPT_DECRYPT).',
    remediation:
      'Create a symmetric encryption KMS key with a CloudTrail key policy and configure the trail to use it.',
  },
  CLOUDTRAIL_CANNOT_ENCRYPT: {
    ...FINDING_TITLES.CLOUDTRAIL_CANNOT_ENCRYPT,
    description:
      'The key policy does not allow cloudtrail.amazonaws.com to call kms:GenerateDataKey* for this trail, so log delivery fails. Reported as medium when the policy depends on conditions the scan cannot evaluate and so could not be confirmed.',
    remediation:
      'Add the "Allow CloudTrail to encrypt logs" statement: Service cloudtrail.amazonaws.com, kms:GenerateDataKey*, with StringLike kms:EncryptionContext:aws:cloudtrail:arn = arn:aws:cloudtrail:*:<owner-account-id>:trail/* and StringEquals aws:SourceArn = the trail ARN; make sure no Deny matches CloudTrail.',
  },
  CLOUDTRAIL_CANNOT_DESCRIBE_KEY: {
    ...FINDING_TITLES.CLOUDTRAIL_CANNOT_DESCRIBE_KEY,
    description:
      'The key policy does not allow cloudtrail.amazonaws.com to call kms:DescribeKey, so the trail cannot be created or updated with this key. Reported as medium when it could not be confirmed.',
    remediation:
      'Add the "Allow CloudTrail to describe key" statement: Service cloudtrail.amazonaws.com, kms:DescribeKey (optionally with StringEquals aws:SourceArn = the trail ARN).',
  },
  DECRYPT_OPEN_TO_ANY_PRINCIPAL: {
    ...FINDING_TITLES.DECRYPT_OPEN_TO_ANY_PRINCIPAL,
    description:
      'A key policy statement grants kms:Decrypt to "*" (or to everyone but a few through NotPrincipal) without restricting the caller to accounts or an organization: any principal in any AWS account who can read the bucket can read the logs.',
    remediation:
      'Restrict the statement with kms:CallerAccount (your accounts) or aws:PrincipalOrgID (your organization), or name the reader roles explicitly.',
  },
  DECRYPT_CROSS_ACCOUNT: {
    ...FINDING_TITLES.DECRYPT_CROSS_ACCOUNT,
    description:
      'A principal outside the estate may decrypt the log files: an account that is neither in the estate (the organization and the configured accounts), the key owner, the trail owner nor a trusted account, or any principal of another AWS Organization ("*" pinned by aws:PrincipalOrgID to an organization other than the estate one).',
    remediation:
      'Confirm the account or organization should read these logs; otherwise remove it from the key policy or grants (or pin the statement to your own organization), or add the account to cloudtrailEncryption.trustedAccountIds.',
  },
  NO_DECRYPT_PRINCIPALS: {
    ...FINDING_TITLES.NO_DECRYPT_PRINCIPALS,
    description:
      'Neither the key policy nor any grant allows kms:Decrypt with the trail encryption context (an account delegating to IAM counts as a principal), so the logs cannot be read when they are needed.',
    remediation:
      'Add a statement allowing kms:Decrypt with the kms:EncryptionContext:aws:cloudtrail:arn condition to your log readers, or to your account (kms:CallerAccount) so IAM policies can grant it.',
  },
  KEY_POLICY_UNREADABLE: {
    ...FINDING_TITLES.KEY_POLICY_UNREADABLE,
    description:
      'The key or its policy could not be read (for example access denied on a key in another account) or the policy could not be understood; whether CloudTrail can use the key and who can read the logs is unknown.',
    remediation:
      'Allow the scanning role kms:DescribeKey and kms:GetKeyPolicy on the key (in the key policy for keys in other accounts), then rescan.',
  },
  KEY_ROTATION_DISABLED: {
    ...FINDING_TITLES.KEY_ROTATION_DISABLED,
    description:
      'Automatic rotation is off for the customer managed key that encrypts the logs.',
    remediation: 'Enable automatic key rotation (aws kms enable-key-rotation).',
  },
  TRAIL_NOT_LOGGING: {
    ...FINDING_TITLES.TRAIL_NOT_LOGGING,
    description: 'Logging is stopped on the trail; no events are recorded.',
    remediation: 'Start logging (aws cloudtrail start-logging --name <trail>).',
  },
  TRAIL_DELIVERY_FAILING: {
    ...FINDING_TITLES.TRAIL_DELIVERY_FAILING,
    description:
      'CloudTrail reports an error delivering log files to S3, often a KMS or bucket policy problem.',
    remediation:
      'Fix the cause named in the error (key state, key policy, bucket policy or bucket existence), then check that LatestDeliveryTime advances.',
  },
  READER_OUTSIDE_ORGANIZATION: {
    ...FINDING_TITLES.READER_OUTSIDE_ORGANIZATION,
    description:
      'An IAM role or user of an account outside the organization can read the log files: it has both s3:GetObject on the log objects and kms:Decrypt through S3, or can assume a role that has both.',
    remediation:
      "Remove the outside principal from the key policy, the bucket policy or the reader role's trust policy (see the reader's path on the card), or add its account to cloudtrailEncryption.trustedAccountIds if it is trusted; then rescan.",
  },
  READER_ROLE_ASSUMABLE_BY_ANY: {
    ...FINDING_TITLES.READER_ROLE_ASSUMABLE_BY_ANY,
    description:
      'A role that can read the log files trusts any principal or every account (a trust policy without a principal, account or organization restriction), so anyone who can call sts:AssumeRole reads the logs.',
    remediation:
      "Restrict the role's trust policy to named principals (or add an aws:PrincipalOrgID condition), or remove its log-read permissions; then rescan.",
  },
  READERS_UNRESOLVED: {
    ...FINDING_TITLES.READERS_UNRESOLVED,
    description:
      "The key or bucket policy lets principals of an account in, but that account's IAM could not be read, so its readers are not named.",
    remediation:
      "Allow the TrailGuard scan role iam:GetAccountAuthorizationDetails in the named account (AWS's SecurityAudit managed policy includes it), then rescan.",
  },
  READERS_VIA_BROAD_POLICY: {
    ...FINDING_TITLES.READERS_VIA_BROAD_POLICY,
    description:
      'Three or more readers hold log access only through broad policies (all actions, or all KMS or S3 actions, on every resource) rather than a grant meant for the logs; one administrator role alone is expected and not reported.',
    remediation:
      'Review those principals; scope their policies to the actions and resources they need.',
  },
};

/**
 * KEY_POLICY_UNREADABLE when the policy was read but is not a document KMS
 * would accept as written: more access does not help, the text must change.
 */
export const KEY_POLICY_DOCUMENT_REMEDIATION =
  'The key policy was read but is not a document KMS would accept (see the reason): correct it and write it back with kms:PutKeyPolicy (the remediation template validates it first), then rescan. Statements that KMS accepts but that have no effect, such as one without Resource, are ignored rather than reported here.';
