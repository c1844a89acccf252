import { ListTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AwsAccess } from './AwsAccess';
import { AssumeRoleCredentials, roleArn } from './credentialsProvider';

jest.setTimeout(60_000);

const A = '111111111111';
const B = '100000000002';
const CALLS = 12;

describe('AwsAccess', () => {
  let sandbox: Sandbox;
  let sessions: AssumeRoleCredentials;
  let aws: AwsAccess;

  const access = (extra: object = {}) =>
    new AwsAccess({
      credentials: async accountId =>
        sessions.provider({
          roleArn: roleArn(accountId, 'TrailGuardReadOnly'),
          roleSessionName: 'trailguard-test',
        }),
      endpoint: sandbox.endpoint,
      maxAttempts: 6,
      ...extra,
    });

  const listTrails = (accountId: string) =>
    aws.as(accountId, account =>
      account
        .cloudTrail('us-east-1')
        .send(new ListTrailsCommand({}))
        .then(out => (out.Trails ?? []).map(t => t.TrailARN).sort()),
    );

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
  });

  beforeEach(() => {
    const { accessKeyId, secretAccessKey } = sandbox.credentials;
    sessions = new AssumeRoleCredentials({
      masterCredentials: async () => async () => ({
        accessKeyId,
        secretAccessKey,
      }),
      region: 'us-east-1',
      endpoint: sandbox.endpoint,
    });
    aws = access();
    sandbox.faults.reset();
  });

  afterEach(() => {
    aws.destroy();
    sessions.destroy();
  });

  afterAll(() => sandbox.close());

  it('signs each call with its own account while two accounts share one pooled client', async () => {
    // What each account sees, one at a time.
    const alone: Record<string, (string | undefined)[]> = {
      [A]: await listTrails(A),
      [B]: await listTrails(B),
    };
    expect(alone[A]).not.toEqual(alone[B]);

    // Every call waits 40 ms in the sandbox, so the two accounts' calls are
    // in flight on the same client at the same time.
    sandbox.faults.set({ latency: 40 });
    sandbox.resetCounters();
    let inFlight = 0;
    let maxInFlight = 0;
    const tracked = async (accountId: string) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return { accountId, trails: await listTrails(accountId) };
      } finally {
        inFlight--;
      }
    };
    const results = await Promise.all(
      Array.from({ length: CALLS * 2 }, (_, i) => tracked(i % 2 ? B : A)),
    );

    expect(maxInFlight).toBe(CALLS * 2);
    expect(aws.pool.size).toBe(1);
    for (const { accountId, trails } of results) {
      expect(trails).toEqual(alone[accountId]);
    }
    // The sandbox verified every SigV4 signature and accounted each call to
    // the account whose access key signed it.
    const { byAccountApi, errors } = sandbox.counters();
    expect(errors).toBe(0);
    expect(byAccountApi[A]['cloudtrail:ListTrails']).toBe(CALLS);
    expect(byAccountApi[B]['cloudtrail:ListTrails']).toBe(CALLS);
    // One AssumeRole per account, shared by its concurrent calls.
    expect(byAccountApi[A]['sts:AssumeRole'] ?? 0).toBe(0);
    expect(sessions.size).toBe(2);
  });

  it('lets a call into the SDK only once it has one of the slots in flight', async () => {
    // A call that waits for a slot must not have been built and signed:
    // held while it waits, that request would outlive V8's young
    // generation. The SDK's first step sees at most maxInFlight calls.
    aws.destroy();
    aws = access({ maxInFlight: 3 });
    sandbox.faults.set({ latency: 30 });
    const client = aws.pool.get('cloudtrail', 'us-east-1', { maxAttempts: 6 });
    let inSdk = 0;
    let mostInSdk = 0;
    client.middlewareStack.add(
      next => async args => {
        inSdk++;
        mostInSdk = Math.max(mostInSdk, inSdk);
        try {
          return await next(args);
        } finally {
          inSdk--;
        }
      },
      { step: 'initialize', priority: 'high', name: 'countCallsInSdk' },
    );
    const results = await Promise.all(
      Array.from({ length: CALLS }, (_, i) => listTrails(i % 2 ? B : A)),
    );
    expect(results).toHaveLength(CALLS);
    expect(mostInSdk).toBe(3);
    expect(sandbox.counters().errors).toBe(0);
  });

  it('keeps nothing of an account it has forgotten, however many it signed for', async () => {
    // A backend scans the same accounts again and again: what a scan signed
    // with must go once its accounts are forgotten.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { accessKeyId, secretAccessKey } = sandbox.credentials;
    const providers: WeakRef<object>[] = [];
    aws.destroy();
    aws = new AwsAccess({
      credentials: async () => {
        // Credentials of their own per account, as AssumeRole gives.
        const provider = async () => ({ accessKeyId, secretAccessKey });
        providers.push(new WeakRef(provider));
        return provider;
      },
      endpoint: sandbox.endpoint,
    });
    const accounts = Array.from({ length: 40 }, (_, i) =>
      String(200000000000 + i),
    );
    await Promise.all(
      accounts.map(id =>
        aws.as(id, account =>
          account.cloudTrail('us-east-1').send(new ListTrailsCommand({})),
        ),
      ),
    );
    expect(providers).toHaveLength(accounts.length);
    aws.forget(accounts);
    for (let i = 0; i < 3; i++) {
      await new Promise(resolve => setImmediate(resolve));
      gc();
    }
    expect(providers.filter(p => p.deref()).length).toBe(0);
  });

  it('refuses a call made on a pooled client outside an account scope', async () => {
    sandbox.resetCounters();
    await expect(
      aws.pool.get('cloudtrail', 'us-east-1').send(new ListTrailsCommand({})),
    ).rejects.toThrow(/outside an account scope/);
    expect(sandbox.counters().total).toBe(0);
  });

  it('limits the throttled account only, and completes every call', async () => {
    // AWS throttles a good share of account A's ListTrails; never B's.
    sandbox.faults.set({
      seed: 3,
      throttleRate: 0.4,
      scope: { account: A, api: 'cloudtrail:ListTrails' },
    });
    sandbox.resetCounters();
    const results = await Promise.all([
      ...Array.from({ length: 6 }, () => listTrails(A)),
      ...Array.from({ length: 6 }, () => listTrails(B)),
    ]);
    expect(results).toHaveLength(12);
    const limiter = aws.pool.limiter;
    expect(limiter.rateOf(`${A}/us-east-1/cloudtrail`)).toBeGreaterThan(0);
    expect(limiter.rateOf(`${B}/us-east-1/cloudtrail`)).toBe(0);
    const { byAccountApi, throttled } = sandbox.counters();
    expect(throttled).toBeGreaterThan(0);
    // B was never throttled: one attempt per call.
    expect(byAccountApi[B]['cloudtrail:ListTrails']).toBe(6);
    expect(byAccountApi[A]['cloudtrail:ListTrails']).toBeGreaterThan(6);
  });

  it('does not keep a failed credential resolution', async () => {
    let attempts = 0;
    aws.destroy();
    aws = new AwsAccess({
      credentials: async accountId => {
        attempts++;
        if (attempts === 1) throw new Error('integration not ready');
        return sessions.provider({
          roleArn: roleArn(accountId, 'TrailGuardReadOnly'),
          roleSessionName: 'trailguard-test',
        });
      },
      endpoint: sandbox.endpoint,
    });
    await expect(aws.verifyAccess(A)).rejects.toThrow('integration not ready');
    await expect(aws.verifyAccess(A)).resolves.toBeUndefined();
    expect(attempts).toBe(2);
  });
});
