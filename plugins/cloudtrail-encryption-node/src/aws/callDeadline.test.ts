import { Sandbox, startSandbox } from '@trailguard/aws-sandbox';
import { sandboxConfig } from '../__testUtils__/sandboxConfig';
import { createScanEngineFromConfig } from '../scan/config';
import type { AwsAccess } from './AwsAccess';
import { CallDeadlines } from './callDeadline';
import { KeyReader } from './KeyReader';

const aborted = (signal: AbortSignal) =>
  new Promise<number>(resolve =>
    signal.addEventListener('abort', () => resolve(Date.now()), {
      once: true,
    }),
  );

describe('CallDeadlines', () => {
  it('gives the calls of one slice of time one signal, and the next slice another', () => {
    let now = 1_000_000;
    const deadlines = new CallDeadlines(60_000, () => now);
    const first = deadlines.signal();
    now += 999;
    expect(deadlines.signal()).toBe(first);
    now += 1;
    const next = deadlines.signal();
    expect(next).not.toBe(first);
    expect(deadlines.signal()).toBe(next);
  });

  it('aborts no call sooner than its timeout, nor much later', async () => {
    const timeoutMs = 200;
    const deadlines = new CallDeadlines(timeoutMs);
    const calls: Array<{ at: number; abortedAt: Promise<number> }> = [];
    for (let i = 0; i < 8; i++) {
      const at = Date.now();
      calls.push({ at, abortedAt: aborted(deadlines.signal()) });
      await new Promise(r => setTimeout(r, 3));
    }
    // Several calls share a signal (a slice is 10 ms here).
    for (const { at, abortedAt } of calls) {
      const elapsed = (await abortedAt) - at;
      // Timers may fire a millisecond before Date.now() says they should.
      expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 1);
      expect(elapsed).toBeLessThan(timeoutMs + 2_000);
    }
  });

  it('calls at the deadline only the listeners still listening, once each, with a TimeoutError', async () => {
    const signal = new CallDeadlines(30).signal();
    const calls: string[] = [];
    const stays = () => calls.push('stays');
    const leaves = () => calls.push('leaves');
    const object = { handleEvent: () => calls.push('object') };
    signal.addEventListener('abort', stays, { once: true });
    signal.addEventListener('abort', stays, { once: true });
    signal.addEventListener('abort', leaves, { once: true });
    signal.addEventListener('abort', object);
    signal.removeEventListener('abort', leaves);
    // A later call takes the slot the one that left cleared.
    const later = () => calls.push('later');
    signal.addEventListener('abort', later, { once: true });
    signal.onabort = () => calls.push('onabort');
    expect(signal.aborted).toBe(false);

    await aborted(signal);
    expect(calls.sort()).toEqual(['later', 'object', 'onabort', 'stays']);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(DOMException);
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
    expect(() => signal.throwIfAborted()).toThrow(/aborted due to timeout/);
    // Aborted once: a listener added now is not called.
    signal.addEventListener('abort', () => calls.push('too late'));
    await new Promise(r => setTimeout(r, 20));
    expect(calls).not.toContain('too late');
  });

  it('holds nothing of a listener that stopped listening, even while its slot is free', async () => {
    const signal = new CallDeadlines(20).signal();
    const calls: string[] = [];
    const gone = () => calls.push('gone');
    signal.addEventListener('abort', gone);
    signal.addEventListener('abort', () => calls.push('stays'));
    signal.removeEventListener('abort', gone);
    // Waited for through onabort, so that no listener takes the free slot.
    await new Promise(resolve => {
      signal.onabort = resolve;
    });
    expect(calls).toEqual(['stays']);
  });

  it('lets a listener of two signals leave each on its own', async () => {
    let now = 1_000_000;
    const deadlines = new CallDeadlines(20, () => now);
    const first = deadlines.signal();
    now += 1;
    const second = deadlines.signal();
    expect(second).not.toBe(first);
    const calls: string[] = [];
    const a = () => calls.push('a');
    const b = () => calls.push('b');
    for (const signal of [first, second]) {
      signal.addEventListener('abort', a);
      signal.addEventListener('abort', b);
    }
    first.removeEventListener('abort', a);
    second.removeEventListener('abort', b);
    // Added again where it still listens: held once.
    second.addEventListener('abort', a);
    await Promise.all([aborted(first), aborted(second)]);
    expect(calls.sort()).toEqual(['a', 'b']);
  });

  it('refuses a timeout that is not a positive number of milliseconds', () => {
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new CallDeadlines(bad)).toThrow(
        /must be a positive number of milliseconds/,
      );
    }
  });
});

describe('a shared deadline through the real SDK', () => {
  let sandbox: Sandbox;
  let aws: AwsAccess;

  beforeAll(async () => {
    sandbox = await startSandbox();
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    // The scan's own access layer: the call is made as the scan role.
    aws = createScanEngineFromConfig(
      sandboxConfig(sandbox, { aws: { maxAttempts: 1 } }),
    ).aws;
  });

  afterAll(async () => {
    aws?.destroy();
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  it('ends a call that gets no answer at the call timeout, and leaves the next call its own', async () => {
    const keys = new KeyReader(aws, { callTimeoutMs: 400 });
    const key = 'arn:aws:kms:us-east-1:111111111111:key/not-a-key';
    sandbox.faults.set({ hang: [{ api: 'kms:DescribeKey' }] });
    const started = Date.now();
    const error = await keys
      .describeKey('111111111111', 'us-east-1', key)
      .catch(e => e as Error);
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(elapsed).toBeGreaterThanOrEqual(399);
    // Well before the 10 s request timeout: the call's deadline ended it.
    expect(elapsed).toBeLessThan(5_000);

    sandbox.faults.reset();
    // A later call gets a deadline of its own, not the one that fired.
    await expect(
      keys.describeKey('111111111111', 'us-east-1', key),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});
