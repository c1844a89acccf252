import type { Sandbox } from '@trailguard/aws-sandbox';
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
import { createEnableSseKmsAction } from './enableSseKms';
import { createEnsureCloudTrailKeyPolicyAction } from './ensureCloudTrailKeyPolicy';

jest.setTimeout(30_000);

const { accountId, trailArn, keyArn } = DEMO.checkout;

describe('aws:kms:ensure-cloudtrail-key-policy against the sandbox', () => {
  let sandbox: Sandbox;

  useDemoSandbox(started => {
    sandbox = started;
  });

  // 100000000099 is outside the organization: a trusted account here.
  const ensure = () =>
    createEnsureCloudTrailKeyPolicyAction({
      config: sandboxConfig(sandbox),
      access: allowingAccess(),
      scope: sandboxScope(sandbox, { trusted: ['100000000099'] }),
    });
  const enable = () =>
    createEnableSseKmsAction({
      config: sandboxConfig(sandbox),
      access: allowingAccess(),
      scope: sandboxScope(sandbox),
    });
  const storedPolicy = (arn: string) =>
    JSON.parse(sandbox.state.keys.get(arn)!.policy);

  it('checkout-staging: adds only the encrypt statement, keeps the rest, then enable succeeds', async () => {
    const before = storedPolicy(keyArn);

    // Refused first: the policy lacks CloudTrail's GenerateDataKey*.
    await expect(
      enable().handler(actionContext({ accountId, trailArn, keyArn }) as any),
    ).rejects.toThrow(/kms:GenerateDataKey\* is not allowed/);
    expect(writeCalls(sandbox)).toEqual({});

    const ctx = actionContext({ accountId, keyArn, trailArn });
    await ensure().handler(ctx as any);
    const out = outputsOf(ctx);
    expect(out.changed).toBe(true);
    expect(out.keyState).toBe('Enabled');
    expect(out.addedStatements.map((s: any) => s.Sid)).toEqual([
      'TrailGuardCloudTrailEncrypt',
    ]);
    const after = storedPolicy(keyArn);
    expect(after.Version).toBe(before.Version);
    expect(after.Id).toBe(before.Id);
    expect(after.Statement.slice(0, before.Statement.length)).toEqual(
      before.Statement,
    );
    expect(after.Statement).toHaveLength(before.Statement.length + 1);
    // A real run never outputs a whole key policy.
    expect(out.policy).toBeUndefined();
    expect(calls(sandbox, 'kms:PutKeyPolicy')).toBe(1);

    // Idempotent: a second run finds nothing to add and does not write.
    const again = actionContext({ accountId, keyArn, trailArn });
    await ensure().handler(again as any);
    expect(outputsOf(again)).toMatchObject({
      changed: false,
      addedStatements: [],
      diff: '',
    });
    expect(calls(sandbox, 'kms:PutKeyPolicy')).toBe(1);

    // The trail already points at this key: nothing to update.
    const same = actionContext({ accountId, trailArn, keyArn });
    await enable().handler(same as any);
    expect(outputsOf(same)).toMatchObject({ changed: false, kmsKeyId: keyArn });

    // From SSE-S3, the sandbox's own UpdateTrail checks accept the fixed key.
    sandbox.mutate.setTrailKey(trailArn, undefined);
    const switched = actionContext({ accountId, trailArn, keyArn });
    await enable().handler(switched as any);
    expect(outputsOf(switched)).toMatchObject({ changed: true });
    expect(sandbox.state.trails.get(trailArn)!.kmsKeyArn).toBe(keyArn);
  });

  it('search-dev: adds only the describe statement, resolving an alias ARN', async () => {
    const { searchDev } = DEMO;
    const ctx = actionContext({
      accountId: searchDev.accountId,
      keyArn: 'arn:aws:kms:us-east-1:100000000007:alias/search-dev-cloudtrail',
      trailArns: [searchDev.trailArn],
    });
    await ensure().handler(ctx as any);
    const out = outputsOf(ctx);
    expect(out.keyArn).toBe(searchDev.keyArn);
    expect(out.addedStatements).toEqual([
      {
        Sid: 'TrailGuardCloudTrailDescribe',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:DescribeKey',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceArn': searchDev.trailArn } },
      },
    ]);
  });

  it('dry run: outputs the diff and writes nothing', async () => {
    const text = sandbox.state.keys.get(keyArn)!.policy;
    const ctx = actionContext(
      { accountId, keyArn, trailArn },
      { dryRun: true },
    );
    await ensure().handler(ctx as any);
    const out = outputsOf(ctx);
    expect(out.changed).toBe(true);
    expect(out.diff).toMatch(
      /^--- key policy \(current\)\n\+\+\+ key policy \(proposed\)\n@@ /,
    );
    expect(out.diff).toContain('+      "Sid": "TrailGuardCloudTrailEncrypt",');
    expect(
      out.diff
        .split('\n')
        .filter((l: string) => l.startsWith('-') && !l.startsWith('---')),
    ).toEqual([]);
    expect(writeCalls(sandbox)).toEqual({});
    expect(sandbox.state.keys.get(keyArn)!.policy).toBe(text);
  });

  it('adds readers, then extends its own statement instead of duplicating it', async () => {
    const first = 'arn:aws:iam::100000000006:role/Auditor';
    const second = 'arn:aws:iam::100000000099:role/SecurityAudit';
    await ensure().handler(
      actionContext({ accountId, keyArn, trailArn, readers: [first] }) as any,
    );
    const ctx = actionContext({
      accountId,
      keyArn,
      trailArn,
      readers: [first, second],
    });
    await ensure().handler(ctx as any);
    const out = outputsOf(ctx);
    expect(out.extendedStatements).toEqual(['TrailGuardDecryptLogFiles']);
    const decrypt = storedPolicy(keyArn).Statement.filter(
      (s: any) => s.Sid === 'TrailGuardDecryptLogFiles',
    );
    expect(decrypt).toHaveLength(1);
    expect(decrypt[0].Principal.AWS).toEqual([first, second]);
  });

  it('a disabled key can be fixed; its state is reported', async () => {
    const { legacyBilling } = DEMO;
    const ctx = actionContext({
      accountId: legacyBilling.accountId,
      keyArn: legacyBilling.keyArn,
      trailArn: legacyBilling.trailArn,
      readers: ['arn:aws:iam::100000000004:role/Auditor'],
    });
    await ensure().handler(ctx as any);
    expect(outputsOf(ctx)).toMatchObject({
      keyState: 'Disabled',
      changed: true,
    });
  });

  it('public-web: a key open to anyone is not reported as fixed; nothing is written', async () => {
    const { publicWeb } = DEMO;
    const ctx = actionContext({
      accountId: publicWeb.accountId,
      keyArn: publicWeb.keyArn,
      trailArn: publicWeb.trailArn,
    });
    const logged: string[] = [];
    jest.spyOn(ctx.logger, 'info').mockImplementation(((m: unknown) => {
      logged.push(String(m));
      return ctx.logger;
    }) as any);
    await ensure().handler(ctx as any);
    expect(outputsOf(ctx)).toMatchObject({
      changed: false,
      addedStatements: [],
    });
    expect(logged.join('\n')).toContain(
      'This says nothing about what else the policy allows; the rescan reports that',
    );
    expect(logged.join('\n')).not.toMatch(/already grants what/);
    expect(writeCalls(sandbox)).toEqual({});
  });

  it('rejects a policy it cannot parse and writes nothing', async () => {
    sandbox.mutate.putRawKeyPolicy(
      keyArn,
      '{"Version": "2012-10-17", "Statement": [',
    );
    await expect(
      ensure().handler(actionContext({ accountId, keyArn, trailArn }) as any),
    ).rejects.toThrow(/was not changed: the key policy is not valid JSON/);
    expect(writeCalls(sandbox)).toEqual({});
  });

  it('refuses a result over 32768 bytes and writes nothing', async () => {
    const policy = storedPolicy(keyArn);
    const principals: string[] = [];
    policy.Statement.push({
      Sid: 'ManyReaders',
      Effect: 'Allow',
      Principal: { AWS: principals },
      Action: 'kms:Decrypt',
      Resource: '*',
    });
    // Just under the limit: room for nothing the encrypt statement needs.
    while (Buffer.byteLength(JSON.stringify(policy)) < 32768 - 120) {
      principals.push(`arn:aws:iam::100000000006:role/r${principals.length}`);
    }
    const text = JSON.stringify(policy);
    expect(Buffer.byteLength(text)).toBeLessThan(32768);
    sandbox.mutate.putRawKeyPolicy(keyArn, text);
    await expect(
      ensure().handler(actionContext({ accountId, keyArn, trailArn }) as any),
    ).rejects.toThrow(/over the KMS limit of 32768 bytes/);
    expect(writeCalls(sandbox)).toEqual({});
  });

  it('refuses a key of another account', async () => {
    await expect(
      ensure().handler(
        actionContext({ accountId: '100000000007', keyArn, trailArn }) as any,
      ),
    ).rejects.toThrow(/belongs to account 100000000006, not 100000000007/);
    expect(sandbox.counters().total).toBe(0);
  });
});
