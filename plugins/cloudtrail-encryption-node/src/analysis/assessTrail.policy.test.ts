import {
  CLOUDTRAIL_DESCRIBE,
  CLOUDTRAIL_ENCRYPT,
  decryptFor,
  DOCS_CROSS_ACCOUNT_POLICY,
  KMS_DEFAULT_POLICY,
  OTHER,
  OWNER,
  policyOf,
  ROOT_ADMIN,
  TRAIL_ARN,
} from './__fixtures__/keyPolicies';
import {
  codes,
  healthyTrail,
  KEY,
  only,
  TRAIL,
  withKeyInfo,
  withPolicy,
} from './__fixtures__/trails';
import { assessTrail } from './assessTrail';

describe('assessTrail: key policy findings', () => {
  it('CLOUDTRAIL_CANNOT_ENCRYPT and CLOUDTRAIL_CANNOT_DESCRIBE_KEY for the plain KMS default policy', () => {
    const report = assessTrail(withPolicy(KMS_DEFAULT_POLICY));
    expect(report.cloudTrailCanEncrypt).toBe(false);
    expect(report.cloudTrailCanDescribe).toBe(false);
    expect(report.findings.map(f => [f.code, f.severity, f.message])).toEqual([
      [
        'CLOUDTRAIL_CANNOT_ENCRYPT',
        'critical',
        `${TRAIL}: the key policy of ${KEY} does not allow cloudtrail.amazonaws.com to call kms:GenerateDataKey* for ${TRAIL_ARN}.`,
      ],
      [
        'CLOUDTRAIL_CANNOT_DESCRIBE_KEY',
        'high',
        `${TRAIL}: the key policy of ${KEY} does not allow cloudtrail.amazonaws.com to call kms:DescribeKey, so the trail cannot be created or updated with this key.`,
      ],
    ]);
  });

  it('reports an unconfirmable CloudTrail permission as medium and leaves the flag unknown', () => {
    const report = assessTrail(
      withPolicy(
        policyOf(
          ROOT_ADMIN,
          {
            ...CLOUDTRAIL_ENCRYPT,
            Condition: {
              StringEquals: { 'aws:SourceOrgID': 'o-a1b2c3d4e5' },
            },
          },
          CLOUDTRAIL_DESCRIBE,
        ),
      ),
    );
    expect(report.cloudTrailCanEncrypt).toBeUndefined();
    expect(report.cloudTrailCanDescribe).toBe(true);
    const finding = only(report, 'CLOUDTRAIL_CANNOT_ENCRYPT');
    expect(finding.severity).toBe('medium');
    expect(finding.message).toContain('could not be confirmed');
  });

  it('DECRYPT_OPEN_TO_ANY_PRINCIPAL for an unrestricted "*"', () => {
    const report = assessTrail(
      withPolicy(
        policyOf(
          ROOT_ADMIN,
          CLOUDTRAIL_ENCRYPT,
          CLOUDTRAIL_DESCRIBE,
          decryptFor('*', {}, 'Everyone'),
        ),
      ),
    );
    expect(report.findings.map(f => [f.code, f.severity, f.message])).toEqual([
      [
        'DECRYPT_OPEN_TO_ANY_PRINCIPAL',
        'critical',
        `${TRAIL}: the key policy of ${KEY} lets any AWS principal decrypt the log files (Everyone).`,
      ],
    ]);
  });

  it('DECRYPT_CROSS_ACCOUNT names the outside account, unless it is trusted', () => {
    const report = assessTrail(withPolicy(DOCS_CROSS_ACCOUNT_POLICY));
    expect(report.findings.map(f => [f.code, f.severity, f.message])).toEqual([
      [
        'DECRYPT_CROSS_ACCOUNT',
        'high',
        `${TRAIL}: account ${OTHER} can decrypt the log files with ${KEY} (arn:aws:iam::${OTHER}:root via iam-delegation).`,
      ],
    ]);
    expect(
      codes(
        assessTrail({
          ...withPolicy(DOCS_CROSS_ACCOUNT_POLICY),
          trustedAccountIds: [OTHER],
        }),
      ),
    ).toEqual([]);
    expect(
      codes(
        assessTrail({
          ...withPolicy(DOCS_CROSS_ACCOUNT_POLICY),
          scannedAccountId: OTHER,
        }),
      ),
    ).toEqual([]);
  });

  it('DECRYPT_CROSS_ACCOUNT also comes from grants', () => {
    const report = assessTrail(
      withPolicy(consoleDefaultPolicyWithout(), [
        {
          GrantId: 'g-9',
          GranteePrincipal: 'arn:aws:iam::333333333333:role/Siem',
          Operations: ['Decrypt'],
        },
      ]),
    );
    expect(only(report, 'DECRYPT_CROSS_ACCOUNT').message).toBe(
      `${TRAIL}: account 333333333333 can decrypt the log files with ${KEY} (arn:aws:iam::333333333333:role/Siem via grant).`,
    );
    expect(report.decryptPrincipals.at(-1)).toMatchObject({
      via: 'grant',
      source: 'g-9',
    });
  });

  it('NO_DECRYPT_PRINCIPALS when neither policy nor grants allow decrypt', () => {
    const report = assessTrail(
      withPolicy(policyOf(CLOUDTRAIL_ENCRYPT, CLOUDTRAIL_DESCRIBE)),
    );
    const finding = only(report, 'NO_DECRYPT_PRINCIPALS');
    expect(finding.severity).toBe('low');
    expect(finding.message).toBe(
      `${TRAIL}: no principal may decrypt the log files with ${KEY} (neither its key policy nor its grants allow kms:Decrypt for this trail).`,
    );
    // A grant is a reader; unreadable grants mean "unknown", not "no one".
    const withGrant = assessTrail(
      withPolicy(policyOf(CLOUDTRAIL_ENCRYPT, CLOUDTRAIL_DESCRIBE), [
        {
          GrantId: 'g',
          GranteePrincipal: `arn:aws:iam::${OWNER}:role/R`,
          Operations: ['Decrypt'],
        },
      ]),
    );
    expect(codes(withGrant)).toEqual([]);
    const grantsUnreadable = assessTrail(
      withPolicy(policyOf(CLOUDTRAIL_ENCRYPT, CLOUDTRAIL_DESCRIBE), {
        error: 'AccessDenied',
      }),
    );
    expect(codes(grantsUnreadable)).toEqual([]);
  });

  it('KEY_POLICY_UNREADABLE when GetKeyPolicy fails, without guessing the flags', () => {
    const report = assessTrail(
      withKeyInfo(
        {},
        {
          policy: {
            error:
              'AccessDeniedException: not authorized to perform kms:GetKeyPolicy',
          },
        },
      ),
    );
    expect(report.findings.map(f => [f.code, f.severity, f.message])).toEqual([
      [
        'KEY_POLICY_UNREADABLE',
        'high',
        `${TRAIL}: the key policy of ${KEY} could not be read: AccessDeniedException: not authorized to perform kms:GetKeyPolicy.`,
      ],
    ]);
    expect(report.kmsKey?.policyReadable).toBe(false);
    expect(report.cloudTrailCanEncrypt).toBeUndefined();
    expect(report.cloudTrailCanDescribe).toBeUndefined();
  });

  it('KEY_POLICY_UNREADABLE for a malformed policy, with the reason', () => {
    const report = assessTrail(
      withKeyInfo({}, { policy: { raw: '{"Statement": []}' } }),
    );
    expect(only(report, 'KEY_POLICY_UNREADABLE').message).toBe(
      `${TRAIL}: the key policy of ${KEY} could not be read: the key policy has an empty Statement list.`,
    );
  });

  it('KEY_POLICY_UNREADABLE when the key itself cannot be described, still checking its Region', () => {
    const report = assessTrail(
      healthyTrail({
        key: { error: 'AccessDeniedException' },
        bucketRegion: 'eu-west-1',
      }),
    );
    expect(report.findings.map(f => f.code)).toEqual([
      'KMS_KEY_REGION_MISMATCH',
      'KEY_POLICY_UNREADABLE',
    ]);
    expect(only(report, 'KEY_POLICY_UNREADABLE').message).toBe(
      `${TRAIL}: ${KEY} could not be described: AccessDeniedException.`,
    );
    expect(report.kmsKey?.state).toBe('Unknown');
  });
});

function consoleDefaultPolicyWithout() {
  return policyOf(ROOT_ADMIN, CLOUDTRAIL_ENCRYPT, CLOUDTRAIL_DESCRIBE);
}
