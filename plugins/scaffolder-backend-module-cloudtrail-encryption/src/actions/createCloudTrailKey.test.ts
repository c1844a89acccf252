import type { Sandbox } from '@trailguard/aws-sandbox';
import { evaluateKeyPolicy } from '@trailguard/plugin-cloudtrail-encryption-node';
import {
  allowingAccess,
  actionContext,
  calls,
  DEMO,
  outputsOf,
  sandboxConfig,
  useDemoSandbox,
  writeCalls,
  sandboxScope,
} from '../__testUtils__/sandbox';
import { createCreateCloudTrailKeyAction } from './createCloudTrailKey';
import { createEnableSseKmsAction } from './enableSseKms';

jest.setTimeout(30_000);

const { accountId, trailArn } = DEMO.marketing;
const READER = 'arn:aws:iam::100000000002:role/SecurityAudit';

describe('aws:kms:create-cloudtrail-key against the sandbox', () => {
  let sandbox: Sandbox;

  useDemoSandbox(started => {
    sandbox = started;
  });

  const createKey = () =>
    createCreateCloudTrailKeyAction({
      config: sandboxConfig(sandbox),
      access: allowingAccess(),
      scope: sandboxScope(sandbox),
    });

  it('creates the key in the bucket Region, then enable-sse-kms switches marketing-trail to it', async () => {
    const ctx = actionContext({
      accountId,
      bucketRegion: 'us-east-1',
      trailArn,
      readers: [READER, '100000000002'],
      alias: 'alias/marketing-cloudtrail',
      tags: { team: 'marketing' },
    });
    await createKey().handler(ctx as any);
    const out = outputsOf(ctx);
    expect(out.keyArn).toMatch(
      /^arn:aws:kms:us-east-1:100000000002:key\/[0-9a-f-]{36}$/,
    );
    expect(out.keyArn.endsWith(out.keyId)).toBe(true);
    expect(out.aliasArn).toBe(
      'arn:aws:kms:us-east-1:100000000002:alias/marketing-cloudtrail',
    );

    const key = sandbox.state.keys.get(out.keyArn)!;
    expect(key.region).toBe('us-east-1');
    expect(key.keySpec).toBe('SYMMETRIC_DEFAULT');
    expect(key.multiRegion).toBe(false);
    expect(key.rotation).toBe(true);
    expect(key.tags).toEqual({
      purpose: 'cloudtrail',
      'created-by': 'trailguard',
      team: 'marketing',
    });
    // A real run never outputs a whole key policy.
    expect(out.policy).toBeUndefined();
    expect(
      sandbox.state.aliases.find(a => a.name === 'alias/marketing-cloudtrail')
        ?.targetKeyId,
    ).toBe(out.keyId);

    const policy = JSON.parse(key.policy);
    expect(policy.Statement.map((s: any) => s.Sid)).toEqual([
      'Enable IAM User Permissions',
      'Allow CloudTrail to encrypt logs',
      'Allow CloudTrail to describe key',
      'Allow principals to decrypt log files',
    ]);
    expect(policy.Statement[1].Condition).toEqual({
      StringEquals: { 'aws:SourceArn': trailArn },
      StringLike: {
        'kms:EncryptionContext:aws:cloudtrail:arn':
          'arn:aws:cloudtrail:*:100000000002:trail/*',
      },
    });
    expect(policy.Statement[3].Principal.AWS).toEqual([
      READER,
      'arn:aws:iam::100000000002:root',
    ]);
    const evaluation = evaluateKeyPolicy(policy, {
      trailArn,
      trailOwnerAccountId: accountId,
      keyArn: out.keyArn,
      keyAccountId: accountId,
    });
    expect(evaluation).toMatchObject({
      readable: true,
      cloudTrailCanEncrypt: true,
      cloudTrailCanDescribe: true,
    });

    const enable = actionContext({ accountId, trailArn, keyArn: out.keyArn });
    await createEnableSseKmsAction({
      config: sandboxConfig(sandbox),
      access: allowingAccess(),
      scope: sandboxScope(sandbox),
    }).handler(enable as any);
    expect(outputsOf(enable)).toEqual({
      trailArn,
      kmsKeyId: out.keyArn,
      changed: true,
      bucketRegion: 'us-east-1',
    });
    expect(sandbox.state.trails.get(trailArn)!.kmsKeyArn).toBe(out.keyArn);
    expect(calls(sandbox, 'cloudtrail:UpdateTrail')).toBe(1);
  });

  it('creates a multi-Region key when asked (ml-platform, bucket in us-west-2)', async () => {
    const mlTrail = 'arn:aws:cloudtrail:us-west-2:100000000011:trail/ml-trail';
    const ctx = actionContext({
      accountId: '100000000011',
      bucketRegion: 'us-west-2',
      trailArns: [mlTrail],
      multiRegion: true,
    });
    await createKey().handler(ctx as any);
    const out = outputsOf(ctx);
    expect(out.keyArn).toMatch(/^arn:aws:kms:us-west-2:100000000011:key\/mrk-/);
    expect(sandbox.state.keys.get(out.keyArn)!.multiRegion).toBe(true);
    // Without readers only IAM (through the account root) can grant decrypt.
    expect(
      JSON.parse(sandbox.state.keys.get(out.keyArn)!.policy).Statement,
    ).toHaveLength(3);
  });

  it("refuses a bucketRegion other than the trail bucket's, before creating anything", async () => {
    const ctx = actionContext({
      accountId,
      bucketRegion: 'eu-west-1',
      trailArn,
    });
    await expect(createKey().handler(ctx as any)).rejects.toThrow(
      /writes to the bucket marketing-sandbox-cloudtrail-100000000002 in us-east-1, but bucketRegion is eu-west-1; .*set bucketRegion to us-east-1\. Nothing was created/,
    );
    expect(writeCalls(sandbox)).toEqual({});
  });

  it('dry run: outputs the policy and a placeholder, writes nothing', async () => {
    const keysBefore = sandbox.state.keys.size;
    const ctx = actionContext(
      { accountId, bucketRegion: 'us-east-1', trailArn, readers: [READER] },
      { dryRun: true },
    );
    await createKey().handler(ctx as any);
    const out = outputsOf(ctx);
    expect(out.keyArn).toBe(
      'arn:aws:kms:us-east-1:100000000002:key/00000000-0000-0000-0000-000000000000',
    );
    expect(JSON.parse(out.policy).Statement).toHaveLength(4);
    expect(writeCalls(sandbox)).toEqual({});
    expect(sandbox.state.keys.size).toBe(keysBefore);
  });

  it('refuses an alias that already exists, before creating anything', async () => {
    const ctx = actionContext({
      accountId: '100000000006',
      bucketRegion: 'us-east-1',
      trailArn: DEMO.checkout.trailArn,
      alias: 'checkout-staging-cloudtrail',
    });
    await expect(createKey().handler(ctx as any)).rejects.toThrow(
      /alias alias\/checkout-staging-cloudtrail already exists .* points to arn:aws:kms:us-east-1:100000000006:key\/099aa6ce/,
    );
    expect(writeCalls(sandbox)).toEqual({});
  });

  it.each([
    [{ accountId: '12345' }, /accountId must be a 12-digit AWS account id/],
    [{ bucketRegion: 'useast1' }, /bucketRegion must be an AWS Region code/],
    [{ trailArn: 'marketing-trail' }, /trailArn must be a trail ARN/],
    [
      { readers: ['arn:aws:s3:::bucket'] },
      /readers\[0\] must be an account id or an IAM ARN/,
    ],
    [{ alias: 'alias/aws/cloudtrail' }, /must not start with alias\/aws\//],
    [{ alias: 'bad alias!' }, /alias must be an alias name/],
    [
      { trailOwnerAccountId: '111111111111' },
      /trailOwnerAccountId is 111111111111, but .* is owned by 100000000002/,
    ],
    [{ trailArn: undefined }, /trailArn \(or trailArns\) is required/],
  ])(
    'rejects invalid input %j without calling AWS',
    async (change, message) => {
      const ctx = actionContext({
        accountId,
        bucketRegion: 'us-east-1',
        trailArn,
        ...change,
      });
      await expect(createKey().handler(ctx as any)).rejects.toThrow(message);
      expect(sandbox.counters().total).toBe(0);
    },
  );

  it('fails with the AWS error code when the remediation role cannot be assumed', async () => {
    const ctx = actionContext({
      accountId: DEMO.acquired.accountId,
      bucketRegion: 'us-east-1',
      trailArn: DEMO.acquired.trailArn,
    });
    await expect(createKey().handler(ctx as any)).rejects.toThrow(
      /AssumeRole of the remediation role arn:aws:iam::100000000012:role\/TrailGuardRemediation failed: AccessDenied/,
    );
    expect(writeCalls(sandbox)).toEqual({});
  });
});
