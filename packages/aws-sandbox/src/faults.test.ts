import {
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  ListTrailsCommand,
} from '@aws-sdk/client-cloudtrail';
import { DescribeKeyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import {
  GetBucketLocationCommand,
  HeadBucketCommand,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { FaultController } from './faults';
import {
  assumeRole,
  caught,
  clientsAs,
  clientsFor,
  DEMO,
  useSandbox,
} from './__testUtils__/clients';

describe('fault and load controls', () => {
  const sandbox = useSandbox();
  beforeEach(() => {
    sandbox().faults.reset();
    sandbox().resetCounters();
  });

  it('throttles with AWS quotas per account, Region and API; the SDK retries until it succeeds', async () => {
    sandbox().faults.set({
      throttling: { quotas: { 'cloudtrail:GetTrailStatus': 5 } },
    });
    const { cloudtrail } = clientsFor(sandbox(), { maxAttempts: 10 });
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        cloudtrail.send(new GetTrailStatusCommand({ Name: 'org-trail' })),
      ),
    );
    expect(results.every(r => r.IsLogging)).toBe(true);
    expect(
      Math.max(...results.map(r => r.$metadata.attempts!)),
    ).toBeGreaterThan(1);
    const c = sandbox().counters();
    expect(c.throttled).toBeGreaterThanOrEqual(3);
    expect(c.byApi['cloudtrail:GetTrailStatus']).toBe(8 + c.throttled);
    // Other APIs and Regions have their own buckets.
    const west = clientsFor(sandbox(), { region: 'us-west-2' });
    await west.cloudtrail.send(
      new GetTrailStatusCommand({ Name: DEMO.orgTrailArn }),
    );
  });

  it('uses the default quotas when throttling is simply switched on', async () => {
    sandbox().faults.set({ throttling: true });
    const { cloudtrail } = clientsFor(sandbox());
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, () =>
        cloudtrail.send(new DescribeTrailsCommand({})),
      ),
    );
    const throttled = outcomes.filter(o => o.status === 'rejected');
    // 10 TPS: a burst of 12 leaves one or two without a token, depending
    // on how much refilled while the burst arrived.
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    expect(throttled.length).toBeLessThanOrEqual(2);
    const err = (throttled[0] as PromiseRejectedResult).reason;
    expect(err.name).toBe('ThrottlingException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(sandbox().counters().throttled).toBe(throttled.length);
  });

  it('surfaces each service’s own throttling error', async () => {
    sandbox().faults.set({ throttleRate: 1 });
    const c = clientsFor(sandbox());
    const kms = await caught(
      c.kms.send(new DescribeKeyCommand({ KeyId: 'alias/x' })),
    );
    expect([kms.name, kms.$metadata.httpStatusCode]).toEqual([
      'ThrottlingException',
      400,
    ]);
    const sts = await caught(c.sts.send(new GetCallerIdentityCommand({})));
    expect([sts.name, sts.$metadata.httpStatusCode]).toEqual([
      'Throttling',
      400,
    ]);
    const s3 = await caught(
      c.s3.send(
        new GetBucketLocationCommand({ Bucket: 'tg-org-cloudtrail-logs' }),
      ),
    );
    expect([s3.name, s3.$metadata.httpStatusCode]).toEqual(['SlowDown', 503]);
    const head = await caught(
      c.s3.send(new HeadBucketCommand({ Bucket: 'tg-org-cloudtrail-logs' })),
    );
    expect(head.$metadata.httpStatusCode).toBe(503);
    const org = await caught(c.organizations.send(new ListAccountsCommand({})));
    expect(org.name).toBe('TooManyRequestsException');
  });

  it('throttles a seeded random share of calls, reproducibly', async () => {
    const run = async () => {
      sandbox().faults.reset();
      sandbox().resetCounters();
      sandbox().faults.set({
        throttleRate: 0.2,
        seed: 7,
        scope: { api: 'cloudtrail:*' },
      });
      const { cloudtrail, sts } = clientsFor(sandbox());
      await sts.send(new GetCallerIdentityCommand({}));
      // Sequential, so the seeded draws meet the calls in a fixed order.
      const statuses: string[] = [];
      for (let i = 0; i < 50; i++) {
        const ok = await cloudtrail.send(new ListTrailsCommand({})).then(
          () => true,
          () => false,
        );
        statuses.push(ok ? 'ok' : 'throttled');
      }
      return statuses;
    };
    const first = await run();
    const throttled = first.filter(s => s === 'throttled').length;
    expect(throttled).toBeGreaterThan(3);
    expect(throttled).toBeLessThan(20);
    expect(sandbox().counters().throttled).toBe(throttled);
    expect(await run()).toEqual(first);
  });

  it('injects 5xx failures for the next N calls, which the SDK retries', async () => {
    sandbox().faults.set({ failNext: 2 });
    const { cloudtrail } = clientsFor(sandbox(), { maxAttempts: 3 });
    const out = await cloudtrail.send(new ListTrailsCommand({}));
    expect(out.$metadata.attempts).toBe(3);
    sandbox().faults.set({ failNext: { count: 1, api: 'kms:*' } });
    const kms = clientsFor(sandbox()).kms;
    const err = await caught(
      kms.send(new DescribeKeyCommand({ KeyId: 'alias/x' })),
    );
    expect([err.name, err.$metadata.httpStatusCode]).toEqual([
      'KMSInternalException',
      500,
    ]);
    const ct = await caught(
      clientsFor(sandbox())
        .cloudtrail.send(new ListTrailsCommand({}))
        .then(() => {
          sandbox().faults.set({ errorRate: 1 });
          return clientsFor(sandbox()).cloudtrail.send(
            new ListTrailsCommand({}),
          );
        }),
    );
    expect([ct.name, ct.$metadata.httpStatusCode]).toEqual([
      'InternalFailure',
      500,
    ]);
  });

  it('denies chosen APIs in chosen accounts', async () => {
    sandbox().faults.set({
      accessDenied: [{ account: DEMO.dataLake, api: 'kms:GetKeyPolicy' }],
    });
    const eu = { region: 'eu-west-1' };
    const dataLake = await clientsAs(sandbox(), DEMO.dataLake, eu);
    const KeyId = 'alias/data-lake-cloudtrail';
    await dataLake.kms.send(new DescribeKeyCommand({ KeyId }));
    const err = await caught(
      dataLake.kms.send(new GetKeyPolicyCommand({ KeyId })),
    );
    expect(err.name).toBe('AccessDeniedException');
    const payments = await clientsAs(sandbox(), DEMO.payments);
    await payments.kms.send(
      new GetKeyPolicyCommand({ KeyId: 'alias/payments-cloudtrail' }),
    );
  });

  it('denies a Region (a Region-deny SCP) and leaves the others alone', async () => {
    sandbox().faults.set({
      accessDenied: [{ account: DEMO.mlPlatform, region: 'us-west-2' }],
    });
    const west = await clientsAs(sandbox(), DEMO.mlPlatform, {
      region: 'us-west-2',
    });
    const err = await caught(
      west.cloudtrail.send(new DescribeTrailsCommand({})),
    );
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toContain('service control policy');
    const east = await clientsAs(sandbox(), DEMO.mlPlatform);
    await east.cloudtrail.send(new DescribeTrailsCommand({}));
  });

  it('answers an opt-in Region the account has not enabled as AWS does', async () => {
    sandbox().faults.set({
      regionNotEnabled: [{ account: DEMO.payments, region: 'ap-east-1' }],
    });
    const hk = await clientsAs(sandbox(), DEMO.payments, {
      region: 'ap-east-1',
    });
    const ct = await caught(hk.cloudtrail.send(new DescribeTrailsCommand({})));
    expect([ct.name, ct.$metadata.httpStatusCode]).toEqual([
      'UnrecognizedClientException',
      400,
    ]);
    const kms = await caught(
      hk.kms.send(new DescribeKeyCommand({ KeyId: 'alias/x' })),
    );
    expect(kms.name).toBe('UnrecognizedClientException');
    const other = await clientsAs(sandbox(), DEMO.dataLake, {
      region: 'ap-east-1',
    });
    await other.cloudtrail.send(new DescribeTrailsCommand({}));
    expect(
      new FaultController({
        regionNotEnabled: [{ region: 'ap-east-1' }],
      }).decide({ api: 'sts:AssumeRole', account: '1', region: 'ap-east-1' }),
    ).toEqual({ kind: 'regionNotEnabled' });
  });

  it('hangs chosen calls until the client times out', async () => {
    sandbox().faults.set({
      hang: [{ api: 'cloudtrail:GetTrailStatus', account: DEMO.payments }],
    });
    const payments = await clientsAs(sandbox(), DEMO.payments, {
      requestTimeout: 300,
    });
    const started = Date.now();
    const err = await caught(
      payments.cloudtrail.send(
        new GetTrailStatusCommand({ Name: 'payments-trail' }),
      ),
    );
    expect(err.name).toBe('TimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await payments.cloudtrail.send(new ListTrailsCommand({}));
    expect(sandbox().counters().injected).toBe(1);
  });

  it('adds fixed or per-API latency', async () => {
    sandbox().faults.set({
      latency: 5,
      latencyByApi: { 'cloudtrail:ListTrails': { min: 60, max: 80 } },
    });
    const { cloudtrail } = clientsFor(sandbox());
    const started = Date.now();
    await cloudtrail.send(new ListTrailsCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('accounts AssumeRole to the account being entered', async () => {
    await assumeRole(sandbox(), DEMO.payments);
    await caught(assumeRole(sandbox(), DEMO.acquired));
    const c = sandbox().counters();
    expect(c.byAccountApi[DEMO.payments]).toEqual({ 'sts:AssumeRole': 1 });
    expect(c.byAccountApi[DEMO.acquired]).toEqual({ 'sts:AssumeRole': 1 });
    expect(c.errors).toBe(1);
  });
});

describe('FaultController', () => {
  it('refills token buckets at the quota rate', () => {
    const f = new FaultController({
      throttling: { quotas: { 'kms:DescribeKey': 2 } },
    });
    const call = { api: 'kms:DescribeKey', account: '1', region: 'r' };
    expect(f.decide(call, 0)).toBeUndefined();
    expect(f.decide(call, 0)).toBeUndefined();
    expect(f.decide(call, 0)).toEqual({ kind: 'throttle' });
    expect(f.decide(call, 500)).toBeUndefined();
    expect(f.decide({ ...call, account: '2' }, 500)).toBeUndefined();
  });
});
