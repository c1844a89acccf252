import { describeAwsError, formatAwsError } from '../aws/errors';
import { ScanCache, settle } from './ScanCache';
import { Spill } from './spill';

class AccessDenied extends Error {
  readonly $metadata = { httpStatusCode: 403, requestId: 'r-1' };
  readonly $fault = 'client';
  constructor() {
    super('User is not authorized to perform: kms:GetKeyPolicy');
    this.name = 'AccessDeniedException';
  }
}

const settled = () => new Promise(resolve => setImmediate(resolve));

describe('ScanCache', () => {
  const spill = new Spill();
  afterAll(() => spill.close());

  it('loads each key once, spilled or not', async () => {
    for (const options of [{}, { spill }, { spill, copies: true }]) {
      const cache = new ScanCache<{ n: number }>(options);
      const load = jest.fn(async () => ({ n: 1 }));
      const first = cache.get('k', load);
      expect(cache.get('k', load)).toBe(first);
      await first;
      await settled();
      expect(await cache.get('k', load)).toEqual({ n: 1 });
      expect(await cache.get('k', load)).toEqual({ n: 1 });
      expect(load).toHaveBeenCalledTimes(1);
    }
  });

  it('spills a settled value and reads it back for good when it is looked up again', async () => {
    const cache = new ScanCache<{ policy: string; at: string }>({ spill });
    const value = { policy: 'x'.repeat(3000), at: new Date(0).toISOString() };
    expect(await cache.get('k', async () => value)).toBe(value);
    await settled();
    const second = await cache.get('k', async () => value);
    expect(second).not.toBe(value);
    expect(second).toEqual(value);
    // Shared from then on: one object for every later account.
    expect(await cache.get('k', async () => value)).toBe(second);
  });

  it('reads each look-up a copy of its own with copies', async () => {
    const cache = new ScanCache<{ policy: string }>({ spill, copies: true });
    await cache.get('k', async () => ({ policy: 'p' }));
    await settled();
    const a = await cache.get('k', async () => ({ policy: 'q' }));
    const b = await cache.get('k', async () => ({ policy: 'q' }));
    expect(a).toEqual({ policy: 'p' });
    expect(b).toEqual(a);
    expect(b).not.toBe(a);
  });

  it('starts a look-up without reading it back and keeps a failed one as it failed', async () => {
    const cache = new ScanCache<string>({ spill });
    const load = jest.fn(async () => {
      throw new Error('boom');
    });
    cache.start('k', load);
    cache.start('k', load);
    expect(load).toHaveBeenCalledTimes(1);
    await settled();
    await expect(cache.get('k', load)).rejects.toThrow('boom');
    expect(load).toHaveBeenCalledTimes(1);
  });
});

describe('settle', () => {
  it('keeps what reports read of an AWS error through the spill', async () => {
    const spill = new Spill();
    const error = new AccessDenied();
    const outcome = await settle(Promise.reject(error));
    const copy = spill.get(spill.put(outcome));
    spill.close();
    expect(copy.ok).toBe(false);
    const after = copy.ok ? undefined : copy.error;
    expect(describeAwsError(after)).toEqual(describeAwsError(error));
    expect(formatAwsError(after, 'GetKeyPolicy')).toBe(
      'GetKeyPolicy failed: AccessDeniedException: User is not authorized to perform: kms:GetKeyPolicy',
    );
    expect(describeAwsError(after)).toMatchObject({
      code: 'AccessDeniedException',
      status: 403,
      accessDenied: true,
    });
  });

  it('leaves a value and a non-object failure as they are', async () => {
    expect(await settle(Promise.resolve(3))).toEqual({ ok: true, value: 3 });
    expect(await settle(Promise.reject('text'))).toEqual({
      ok: false,
      error: 'text',
    });
  });
});
