import {
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
} from '@aws-sdk/client-s3';
import { loadScenario } from '../scenario/load';
import { startSandbox } from '../sandbox';
import { SandboxState } from '../state/state';
import { cloudTrailCanWrite } from './s3BucketPolicy';
import {
  caught,
  clientsAs,
  clientsFor,
  DEMO,
  useSandbox,
} from '../__testUtils__/clients';

const ORG_BUCKET = 'tg-org-cloudtrail-logs';
const MARKETING = 'marketing-sandbox-cloudtrail-100000000002';

describe('S3 bucket policy and Block Public Access reads', () => {
  const sandbox = useSandbox();

  it('gives the owner the Block Public Access configuration', async () => {
    const { s3 } = await clientsAs(sandbox(), DEMO.logArchive);
    const out = await s3.send(
      new GetPublicAccessBlockCommand({ Bucket: ORG_BUCKET }),
    );
    expect(out.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
  });

  it('answers NoSuchPublicAccessBlockConfiguration when none is set', async () => {
    const { s3 } = await clientsAs(sandbox(), DEMO.marketing);
    const err = await caught(
      s3.send(new GetPublicAccessBlockCommand({ Bucket: MARKETING })),
    );
    expect(err.name).toBe('NoSuchPublicAccessBlockConfiguration');
    expect(err.$metadata.httpStatusCode).toBe(404);
  });

  it('refuses other accounts both reads, even those that may HeadBucket', async () => {
    // The management account is one of the org bucket's configuration readers.
    const { s3 } = clientsFor(sandbox());
    await expect(
      s3.send(new HeadBucketCommand({ Bucket: ORG_BUCKET })),
    ).resolves.toBeDefined();
    for (const command of [
      new GetBucketPolicyCommand({ Bucket: ORG_BUCKET }),
      new GetPublicAccessBlockCommand({ Bucket: ORG_BUCKET }),
    ]) {
      const err = await caught(s3.send(command as GetBucketPolicyCommand));
      expect(err.name).toBe('AccessDenied');
      expect(err.$metadata.httpStatusCode).toBe(403);
    }
  });

  it('redirects a read sent to another Region before checking access', async () => {
    const { s3 } = clientsFor(sandbox(), { region: 'eu-west-1' });
    const err = await caught(
      s3.send(new GetPublicAccessBlockCommand({ Bucket: MARKETING })),
    );
    expect(err.$metadata.httpStatusCode).toBe(301);
    expect(err.$response?.headers?.['x-amz-bucket-region']).toBe('us-east-1');
  });

  it('serves the central bucket policy with the log archive reader statement', async () => {
    const { s3 } = await clientsAs(sandbox(), DEMO.logArchive);
    const { Policy } = await s3.send(
      new GetBucketPolicyCommand({ Bucket: ORG_BUCKET }),
    );
    const doc = JSON.parse(Policy!);
    expect(doc.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'AWSCloudTrailAclCheck',
      'AWSCloudTrailWrite',
      'AllowLogArchiveReaderToReadLogs',
      'AllowLogArchiveReaderToList',
    ]);
    expect(doc.Statement[2]).toEqual({
      Sid: 'AllowLogArchiveReaderToReadLogs',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::222222222222:role/LogArchiveReader' },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${ORG_BUCKET}/o-tgdemo12345/AWSLogs/*`,
    });
  });

  it('answers NoSuchBucketPolicy for a bucket without one', async () => {
    const scenario = loadScenario('demo');
    scenario.buckets!.find(b => b.name === MARKETING)!.policy = null;
    const own = await startSandbox({ scenario });
    try {
      const { s3 } = await clientsAs(own, DEMO.marketing);
      const err = await caught(
        s3.send(new GetBucketPolicyCommand({ Bucket: MARKETING })),
      );
      expect(err.name).toBe('NoSuchBucketPolicy');
      expect(err.$metadata.httpStatusCode).toBe(404);
    } finally {
      await own.close();
    }
  });
});

describe('bucket policy mutations', () => {
  const sandbox = useSandbox();

  it('removes and restores a policy between calls', async () => {
    const { s3 } = await clientsAs(sandbox(), DEMO.marketing);
    const before = sandbox().state.buckets.get(MARKETING)!.policy;
    sandbox().mutate.setBucketPolicy(MARKETING, undefined);
    const err = await caught(
      s3.send(new GetBucketPolicyCommand({ Bucket: MARKETING })),
    );
    expect(err.name).toBe('NoSuchBucketPolicy');
    sandbox().mutate.setBucketPolicy(MARKETING, before);
    const out = await s3.send(
      new GetBucketPolicyCommand({ Bucket: MARKETING }),
    );
    expect(out.Policy).toBe(before);
  });
});

describe('demo bucket policies', () => {
  it('still let CloudTrail deliver every trail', () => {
    const state = SandboxState.fromScenario(loadScenario('demo'));
    for (const trail of state.trails.values()) {
      const bucket = state.buckets.get(trail.bucket)!;
      expect([
        trail.name,
        cloudTrailCanWrite(bucket, trail, state.organization?.id),
      ]).toEqual([trail.name, true]);
    }
  });
});
