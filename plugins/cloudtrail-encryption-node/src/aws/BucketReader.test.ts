import { Sandbox, startSandbox } from '@trailguard/aws-sandbox';
import { AwsAccess } from './AwsAccess';
import { BucketReader } from './BucketReader';

describe('BucketReader', () => {
  let sandbox: Sandbox;
  let reader: BucketReader;
  let aws: AwsAccess;

  beforeAll(async () => {
    sandbox = await startSandbox();
    const { accessKeyId, secretAccessKey } = sandbox.credentials;
    aws = new AwsAccess({
      credentials: async () => async () => ({ accessKeyId, secretAccessKey }),
      endpoint: sandbox.endpoint,
      maxAttempts: 1,
    });
    reader = new BucketReader(aws, {
      defaultRegion: 'us-east-1',
      callTimeoutMs: 5_000,
    });
  });

  afterAll(async () => {
    aws.destroy();
    await sandbox.close();
  });

  it('reads the Region of a bucket in the client’s own Region', async () => {
    await expect(
      reader.bucketRegion('111111111111', 'tg-org-cloudtrail-logs'),
    ).resolves.toBe('us-east-1');
  });

  it('learns another Region from the 301 redirect, without access to the bucket', async () => {
    // The bucket lives in us-west-2 and belongs to another account: S3
    // answers 301 PermanentRedirect with x-amz-bucket-region.
    await expect(
      reader.bucketRegion(
        '111111111111',
        'ml-platform-cloudtrail-100000000011',
      ),
    ).resolves.toBe('us-west-2');
  });

  it('fails for a bucket that does not exist', async () => {
    await expect(
      reader.bucketRegion('111111111111', 'no-such-bucket-anywhere'),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });
});
