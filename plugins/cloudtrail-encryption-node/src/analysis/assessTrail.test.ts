import { FINDING_CODES } from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  CLOUDTRAIL_ENCRYPT,
  decryptFor,
  DOCS_CROSS_ACCOUNT_POLICY,
  KEY_ARN,
  KMS_DEFAULT_POLICY,
  OTHER,
  OWNER,
  policyOf,
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
import { FINDING_CATALOGUE } from './catalogue';
import type { TrailAssessmentInput } from './types';
import { READER_FINDING_CODES } from '../readers/findings';

describe('assessTrail', () => {
  it('reports a console-configured trail without findings', () => {
    const report = assessTrail(healthyTrail());
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({
      trailArn: TRAIL_ARN,
      encryption: 'SSE-KMS',
      bucketRegion: 'us-east-1',
      keyRegionMatchesBucket: true,
      cloudTrailCanEncrypt: true,
      cloudTrailCanDescribe: true,
      delivery: {
        isLogging: true,
        latestDeliveryTime: '2024-05-01T10:00:00.000Z',
      },
    });
    expect(report.kmsKey).toMatchObject({
      arn: KEY_ARN,
      policyReadable: true,
      state: 'Enabled',
    });
    expect(report.decryptPrincipals.map(p => [p.principal, p.via])).toEqual([
      [`arn:aws:iam::${OWNER}:root`, 'iam-delegation'],
      [`arn:aws:iam::${OWNER}:user/username`, 'key-policy'],
      ['*', 'iam-delegation'],
    ]);
  });

  it('TRAIL_NOT_KMS_ENCRYPTED for SSE-S3', () => {
    const input = healthyTrail({ key: undefined });
    const report = assessTrail({
      ...input,
      trail: { ...input.trail, kmsKeyId: undefined },
    });
    expect(report.encryption).toBe('SSE-S3');
    expect(report.kmsKey).toBeUndefined();
    expect(report.cloudTrailCanEncrypt).toBeUndefined();
    expect(report.findings).toEqual([
      {
        code: 'TRAIL_NOT_KMS_ENCRYPTED',
        severity: 'high',
        message: `${TRAIL}: log files in bucket "audit-logs" (us-east-1) are encrypted with SSE-S3 only; no KMS key is configured.`,
        remediation: FINDING_CATALOGUE.TRAIL_NOT_KMS_ENCRYPTED.remediation,
        trailArn: TRAIL_ARN,
      },
    ]);
  });

  describe('key Region', () => {
    it('KMS_KEY_REGION_MISMATCH when the bucket is elsewhere', () => {
      const report = assessTrail(healthyTrail({ bucketRegion: 'eu-west-1' }));
      expect(report.keyRegionMatchesBucket).toBe(false);
      const finding = only(report, 'KMS_KEY_REGION_MISMATCH');
      expect(finding.severity).toBe('critical');
      expect(finding.message).toBe(
        `${TRAIL}: ${KEY} is not in the Region of bucket "audit-logs" (eu-west-1).`,
      );
    });

    it('asks for the replica of a multi-Region key', () => {
      const input = withKeyInfo({ multiRegion: true });
      const report = assessTrail({ ...input, bucketRegion: 'eu-west-1' });
      expect(only(report, 'KMS_KEY_REGION_MISMATCH').message).toContain(
        "use the multi-Region key's replica in eu-west-1",
      );
    });

    it("names the multi-Region key's replica in the bucket's Region", () => {
      const replica = KEY_ARN.replace(':us-east-1:', ':eu-west-1:');
      const input = withKeyInfo({
        multiRegion: true,
        multiRegionKeyType: 'PRIMARY',
        primaryKeyArn: KEY_ARN,
        replicaKeyArns: [replica],
      });
      const report = assessTrail({ ...input, bucketRegion: 'eu-west-1' });
      expect(only(report, 'KMS_KEY_REGION_MISMATCH').message).toContain(
        `use the multi-Region key's replica in eu-west-1, ${replica}`,
      );
    });

    it('says when a multi-Region key has no replica in the bucket Region', () => {
      const input = withKeyInfo({
        multiRegion: true,
        multiRegionKeyType: 'PRIMARY',
        primaryKeyArn: KEY_ARN,
        replicaKeyArns: [],
      });
      const report = assessTrail({ ...input, bucketRegion: 'eu-west-1' });
      expect(only(report, 'KMS_KEY_REGION_MISMATCH').message).toContain(
        'has no replica in eu-west-1: replicate it there (ReplicateKey)',
      );
    });

    it('stays undecided when the bucket Region is unknown', () => {
      const report = assessTrail(healthyTrail({ bucketRegion: undefined }));
      expect(report.keyRegionMatchesBucket).toBeUndefined();
      expect(report.bucketRegion).toBeUndefined();
      expect(report.findings).toEqual([]);
    });
  });

  describe('key state and type', () => {
    it.each(['Disabled', 'Unavailable', 'PendingImport'])(
      'KMS_KEY_NOT_ENABLED when %s',
      state => {
        const finding = only(
          assessTrail(withKeyInfo({ state })),
          'KMS_KEY_NOT_ENABLED',
        );
        expect(finding.severity).toBe('critical');
        expect(finding.message).toBe(`${TRAIL}: ${KEY} is ${state}.`);
      },
    );

    it('KMS_KEY_NOT_ENABLED when the key does not exist, without guessing anything else', () => {
      const report = assessTrail(
        healthyTrail({ key: { notFound: true, error: 'NotFoundException' } }),
      );
      expect(report.findings.map(f => [f.code, f.message])).toEqual([
        [
          'KMS_KEY_NOT_ENABLED',
          `${TRAIL}: ${KEY} does not exist (deleted or not found); CloudTrail cannot encrypt log files.`,
        ],
      ]);
      expect(report.kmsKey).toEqual({
        arn: KEY_ARN,
        keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
        region: 'us-east-1',
        accountId: OWNER,
        state: 'Unknown',
        policyReadable: false,
      });
      expect(report.cloudTrailCanEncrypt).toBe(false);
      expect(report.decryptPrincipals).toEqual([]);
    });

    it('KMS_KEY_PENDING_DELETION with the date', () => {
      const report = assessTrail(
        withKeyInfo({
          state: 'PendingDeletion',
          deletionDate: '2024-06-01T00:00:00.000Z',
        }),
      );
      const finding = only(report, 'KMS_KEY_PENDING_DELETION');
      expect(finding.severity).toBe('critical');
      expect(finding.message).toBe(
        `${TRAIL}: ${KEY} is scheduled for deletion on 2024-06-01T00:00:00.000Z.`,
      );
      expect(codes(report)).not.toContain('KMS_KEY_NOT_ENABLED');
    });

    it('KMS_KEY_NOT_SYMMETRIC for an asymmetric or HMAC key', () => {
      const report = assessTrail(
        withKeyInfo({
          keySpec: 'RSA_2048',
          keyUsage: 'SIGN_VERIFY',
          rotationEnabled: false,
        }),
      );
      expect(only(report, 'KMS_KEY_NOT_SYMMETRIC').message).toBe(
        `${TRAIL}: ${KEY} has key spec RSA_2048 and usage SIGN_VERIFY; CloudTrail needs SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT.`,
      );
      // Rotation does not apply to asymmetric keys.
      expect(codes(report)).not.toContain('KEY_ROTATION_DISABLED');
      expect(
        codes(
          assessTrail(
            withKeyInfo({
              keySpec: 'HMAC_256',
              keyUsage: 'GENERATE_VERIFY_MAC',
            }),
          ),
        ),
      ).toContain('KMS_KEY_NOT_SYMMETRIC');
    });

    it('KEY_ROTATION_DISABLED for customer managed keys only, never guessed', () => {
      const finding = only(
        assessTrail(withKeyInfo({ rotationEnabled: false, multiRegion: true })),
        'KEY_ROTATION_DISABLED',
      );
      expect(finding.severity).toBe('low');
      expect(finding.message).toBe(
        `${TRAIL}: automatic rotation is disabled for ${KEY}.`,
      );
      expect(
        codes(assessTrail(withKeyInfo({ rotationEnabled: undefined }))),
      ).toEqual([]);
      expect(
        codes(
          assessTrail(
            withKeyInfo({ rotationEnabled: false, keyManager: 'AWS' }),
          ),
        ),
      ).toEqual([]);
    });
  });

  describe('delivery', () => {
    it('TRAIL_NOT_LOGGING and TRAIL_DELIVERY_FAILING, quoting the error', () => {
      const report = assessTrail(
        healthyTrail({
          status: {
            isLogging: false,
            latestDeliveryError: 'KMS.DisabledException',
          },
        }),
      );
      expect(report.findings.map(f => [f.code, f.severity, f.message])).toEqual(
        [
          ['TRAIL_NOT_LOGGING', 'high', `${TRAIL} is not logging.`],
          [
            'TRAIL_DELIVERY_FAILING',
            'high',
            `${TRAIL} fails to deliver log files to bucket "audit-logs" (us-east-1) encrypted with ${KEY}: "KMS.DisabledException".`,
          ],
        ],
      );
      expect(report.delivery).toEqual({
        isLogging: false,
        latestDeliveryError: 'KMS.DisabledException',
      });
    });

    it('judges by the latest attempt, not by an error an older attempt left behind', () => {
      const recovered = assessTrail(
        healthyTrail({
          status: {
            isLogging: true,
            latestDeliveryError: 'KMS.NotFoundException',
            latestDeliveryAttemptTime: '2024-05-01T10:05:00Z',
            latestDeliveryAttemptSucceeded: '2024-05-01T10:05:00Z',
          },
        }),
      );
      expect(codes(recovered)).toEqual([]);
      expect(recovered.delivery).toMatchObject({
        latestDeliveryAttemptTime: '2024-05-01T10:05:00Z',
        latestDeliveryAttemptSucceeded: '2024-05-01T10:05:00Z',
      });

      const failing = assessTrail(
        healthyTrail({
          status: {
            isLogging: true,
            latestDeliveryError: 'AccessDenied',
            latestDeliveryAttemptTime: '2024-05-01T10:05:00Z',
            latestDeliveryAttemptSucceeded: '2024-05-01T09:00:00Z',
          },
        }),
      );
      expect(only(failing, 'TRAIL_DELIVERY_FAILING').message).toBe(
        `${TRAIL} fails to deliver log files to bucket "audit-logs" (us-east-1) encrypted with ${KEY}: "AccessDenied".`,
      );

      const neverDelivered = assessTrail(
        healthyTrail({
          status: {
            isLogging: true,
            latestDeliveryAttemptTime: '2024-05-01T10:05:00Z',
          },
        }),
      );
      expect(only(neverDelivered, 'TRAIL_DELIVERY_FAILING').message).toContain(
        '(latest attempt 2024-05-01T10:05:00Z, latest success never)',
      );
    });

    it('reports nothing about delivery when the status could not be read', () => {
      const report = assessTrail(
        healthyTrail({ status: { error: 'AccessDenied' } }),
      );
      expect(report.delivery).toEqual({});
      expect(report.findings).toEqual([]);
    });
  });

  it('sorts findings most severe first', () => {
    const report = assessTrail(
      withKeyInfo(
        { rotationEnabled: false, state: 'Disabled' },
        { policy: { raw: JSON.stringify(DOCS_CROSS_ACCOUNT_POLICY) } },
      ),
    );
    expect(report.findings.map(f => f.severity)).toEqual([
      'critical',
      'high',
      'low',
    ]);
    expect(codes(report)).toEqual([
      'KMS_KEY_NOT_ENABLED',
      'DECRYPT_CROSS_ACCOUNT',
      'KEY_ROTATION_DISABLED',
    ]);
  });

  it('can produce every finding code', () => {
    const inputs: TrailAssessmentInput[] = [
      {
        ...healthyTrail({ key: undefined }),
        trail: { ...healthyTrail().trail, kmsKeyId: undefined },
      },
      healthyTrail({
        bucketRegion: 'eu-west-1',
        status: { isLogging: false, latestDeliveryError: 'x' },
      }),
      withKeyInfo({ state: 'Disabled' }),
      withKeyInfo({ state: 'PendingDeletion', keySpec: 'RSA_2048' }),
      withPolicy(KMS_DEFAULT_POLICY),
      withPolicy(policyOf(decryptFor('*'), decryptFor({ AWS: OTHER }))),
      withPolicy(policyOf(CLOUDTRAIL_ENCRYPT)),
      withKeyInfo({ rotationEnabled: false }, { policy: { error: 'denied' } }),
    ];
    const produced = new Set(
      inputs.flatMap(input => codes(assessTrail(input))),
    );
    // The reader codes come from analyzeReaders (src/readers), tested there.
    expect([...produced].sort()).toEqual(
      FINDING_CODES.filter(c => !READER_FINDING_CODES.includes(c)).sort(),
    );
  });
});
