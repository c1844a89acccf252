import type { TrailReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import { recommendation } from './checkRequest';

const PRIMARY =
  'arn:aws:kms:eu-west-1:100000000003:key/mrk-e24b0a68dbd8470cbbc1ca05ae45feda';
const REPLICA = PRIMARY.replace(':eu-west-1:', ':us-east-1:');

function trail(kmsKey?: Partial<NonNullable<TrailReport['kmsKey']>>) {
  return {
    trailArn: 'arn:aws:cloudtrail:us-east-1:100000000003:trail/data-lake-trail',
    bucketRegion: 'us-east-1',
    ...(kmsKey
      ? { kmsKey: { arn: PRIMARY, region: 'eu-west-1', ...kmsKey } }
      : {}),
  } as TrailReport;
}

describe('recommendation', () => {
  it.each([
    [['TRAIL_NOT_KMS_ENCRYPTED'], undefined, 'create'],
    [['KMS_KEY_NOT_ENABLED', 'TRAIL_DELIVERY_FAILING'], {}, 'create'],
    [['KMS_KEY_PENDING_DELETION'], {}, 'create'],
    [['DECRYPT_OPEN_TO_ANY_PRINCIPAL'], {}, 'narrow-decrypt'],
    [['CLOUDTRAIL_CANNOT_ENCRYPT'], {}, 'existing'],
    [['KMS_KEY_REGION_MISMATCH'], { multiRegion: false }, 'create'],
  ])('%j → %s', (codes, key, mode) => {
    expect(recommendation(trail(key as any), codes).mode).toBe(mode);
  });

  it('a multi-Region key with a replica in the bucket Region → existing with the replica', () => {
    expect(
      recommendation(
        trail({
          multiRegion: true,
          multiRegionKeyType: 'PRIMARY',
          primaryKeyArn: PRIMARY,
          replicaKeyArns: [REPLICA],
        }),
        ['KMS_KEY_REGION_MISMATCH'],
      ),
    ).toEqual({ mode: 'existing', replicaKeyArn: REPLICA });
  });

  it('a multi-Region primary without a replica there → replicate', () => {
    expect(
      recommendation(
        trail({
          multiRegion: true,
          multiRegionKeyType: 'PRIMARY',
          primaryKeyArn: PRIMARY,
          replicaKeyArns: [],
        }),
        ['KMS_KEY_REGION_MISMATCH'],
      ),
    ).toEqual({ mode: 'replicate' });
  });

  it('findings no action fixes → manual, with the steps', () => {
    const advice = recommendation(trail({}), ['TRAIL_NOT_LOGGING']);
    expect(advice.mode).toBe('manual');
    expect(advice.manualSteps).toContain('aws cloudtrail start-logging');
  });
});
