import { UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import {
  caught,
  clientsAs,
  clientsFor,
  DEMO,
  useSandbox,
} from '../__testUtils__/clients';

const remediation = { role: 'TrailGuardRemediation' };
const BUCKET = 'marketing-sandbox-cloudtrail-100000000002';
const TRAIL = 'arn:aws:cloudtrail:us-east-1:100000000002:trail/marketing-trail';

function policyOf(statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

const aclCheck = {
  Sid: 'AWSCloudTrailAclCheck',
  Effect: 'Allow',
  Principal: { Service: 'cloudtrail.amazonaws.com' },
  Action: 's3:GetBucketAcl',
  Resource: `arn:aws:s3:::${BUCKET}`,
};
const write = {
  Sid: 'AWSCloudTrailWrite',
  Effect: 'Allow',
  Principal: { Service: 'cloudtrail.amazonaws.com' },
  Action: 's3:PutObject',
  Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/100000000002/*`,
  Condition: {
    StringEquals: {
      's3:x-amz-acl': 'bucket-owner-full-control',
      'aws:SourceArn': TRAIL,
    },
  },
};

describe('S3 bucket policies and CloudTrail delivery checks', () => {
  const sandbox = useSandbox();
  beforeEach(() => sandbox().loadScenario('demo'));

  const owner = () => clientsAs(sandbox(), DEMO.marketing, remediation);
  const updateTrail = async () =>
    (await owner()).cloudtrail.send(
      new UpdateTrailCommand({ Name: 'marketing-trail', KmsKeyId: '' }),
    );

  it('gives each demo bucket the policy the CloudTrail console writes', async () => {
    const { s3 } = await clientsAs(sandbox(), DEMO.marketing);
    const out = await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }));
    const doc = JSON.parse(out.Policy!);
    expect(doc.Statement).toEqual([
      expect.objectContaining({
        Sid: 'AWSCloudTrailAclCheck',
        Action: 's3:GetBucketAcl',
        Condition: { StringEquals: { 'aws:SourceArn': TRAIL } },
      }),
      expect.objectContaining({
        Sid: 'AWSCloudTrailWrite',
        Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/100000000002/*`,
      }),
    ]);

    // The organization trail's bucket admits both of its prefixes.
    const { s3: archive } = await clientsAs(sandbox(), DEMO.logArchive);
    const org = JSON.parse(
      (
        await archive.send(
          new GetBucketPolicyCommand({ Bucket: 'tg-org-cloudtrail-logs' }),
        )
      ).Policy!,
    );
    expect(org.Statement[1].Resource).toEqual([
      'arn:aws:s3:::tg-org-cloudtrail-logs/o-tgdemo12345/AWSLogs/111111111111/*',
      expect.stringMatching(
        /^arn:aws:s3:::tg-org-cloudtrail-logs\/o-tgdemo12345\/AWSLogs\/o-[a-z0-9]+\/\*$/,
      ),
    ]);
  });

  it('refuses UpdateTrail when the bucket policy does not let CloudTrail write, and changes nothing', async () => {
    const { s3 } = await owner();
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: policyOf([aclCheck]),
      }),
    );
    const err = await caught(updateTrail());
    expect(err.name).toBe('InsufficientS3BucketPolicyException');
    expect(err.message).toBe(
      `Incorrect S3 bucket policy is detected for bucket: ${BUCKET}`,
    );
    expect(sandbox().state.trails.get(TRAIL)!.kmsKeyArn).toBeUndefined();

    // A write statement for another account's prefix is not enough either.
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: policyOf([
          aclCheck,
          {
            ...write,
            Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/100000000001/*`,
          },
        ]),
      }),
    );
    expect((await caught(updateTrail())).name).toBe(
      'InsufficientS3BucketPolicyException',
    );

    // Nor one whose SourceArn names another trail.
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: policyOf([
          aclCheck,
          {
            ...write,
            Condition: {
              StringEquals: {
                's3:x-amz-acl': 'bucket-owner-full-control',
                'aws:SourceArn': DEMO.paymentsTrailArn,
              },
            },
          },
        ]),
      }),
    );
    expect((await caught(updateTrail())).name).toBe(
      'InsufficientS3BucketPolicyException',
    );

    // An explicit Deny for CloudTrail wins over the Allow.
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: policyOf([
          aclCheck,
          write,
          {
            Sid: 'DenyCloudTrail',
            Effect: 'Deny',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${BUCKET}/*`,
          },
        ]),
      }),
    );
    expect((await caught(updateTrail())).name).toBe(
      'InsufficientS3BucketPolicyException',
    );

    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: policyOf([aclCheck, write]),
      }),
    );
    await expect(updateTrail()).resolves.toMatchObject({ TrailARN: TRAIL });
  });

  it('refuses UpdateTrail once the bucket has no policy at all', async () => {
    const { s3 } = await owner();
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
    const missing = await caught(
      s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET })),
    );
    expect(missing.name).toBe('NoSuchBucketPolicy');
    expect(missing.$metadata.httpStatusCode).toBe(404);
    expect((await caught(updateTrail())).name).toBe(
      'InsufficientS3BucketPolicyException',
    );
  });

  it('refuses malformed policies and writes by other accounts or read-only roles', async () => {
    const before = sandbox().state.buckets.get(BUCKET)!.policy;
    const { s3 } = await owner();
    const malformed = await caught(
      s3.send(
        new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: '{"nope"' }),
      ),
    );
    expect(malformed.name).toBe('MalformedPolicy');
    expect(malformed.$metadata.httpStatusCode).toBe(400);
    const noResource = await caught(
      s3.send(
        new PutBucketPolicyCommand({
          Bucket: BUCKET,
          Policy: policyOf([{ ...aclCheck, Resource: undefined }]),
        }),
      ),
    );
    expect(noResource.name).toBe('MalformedPolicy');

    const { s3: other } = await clientsAs(
      sandbox(),
      DEMO.payments,
      remediation,
    );
    const foreign = await caught(
      other.send(
        new PutBucketPolicyCommand({
          Bucket: BUCKET,
          Policy: policyOf([aclCheck]),
        }),
      ),
    );
    expect(foreign.$metadata.httpStatusCode).toBe(403);

    const { s3: readOnly } = await clientsAs(sandbox(), DEMO.marketing);
    const denied = await caught(
      readOnly.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET })),
    );
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(sandbox().state.buckets.get(BUCKET)!.policy).toBe(before);
  });

  it('redirects a policy read sent to another Region', async () => {
    const { s3 } = clientsFor(sandbox(), { region: 'eu-west-1' });
    const err = await caught(
      s3.send(new GetBucketPolicyCommand({ Bucket: 'tg-org-cloudtrail-logs' })),
    );
    expect(err.$metadata.httpStatusCode).toBe(301);
  });
});
