import type {
  Finding,
  TrailReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import {
  decryptFor,
  OTHER,
  policyOf,
  ROOT_ADMIN,
  CLOUDTRAIL_DESCRIBE,
  CLOUDTRAIL_ENCRYPT,
} from './__fixtures__/keyPolicies';
import { healthyTrail, withKeyInfo } from './__fixtures__/trails';
import { assessAccount, trailDataGaps } from './assessAccount';
import { assessTrail } from './assessTrail';

const healthy = () => assessTrail(healthyTrail());
const sseS3 = () => {
  const input = healthyTrail({ key: undefined });
  return assessTrail({
    ...input,
    trail: { ...input.trail, kmsKeyId: undefined },
  });
};

describe('assessAccount', () => {
  it('no-trails when there are none', () => {
    expect(assessAccount({ trails: [] })).toEqual({
      status: 'no-trails',
      findings: [],
    });
    expect(assessAccount([]).status).toBe('no-trails');
  });

  it('compliant when every trail is KMS-encrypted and nothing blocks', () => {
    expect(assessAccount([healthy(), healthy()]).status).toBe('compliant');
  });

  it('medium and low findings do not block; an outside reader does', () => {
    const withReader = (extra: object[]) =>
      assessTrail(
        withKeyInfo(
          { rotationEnabled: false },
          {
            policy: {
              raw: JSON.stringify(
                policyOf(
                  ROOT_ADMIN,
                  CLOUDTRAIL_ENCRYPT,
                  CLOUDTRAIL_DESCRIBE,
                  ...extra,
                ),
              ),
            },
          },
        ),
      );
    const low = withReader([]);
    expect(low.findings.map(f => f.severity)).toEqual(['low']);
    const medium: Finding = {
      code: 'TRAIL_DELIVERY_FAILING',
      severity: 'medium',
      message: 'account-level',
      remediation: 'r',
    };
    expect(assessAccount({ trails: [low], findings: [medium] }).status).toBe(
      'compliant',
    );
    const outside = withReader([decryptFor({ AWS: OTHER })]);
    expect(outside.findings.map(f => [f.code, f.severity])).toEqual([
      ['DECRYPT_CROSS_ACCOUNT', 'high'],
      ['KEY_ROTATION_DISABLED', 'low'],
    ]);
    expect(assessAccount([outside]).status).toBe('non-compliant');
  });

  it('a trail that could not be described is unknown, never compliant', () => {
    const good = assessTrail(healthyTrail());
    const unread: TrailReport = {
      ...good,
      trailArn: `${good.trailArn}-unread`,
      encryption: 'SSE-S3',
      kmsKey: undefined,
      findings: [],
      decryptPrincipals: [],
      error: 'DescribeTrails failed: AccessDeniedException: denied',
    };
    expect(assessAccount([good]).status).toBe('compliant');
    expect(assessAccount([good, unread]).status).toBe('unknown');
    expect(trailDataGaps(unread)).toEqual([
      expect.stringContaining('could not be described'),
    ]);
    expect(assessAccount([sseS3(), unread]).status).toBe('non-compliant');
  });

  it('a partial scan is unknown unless something is non-compliant', () => {
    const good = assessTrail(healthyTrail());
    expect(assessAccount({ trails: [good], partial: true }).status).toBe(
      'unknown',
    );
    expect(assessAccount({ trails: [], partial: true }).status).toBe('unknown');
    expect(
      assessAccount({ trails: [good, sseS3()], partial: true }).status,
    ).toBe('non-compliant');
  });

  it('non-compliant when a trail is SSE-S3 only', () => {
    expect(assessAccount([healthy(), sseS3()]).status).toBe('non-compliant');
  });

  it('non-compliant on a confirmed critical finding, even beside unreadable data', () => {
    const unreadable = assessTrail(
      withKeyInfo({}, { policy: { error: 'AccessDenied' } }),
    );
    const disabled = assessTrail(withKeyInfo({ state: 'Disabled' }));
    expect(assessAccount([unreadable, disabled]).status).toBe('non-compliant');
  });

  it('unknown when a key policy could not be read and nothing else is wrong', () => {
    const unreadable = assessTrail(
      withKeyInfo({}, { policy: { error: 'AccessDenied' } }),
    );
    expect(assessAccount([healthy(), unreadable]).status).toBe('unknown');
  });

  it('unknown when the bucket Region could not be learned', () => {
    const report = assessTrail(healthyTrail({ bucketRegion: undefined }));
    expect(report.findings).toEqual([]);
    expect(trailDataGaps(report)).toEqual([
      'the bucket Region could not be learned',
    ]);
    expect(assessAccount([report]).status).toBe('unknown');
  });

  it('unknown when CloudTrail access could only be reported as unconfirmed', () => {
    const report = assessTrail(
      withKeyInfo(
        {},
        {
          policy: {
            raw: JSON.stringify(
              policyOf(
                {
                  ...CLOUDTRAIL_ENCRYPT,
                  Condition: { StringEquals: { 'aws:SourceOrgID': 'o-1' } },
                },
                CLOUDTRAIL_DESCRIBE,
                ROOT_ADMIN,
              ),
            ),
          },
        },
      ),
    );
    expect(report.findings.map(f => f.severity)).toEqual(['medium']);
    expect(assessAccount([report]).status).toBe('unknown');
  });

  it('a missing key is non-compliant, not unknown', () => {
    const report = assessTrail(healthyTrail({ key: { notFound: true } }));
    expect(assessAccount([report]).status).toBe('non-compliant');
  });

  it('merges account-level and trail findings, most severe first', () => {
    const accountFinding: Finding = {
      code: 'TRAIL_NOT_LOGGING',
      severity: 'low',
      message: 'account-level',
      remediation: 'r',
    };
    const trail: TrailReport = sseS3();
    const result = assessAccount({
      trails: [trail],
      findings: [accountFinding],
    });
    expect(result.findings.map(f => f.message)).toEqual([
      trail.findings[0].message,
      'account-level',
    ]);
  });
});
