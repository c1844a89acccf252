import fc from 'fast-check';
import type { Sandbox } from '@trailguard/aws-sandbox';
import {
  allowingAccess,
  actionContext,
  DEMO,
  sandboxConfig,
  startDemoSandbox,
  stopSandbox,
  writeCalls,
  sandboxScope,
} from './__testUtils__/sandbox';
import { createCreateCloudTrailKeyAction } from './actions/createCloudTrailKey';
import { createEnableSseKmsAction } from './actions/enableSseKms';
import { createEnsureCloudTrailKeyPolicyAction } from './actions/ensureCloudTrailKeyPolicy';

jest.setTimeout(120_000);

/** Inputs shaped like attacks or accidents: injections, traversal, unicode, huge numbers. */
const NASTY = [
  "' OR 1=1 --",
  '"; DROP TABLE cloudtrail_encryption_reports; --',
  '../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  'arn:aws:kms:us-east-1:100000000002:key/../../admin',
  'arn:aws:cloudtrail:us-east-1:100000000002:trail/x;rm -rf /',
  '１００００００００００２', // full-width digits
  '100000000002\n',
  ' 100000000002',
  '1e309',
  '999999999999999999999999',
  '\u0000',
  '💥'.repeat(50),
  'a'.repeat(100_000),
  '${{ secrets.token }}',
  '<script>alert(1)</script>',
];

const junk = fc.oneof(
  fc.constantFrom<unknown>(...NASTY),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);

/** Junk that is certainly not a valid 12-digit account id. */
const badAccountId = junk.filter(
  v => !(typeof v === 'string' && /^\d{12}$/.test(v)),
);

describe('remediation actions reject bad input with a clear message and write nothing', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startDemoSandbox();
  });
  afterAll(async () => stopSandbox(sandbox));

  async function expectRefused(
    action: { handler: (ctx: any) => Promise<void> },
    input: Record<string, unknown>,
  ) {
    let error: unknown;
    try {
      await action.handler(actionContext(input));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message.trim().length).toBeGreaterThan(0);
    expect(message.length).toBeLessThan(2000);
    expect(message).not.toMatch(/\n\s+at /);
  }

  it('aws:kms:create-cloudtrail-key', async () => {
    const action = createCreateCloudTrailKeyAction({
      config: sandboxConfig(sandbox),
      access: allowingAccess(),
      scope: sandboxScope(sandbox),
    });
    sandbox.resetCounters();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          accountId: badAccountId,
          bucketRegion: junk,
          trailArn: junk,
          readers: junk,
          alias: junk,
          multiRegion: junk,
        }),
        async input => expectRefused(action, input),
      ),
      { numRuns: 60 },
    );
    // A valid account with junk elsewhere is refused too.
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          bucketRegion: fc.constantFrom<unknown>(
            ...NASTY,
            'US-EAST-1',
            'mars-1',
          ),
          trailArn: junk,
        }),
        async partial =>
          expectRefused(action, {
            accountId: DEMO.marketing.accountId,
            ...partial,
          }),
      ),
      { numRuns: 40 },
    );
    expect(writeCalls(sandbox)).toEqual({});
  });

  it('aws:kms:ensure-cloudtrail-key-policy', async () => {
    const action = createEnsureCloudTrailKeyPolicyAction({
      config: sandboxConfig(sandbox),
      access: allowingAccess(),
      scope: sandboxScope(sandbox),
    });
    sandbox.resetCounters();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          accountId: badAccountId,
          keyArn: junk,
          trailArn: junk,
          readers: junk,
        }),
        async input => expectRefused(action, input),
      ),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          keyArn: fc.constantFrom<unknown>(...NASTY),
          readers: junk,
        }),
        async partial =>
          expectRefused(action, {
            accountId: DEMO.checkout.accountId,
            trailArn: DEMO.checkout.trailArn,
            ...partial,
          }),
      ),
      { numRuns: 30 },
    );
    expect(writeCalls(sandbox)).toEqual({});
  });

  it('aws:cloudtrail:enable-sse-kms', async () => {
    const action = createEnableSseKmsAction({
      config: sandboxConfig(sandbox),
      access: allowingAccess(),
      scope: sandboxScope(sandbox),
    });
    sandbox.resetCounters();
    await fc.assert(
      fc.asyncProperty(
        fc.record({ accountId: badAccountId, trailArn: junk, keyArn: junk }),
        async input => expectRefused(action, input),
      ),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          trailArn: fc.constantFrom<unknown>(...NASTY),
          keyArn: junk,
        }),
        async partial =>
          expectRefused(action, {
            accountId: DEMO.marketing.accountId,
            ...partial,
          }),
      ),
      { numRuns: 30 },
    );
    expect(writeCalls(sandbox)).toEqual({});
  });
});
