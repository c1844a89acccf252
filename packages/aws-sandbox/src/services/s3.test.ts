import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { sandboxClientConfig } from '../sandbox';
import {
  caught,
  clientsAs,
  clientsFor,
  DEMO,
  useSandbox,
} from '../__testUtils__/clients';

describe('S3', () => {
  const sandbox = useSandbox();

  it('reports bucket Regions, empty for us-east-1', async () => {
    const payments = await clientsAs(sandbox(), DEMO.payments);
    const east = await payments.s3.send(
      new GetBucketLocationCommand({
        Bucket: 'payments-prod-cloudtrail-100000000001',
      }),
    );
    expect(east.LocationConstraint).toBeUndefined();
    expect(east.$metadata.httpStatusCode).toBe(200);
    const ml = await clientsAs(sandbox(), DEMO.mlPlatform, {
      region: 'us-west-2',
    });
    const west = await ml.s3.send(
      new GetBucketLocationCommand({
        Bucket: 'ml-platform-cloudtrail-100000000011',
      }),
    );
    expect(west.LocationConstraint).toBe('us-west-2');
  });

  it('answers HeadBucket with the Region for owners and readers', async () => {
    const mgmt = clientsFor(sandbox());
    const out = await mgmt.s3.send(
      new HeadBucketCommand({ Bucket: 'tg-org-cloudtrail-logs' }),
    );
    expect(out.BucketRegion).toBe('us-east-1');
    expect(out.$metadata.httpStatusCode).toBe(200);
  });

  it('refuses other accounts with 403 but still names the Region', async () => {
    const payments = await clientsAs(sandbox(), DEMO.payments, {
      region: 'us-west-2',
    });
    const err = await caught(
      payments.s3.send(
        new HeadBucketCommand({
          Bucket: 'ml-platform-cloudtrail-100000000011',
        }),
      ),
    );
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.$response.headers['x-amz-bucket-region']).toBe('us-west-2');
    expect(err.$metadata.requestId).toBeDefined();
  });

  it('answers 404 NotFound for missing buckets', async () => {
    const { s3 } = clientsFor(sandbox());
    const err = await caught(
      s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket-here' })),
    );
    expect(err.name).toBe('NotFound');
    expect(err.$metadata.httpStatusCode).toBe(404);
    const loc = await caught(
      s3.send(new GetBucketLocationCommand({ Bucket: 'no-such-bucket-here' })),
    );
    expect(loc.name).toBe('NoSuchBucket');
    expect(loc.$metadata.httpStatusCode).toBe(404);
  });

  it('returns default encryption: AES256 unless configured otherwise', async () => {
    const payments = await clientsAs(sandbox(), DEMO.payments);
    const sse = await payments.s3.send(
      new GetBucketEncryptionCommand({
        Bucket: 'payments-prod-cloudtrail-100000000001',
      }),
    );
    expect(sse.ServerSideEncryptionConfiguration).toEqual({
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
          BucketKeyEnabled: false,
        },
      ],
    });
    const mgmt = clientsFor(sandbox());
    const kms = await mgmt.s3.send(
      new GetBucketEncryptionCommand({ Bucket: 'tg-org-cloudtrail-logs' }),
    );
    expect(kms.ServerSideEncryptionConfiguration!.Rules![0]).toEqual({
      ApplyServerSideEncryptionByDefault: {
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: DEMO.orgKeyArn,
      },
      BucketKeyEnabled: true,
    });
  });

  it('denies reading another account’s bucket configuration', async () => {
    const payments = await clientsAs(sandbox(), DEMO.payments);
    const err = await caught(
      payments.s3.send(
        new GetBucketEncryptionCommand({ Bucket: 'tg-org-cloudtrail-logs' }),
      ),
    );
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata.httpStatusCode).toBe(403);
  });

  it('lists the caller’s own buckets', async () => {
    const archive = await clientsAs(sandbox(), DEMO.logArchive);
    const out = await archive.s3.send(new ListBucketsCommand({}));
    expect(out.Buckets!.map(b => b.Name)).toEqual(['tg-org-cloudtrail-logs']);
  });

  it('redirects requests signed for another Region than the bucket’s', async () => {
    const payments = await clientsAs(sandbox(), DEMO.payments);
    const head = await caught(
      payments.s3.send(
        new HeadBucketCommand({
          Bucket: 'ml-platform-cloudtrail-100000000011',
        }),
      ),
    );
    expect(head.$metadata.httpStatusCode).toBe(301);
    expect(head.$response.headers['x-amz-bucket-region']).toBe('us-west-2');
    const mgmt = clientsFor(sandbox(), { region: 'eu-west-1' });
    const enc = await caught(
      mgmt.s3.send(
        new GetBucketEncryptionCommand({ Bucket: 'tg-org-cloudtrail-logs' }),
      ),
    );
    expect(enc.name).toBe('PermanentRedirect');
    expect(enc.$metadata.httpStatusCode).toBe(301);
    expect(enc.$response.headers['x-amz-bucket-region']).toBe('us-east-1');
    expect(enc.Endpoint).toBe('s3.us-east-1.amazonaws.com');
    // GetBucketLocation is how callers find a bucket's Region, so it answers
    // wherever it is sent.
    const loc = await mgmt.s3.send(
      new GetBucketLocationCommand({ Bucket: 'tg-org-cloudtrail-logs' }),
    );
    expect(loc.LocationConstraint).toBeUndefined();
  });

  it('follows the redirect when the client is asked to', async () => {
    const mgmt = new S3Client({
      ...sandboxClientConfig(sandbox().endpoint, 'eu-west-1'),
      followRegionRedirects: true,
      maxAttempts: 1,
    });
    const out = await mgmt.send(
      new GetBucketEncryptionCommand({ Bucket: 'tg-org-cloudtrail-logs' }),
    );
    expect(
      out.ServerSideEncryptionConfiguration!.Rules![0]
        .ApplyServerSideEncryptionByDefault!.SSEAlgorithm,
    ).toBe('aws:kms');
  });
});
