import { randomBytes } from 'node:crypto';

/** The i-th generated account of the API benchmark. */
export function accountId(i: number) {
  return String(300000000000 + i);
}

/** A realistic stored report: two trails, principals, findings. */
export function fixtureReport(i: number) {
  const id = accountId(i);
  const trail = (name: string, org: boolean) => ({
    trailArn: `arn:aws:cloudtrail:us-east-1:${
      org ? '300000000000' : id
    }:trail/${name}`,
    name,
    homeRegion: 'us-east-1',
    isMultiRegionTrail: true,
    isOrganizationTrail: org,
    ownerAccountId: org ? '300000000000' : id,
    s3BucketName: `${name}-cloudtrail-${id}`,
    bucketRegion: 'us-east-1',
    encryption: 'SSE-KMS',
    kmsKey: {
      arn: `arn:aws:kms:us-east-1:${id}:key/${randomBytes(16).toString('hex')}`,
      region: 'us-east-1',
      accountId: id,
      state: 'Enabled',
      keyManager: 'CUSTOMER',
      keySpec: 'SYMMETRIC_DEFAULT',
      multiRegion: false,
      rotationEnabled: i % 7 !== 0,
      policyReadable: true,
    },
    keyRegionMatchesBucket: true,
    cloudTrailCanEncrypt: true,
    cloudTrailCanDescribe: true,
    decryptPrincipals: [
      {
        principal: `arn:aws:iam::${id}:root`,
        kind: 'account-root',
        accountId: id,
        via: 'iam-delegation',
        conditions: [
          {
            operator: 'StringLike',
            key: 'kms:EncryptionContext:aws:cloudtrail:arn',
            values: [`arn:aws:cloudtrail:*:${id}:trail/*`],
          },
        ],
      },
      {
        principal: `arn:aws:iam::${id}:role/Auditor`,
        kind: 'iam-role',
        accountId: id,
        via: 'key-policy',
        conditions: [],
      },
    ],
    delivery: { isLogging: true, latestDeliveryTime: new Date().toISOString() },
    findings:
      i % 7 === 0
        ? [
            {
              code: 'KEY_ROTATION_DISABLED',
              severity: 'low',
              message: `Trail "${name}" (us-east-1): automatic rotation is disabled for its KMS key.`,
              remediation: 'Enable automatic key rotation on the key.',
            },
          ]
        : [],
  });
  const trails = [trail(`acct-${i}`, false), trail('org-trail', true)];
  return {
    accountId: id,
    accountName: `account-${i}`,
    scannedAt: new Date().toISOString(),
    lastSuccessAt: new Date().toISOString(),
    scanStatus: 'ok',
    status: i % 5 === 0 ? 'non-compliant' : 'compliant',
    trails,
    findings: trails.flatMap(t => t.findings),
  };
}
