import type { Sandbox } from '@trailguard/aws-sandbox';
import {
  allowingAccess,
  actionContext,
  DEMO,
  outputsOf,
  sandboxConfig,
  useDemoSandbox,
  writeCalls,
  sandboxScope,
} from '../__testUtils__/sandbox';
import { createCreateCloudTrailKeyAction } from './createCloudTrailKey';
import { createEnableSseKmsAction } from './enableSseKms';
import { createEnsureCloudTrailKeyPolicyAction } from './ensureCloudTrailKeyPolicy';

jest.setTimeout(30_000);

describe('aws:cloudtrail:enable-sse-kms against the sandbox', () => {
  let sandbox: Sandbox;

  useDemoSandbox(started => {
    sandbox = started;
  });

  const enable = () =>
    createEnableSseKmsAction({
      config: sandboxConfig(sandbox),
      access: allowingAccess(),
      scope: sandboxScope(sandbox),
    });

  /** Runs the action expecting a refusal; reports what it left behind. */
  async function refusal(input: {
    accountId: string;
    trailArn: string;
    keyArn: string;
    dryRunKeyPolicy?: string;
  }) {
    const previous = sandbox.state.trails.get(input.trailArn)!.kmsKeyArn;
    const error = await enable()
      .handler(actionContext(input))
      .then(
        () => undefined,
        (e: Error) => e.message,
      );
    return {
      error,
      writes: writeCalls(sandbox),
      trailUnchanged:
        sandbox.state.trails.get(input.trailArn)!.kmsKeyArn === previous,
    };
  }

  const refusedWith = (reason: RegExp) => ({
    error: expect.stringMatching(reason),
    writes: {},
    trailUnchanged: true,
  });

  it('data-lake: refuses a key in another Region than the bucket', async () => {
    expect(await refusal(DEMO.dataLake)).toEqual(
      refusedWith(
        /the key is in eu-west-1 but the trail's bucket data-lake-cloudtrail-100000000003 is in us-east-1/,
      ),
    );
  });

  it('legacy-billing: refuses a disabled key', async () => {
    expect(await refusal(DEMO.legacyBilling)).toEqual(
      refusedWith(/the key is Disabled; CloudTrail needs an Enabled key/),
    );
  });

  it('retired-analytics: refuses a key pending deletion', async () => {
    expect(await refusal(DEMO.retired)).toEqual(
      refusedWith(/the key is PendingDeletion/),
    );
  });

  it('checkout-staging: refuses a policy without CloudTrail grants, naming the fix', async () => {
    expect(await refusal(DEMO.checkout)).toEqual(
      refusedWith(
        /kms:GenerateDataKey\* is not allowed\); run aws:kms:ensure-cloudtrail-key-policy first/,
      ),
    );
  });

  it('refuses a key that does not exist, with the AWS error code', async () => {
    const keyArn =
      'arn:aws:kms:us-east-1:100000000002:key/11111111-2222-3333-4444-555555555555';
    expect(await refusal({ ...DEMO.marketing, keyArn })).toEqual(
      refusedWith(/DescribeKey of .* failed: NotFoundException/),
    );
  });

  it('refuses a trail of another account', async () => {
    await expect(
      enable().handler(
        actionContext({
          accountId: '100000000002',
          trailArn: DEMO.checkout.trailArn,
          keyArn: DEMO.checkout.keyArn,
        }) as any,
      ),
    ).rejects.toThrow(/owned by account 100000000006, not 100000000002/);
    expect(sandbox.counters().total).toBe(0);
  });

  it('dry run: runs the checks, reports, and does not call UpdateTrail', async () => {
    const create = actionContext({
      accountId: DEMO.marketing.accountId,
      bucketRegion: 'us-east-1',
      trailArn: DEMO.marketing.trailArn,
    });
    await createCreateCloudTrailKeyAction({
      config: sandboxConfig(sandbox),
      access: allowingAccess(),
      scope: sandboxScope(sandbox),
    }).handler(create as any);
    const keyArn = outputsOf(create).keyArn;
    sandbox.resetCounters();

    const ctx = actionContext({ ...DEMO.marketing, keyArn }, { dryRun: true });
    await enable().handler(ctx as any);
    expect(outputsOf(ctx)).toEqual({
      trailArn: DEMO.marketing.trailArn,
      kmsKeyId: keyArn,
      changed: true,
      bucketRegion: 'us-east-1',
    });
    expect(writeCalls(sandbox)).toEqual({});
    expect(sandbox.counters().byApi).toMatchObject({
      'cloudtrail:GetTrail': 1,
      's3:HeadBucket': 1,
      'kms:DescribeKey': 1,
      'kms:GetKeyPolicy': 1,
    });
    expect(sandbox.state.trails.get(DEMO.marketing.trailArn)!.kmsKeyArn).toBe(
      undefined,
    );
  });

  it('uses a dry-run key policy only in a dry run', async () => {
    const { checkout } = DEMO;
    const fixed = actionContext(
      {
        accountId: checkout.accountId,
        keyArn: checkout.keyArn,
        trailArn: checkout.trailArn,
      },
      { dryRun: true },
    );
    await createEnsureCloudTrailKeyPolicyAction({
      config: sandboxConfig(sandbox),
      access: allowingAccess(),
      scope: sandboxScope(sandbox),
    }).handler(fixed as any);
    const dryRunKeyPolicy = outputsOf(fixed).policy;

    const dry = actionContext(
      { ...checkout, dryRunKeyPolicy },
      { dryRun: true },
    );
    await enable().handler(dry as any);
    expect(outputsOf(dry).kmsKeyId).toBe(checkout.keyArn);

    // A real run reads the stored policy, which still lacks the grant.
    expect(await refusal({ ...checkout, dryRunKeyPolicy })).toEqual(
      refusedWith(/kms:GenerateDataKey\* is not allowed/),
    );
  });

  it("dry run after a create-key dry run: checks the placeholder's Region against the bucket", async () => {
    const placeholder = (region: string) =>
      `arn:aws:kms:${region}:100000000002:key/00000000-0000-0000-0000-000000000000`;
    const ok = actionContext(
      { ...DEMO.marketing, keyArn: placeholder('us-east-1') },
      { dryRun: true },
    );
    await enable().handler(ok as any);
    expect(outputsOf(ok).changed).toBe(true);

    await expect(
      enable().handler(
        actionContext(
          { ...DEMO.marketing, keyArn: placeholder('eu-west-1') },
          { dryRun: true },
        ) as any,
      ),
    ).rejects.toThrow(
      /the key is in eu-west-1 but the trail's bucket .* is in us-east-1/,
    );
    await expect(
      enable().handler(
        actionContext({
          ...DEMO.marketing,
          keyArn: placeholder('us-east-1'),
        }) as any,
      ),
    ).rejects.toThrow(/placeholder a dry run/);
    expect(writeCalls(sandbox)).toEqual({});
  });

  it("reports CloudTrail's bucket-policy refusal in one line, the trail unchanged", async () => {
    const { accountId, trailArn } = DEMO.marketing;
    const create = actionContext({
      accountId,
      bucketRegion: 'us-east-1',
      trailArn,
    });
    await createCreateCloudTrailKeyAction({
      config: sandboxConfig(sandbox),
      access: allowingAccess(),
      scope: sandboxScope(sandbox),
    }).handler(create as any);
    const keyArn = outputsOf(create).keyArn;
    const bucket = sandbox.state.trails.get(trailArn)!.bucket;
    // The bucket no longer lets CloudTrail write.
    sandbox.state.buckets.get(bucket)!.policy = undefined;

    const error = await enable()
      .handler(actionContext({ accountId, trailArn, keyArn }))
      .catch(e => e);
    expect(error.message).toBe(
      `CloudTrail refused to update ${trailArn}: the policy of its bucket ${bucket} does not let cloudtrail.amazonaws.com write the log files (InsufficientS3BucketPolicyException); fix the bucket policy, then run again. The trail was not changed.`,
    );
    expect(error.stack).toBe(`RemediationError: ${error.message}`);
    expect(sandbox.state.trails.get(trailArn)!.kmsKeyArn).toBeUndefined();
  });
});
