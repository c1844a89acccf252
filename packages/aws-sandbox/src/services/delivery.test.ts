import {
  GetTrailStatusCommand,
  StopLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
} from '@aws-sdk/client-kms';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { clientsAs, DEMO, useSandbox } from '../__testUtils__/clients';

const remediation = { role: 'TrailGuardRemediation' };

describe('simulated CloudTrail delivery', () => {
  const sandbox = useSandbox();
  beforeEach(() => sandbox().loadScenario('demo'));

  const status = async (account: string, Name: string, region?: string) =>
    (await clientsAs(sandbox(), account, { region })).cloudtrail.send(
      new GetTrailStatusCommand({ Name }),
    );

  it('keeps the scenario status until a change, then reports a successful delivery after a real fix', async () => {
    const trail =
      'arn:aws:cloudtrail:us-east-1:100000000003:trail/data-lake-trail';
    const before = await status(DEMO.dataLake, trail);
    expect(before.LatestDeliveryError).toBe('KMS.NotFoundException');
    // Reading again attempts nothing new.
    expect((await status(DEMO.dataLake, trail)).LatestDeliveryError).toBe(
      'KMS.NotFoundException',
    );

    const owner = await clientsAs(sandbox(), DEMO.dataLake, remediation);
    const key = await owner.kms.send(
      new CreateKeyCommand({
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${DEMO.dataLake}:root` },
              Action: 'kms:*',
              Resource: '*',
            },
            {
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
              Resource: '*',
              Condition: { StringEquals: { 'aws:SourceArn': trail } },
            },
          ],
        }),
      }),
    );
    await owner.cloudtrail.send(
      new UpdateTrailCommand({
        Name: 'data-lake-trail',
        KmsKeyId: key.KeyMetadata!.Arn,
      }),
    );
    const after = await status(DEMO.dataLake, trail);
    expect(after.LatestDeliveryError).toBeUndefined();
    expect(after.LatestDeliveryAttemptTime).toBe(
      after.LatestDeliveryAttemptSucceeded,
    );
    expect(after.LatestDeliveryTime!.getTime()).toBeGreaterThan(
      before.LatestDeliveryTime?.getTime() ?? 0,
    );
    expect(Date.now() - after.LatestDeliveryTime!.getTime()).toBeLessThan(
      60_000,
    );
  });

  it('reports the error CloudTrail would after a change that breaks delivery, and recovers', async () => {
    const trail = DEMO.paymentsTrailArn;
    const healthy = await status(DEMO.payments, trail);
    expect(healthy.LatestDeliveryError).toBeUndefined();

    const owner = await clientsAs(sandbox(), DEMO.payments, remediation);
    await owner.kms.send(new DisableKeyCommand({ KeyId: DEMO.paymentsKeyArn }));
    const broken = await status(DEMO.payments, trail);
    expect(broken.LatestDeliveryError).toBe('KMS.DisabledException');
    // The last success stays where it was; the latest attempt is newer.
    expect(broken.LatestDeliveryTime).toEqual(healthy.LatestDeliveryTime);
    expect(
      broken.LatestDeliveryAttemptTime! >
        broken.LatestDeliveryAttemptSucceeded!,
    ).toBe(true);

    await owner.kms.send(new EnableKeyCommand({ KeyId: DEMO.paymentsKeyArn }));
    expect(
      (await status(DEMO.payments, trail)).LatestDeliveryError,
    ).toBeUndefined();

    await owner.s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'payments-prod-cloudtrail-100000000001',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${DEMO.payments}:root` },
              Action: 's3:GetObject',
              Resource: 'arn:aws:s3:::payments-prod-cloudtrail-100000000001/*',
            },
          ],
        }),
      }),
    );
    expect((await status(DEMO.payments, trail)).LatestDeliveryError).toBe(
      'AccessDenied',
    );
  });

  it('attempts nothing for a trail that stopped logging', async () => {
    const trail = DEMO.paymentsTrailArn;
    const owner = await clientsAs(sandbox(), DEMO.payments, remediation);
    const before = await status(DEMO.payments, trail);
    await owner.cloudtrail.send(new StopLoggingCommand({ Name: trail }));
    await owner.kms.send(new DisableKeyCommand({ KeyId: DEMO.paymentsKeyArn }));
    const after = await status(DEMO.payments, trail);
    expect(after.IsLogging).toBe(false);
    expect(after.LatestDeliveryError).toBeUndefined();
    expect(after.LatestDeliveryTime).toEqual(before.LatestDeliveryTime);
  });
});
