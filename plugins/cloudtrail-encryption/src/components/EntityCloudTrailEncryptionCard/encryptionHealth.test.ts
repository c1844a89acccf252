import type { TrailReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import { organizationTrail } from '../../__testUtils__/reports';
import { encryptionHealthOf } from './encryptionHealth';

function trail(overrides: Partial<TrailReport> = {}): TrailReport {
  return { ...organizationTrail, ...overrides };
}

function withKey(overrides: Partial<NonNullable<TrailReport['kmsKey']>>) {
  return trail({ kmsKey: { ...organizationTrail.kmsKey!, ...overrides } });
}

describe('encryptionHealthOf', () => {
  it('is working only when the key is enabled, in the bucket Region and usable by CloudTrail', () => {
    expect(encryptionHealthOf(trail())).toEqual({ kind: 'working' });
  });

  it('keeps SSE-S3 apart', () => {
    expect(
      encryptionHealthOf(trail({ encryption: 'SSE-S3', kmsKey: undefined })),
    ).toEqual({ kind: 'sse-s3' });
  });

  it.each([
    [{ state: 'Disabled' as const }, 'the key is not enabled (Disabled)'],
    [{ state: 'PendingDeletion' as const }, 'the key is pending deletion'],
    [
      { keySpec: 'RSA_2048' },
      'the key is not a symmetric encryption key (RSA_2048)',
    ],
  ])('is broken when the key is %j', (key, reason) => {
    expect(encryptionHealthOf(withKey(key))).toEqual({
      kind: 'broken',
      reasons: [reason],
    });
  });

  it('is broken by a Region mismatch or a policy that stops CloudTrail, with every reason', () => {
    const health = encryptionHealthOf(
      trail({
        bucketRegion: 'eu-west-1',
        keyRegionMatchesBucket: false,
        cloudTrailCanEncrypt: false,
      }),
    );
    expect(health).toEqual({
      kind: 'broken',
      reasons: [
        `the key is in ${
          organizationTrail.kmsKey!.region
        } but the bucket is in eu-west-1`,
        'the key policy does not let CloudTrail encrypt',
      ],
    });
  });

  it('is unconfirmed, not green, when something could not be read', () => {
    expect(
      encryptionHealthOf(trail({ cloudTrailCanEncrypt: undefined })),
    ).toEqual({
      kind: 'unconfirmed',
      reasons: ['whether the key policy lets CloudTrail encrypt is unknown'],
    });
    expect(encryptionHealthOf(trail({ kmsKey: undefined }))).toEqual({
      kind: 'unconfirmed',
      reasons: ['the key could not be read'],
    });
    expect(encryptionHealthOf(withKey({ state: 'Unknown' })).kind).toBe(
      'unconfirmed',
    );
  });
});
