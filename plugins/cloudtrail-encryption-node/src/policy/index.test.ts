import {
  accountIdFromArn,
  accountRootArn,
  CLOUDTRAIL_SERVICE_PRINCIPAL,
  consoleStyleCloudTrailKeyPolicy,
  parseArn,
  parsePolicy,
  partitionOf,
  regionFromArn,
} from '.';
import { evaluateKeyPolicy } from '../analysis';

const PARTITIONS = [
  ['aws', 'us-east-1'],
  ['aws-cn', 'cn-north-1'],
  ['aws-us-gov', 'us-gov-west-1'],
] as const;

describe('the policy toolkit', () => {
  it('keeps the ARN names the engine exported', () => {
    const arn = 'arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/abc';
    expect(parseArn(arn)).toEqual({
      partition: 'aws-us-gov',
      service: 'kms',
      region: 'us-gov-west-1',
      accountId: '111122223333',
      resource: 'key/abc',
    });
    expect(accountIdFromArn(arn)).toBe('111122223333');
    expect(regionFromArn(arn)).toBe('us-gov-west-1');
    expect(partitionOf(arn)).toBe('aws-us-gov');
    expect(accountIdFromArn('arn:aws:s3:::bucket')).toBeUndefined();
    expect(regionFromArn('arn:aws:iam::111122223333:root')).toBeUndefined();
  });

  it.each(PARTITIONS)(
    'builds a key policy in %s that its own parser and the scan accept',
    (partition, region) => {
      const trailArn = `arn:${partition}:cloudtrail:${region}:111122223333:trail/main`;
      const keyArn = `arn:${partition}:kms:${region}:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
      const reader = `arn:${partition}:iam::444455556666:role/LogReader`;
      const policy = consoleStyleCloudTrailKeyPolicy({
        keyAccountId: '444455556666',
        orgTrail: trailArn,
        readers: [reader],
      });
      const text = JSON.stringify(policy, null, 2);
      expect(parsePolicy(text, { forPutKeyPolicy: true }).ok).toBe(true);
      expect(policy.Statement[0].Principal).toEqual({
        AWS: accountRootArn(partition, '444455556666'),
      });
      expect(accountRootArn(partition, '444455556666')).toBe(
        `arn:${partition}:iam::444455556666:root`,
      );
      expect(policy.Statement[1].Principal).toEqual({
        Service: CLOUDTRAIL_SERVICE_PRINCIPAL,
      });
      expect(CLOUDTRAIL_SERVICE_PRINCIPAL).toBe('cloudtrail.amazonaws.com');

      const evaluation = evaluateKeyPolicy(text, {
        trailArn,
        trailOwnerAccountId: '111122223333',
        keyArn,
        keyAccountId: '444455556666',
      });
      if (!evaluation.readable) throw new Error(evaluation.reason);
      expect(evaluation.cloudTrailCanEncrypt).toBe(true);
      expect(evaluation.cloudTrailCanDescribe).toBe(true);
      expect(evaluation.decryptPrincipals).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ principal: reader, via: 'key-policy' }),
        ]),
      );
    },
  );

  it('lets the scan see a builder limited to another trail as not granting', () => {
    const policy = consoleStyleCloudTrailKeyPolicy({
      keyAccountId: '111122223333',
      trailArns: ['arn:aws:cloudtrail:us-east-1:111122223333:trail/other'],
    });
    const evaluation = evaluateKeyPolicy(policy, {
      trailArn: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main',
      trailOwnerAccountId: '111122223333',
      keyArn:
        'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      keyAccountId: '111122223333',
    });
    expect(evaluation.readable && evaluation.cloudTrailCanEncrypt).toBe(false);
  });
});
