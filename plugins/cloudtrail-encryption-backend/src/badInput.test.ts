import { startSandbox, type Sandbox } from '@trailguard/aws-sandbox';
import fc from 'fast-check';
import request from 'supertest';
import { createTestDatabases } from './__testUtils__/databases';
import { startPluginBackend } from './__testUtils__/harness';

jest.setTimeout(120_000);

const NASTY = [
  "' OR 1=1 --",
  "100000000001' OR '1'='1",
  '"; DROP TABLE cloudtrail_encryption_reports; --',
  '../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '１００００００００００１',
  '100000000001 ',
  '1e309',
  '99999999999999999999999999',
  '-1',
  '0x10',
  'NaN',
  '\u0000',
  '\u202e\u0041',
  '💥💥💥',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  'a'.repeat(5000),
];

const text = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.bigInt().map(String),
  fc.double().map(String),
);

/**
 * The bad-input matrix over HTTP: generated and listed malformed, oversized,
 * wrong-type and injection-shaped input on every route. Each answer is a 4xx
 * with a message — never a 5xx, never a stack trace — and nothing is written.
 */
describe('bad input on every route', () => {
  const databases = createTestDatabases();
  let sandbox: Sandbox;
  let h: Awaited<ReturnType<typeof startPluginBackend>>;
  let before: { reports: string; runs: number };

  async function snapshot() {
    const reports = await h.reports();
    const runs = (await h.get('/scans?limit=200')).body.items.length;
    return { reports: JSON.stringify([...reports.entries()]), runs };
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: 'demo' });
    process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
    h = await startPluginBackend({
      sandbox,
      knex: await databases.init('SQLITE_3'),
    });
    await h.fullScan();
    before = await snapshot();
    sandbox.resetCounters();
  });

  afterAll(async () => {
    await h?.backend.stop();
    await sandbox?.close();
    delete process.env.AWS_ENDPOINT_URL_STS;
  });

  function expectCleanRejection(res: request.Response, path: string) {
    expect({ path, status: res.status }).toEqual({
      path,
      status: expect.any(Number),
    });
    if (res.status >= 500 || res.status < 400) {
      throw new Error(`${path} → ${res.status} ${JSON.stringify(res.body)}`);
    }
    const body = JSON.stringify(res.body ?? res.text);
    expect(body).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
    if (res.type === 'application/json') {
      expect(res.body.error.message).toEqual(expect.any(String));
    }
  }

  const send = (method: 'get' | 'post', path: string) =>
    (request(h.backend.server) as any)
      [method](`/api/cloudtrail-encryption${path}`)
      .set('Authorization', h.auth);

  it('account ids in the path (GET report and POST rescan)', async () => {
    await fc.assert(
      fc.asyncProperty(
        // '' and '.' name the list route itself.
        text.filter(s => !/^\d{12}$/.test(s) && s !== '' && s !== '.'),
        fc.constantFrom<'get' | 'post'>('get', 'post'),
        async (id, method) => {
          const path = `/accounts/${encodeURIComponent(id)}${
            method === 'post' ? '/rescan' : ''
          }`;
          expectCleanRejection(await send(method, path), path);
        },
      ),
      { numRuns: 150 },
    );
    // Well-formed but unknown accounts: 404, and no scan is attempted.
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^9\d{11}$/), async id => {
        const path = `/accounts/${id}/rescan`;
        const res = await send('post', path);
        expect(res.status).toBe(404);
      }),
      { numRuns: 20 },
    );
  });

  it('list queries: pagination, filters and unknown parameters', async () => {
    expect.hasAssertions();
    const key = fc.constantFrom(
      'page',
      'pageSize',
      'status',
      'finding',
      'q',
      'limit',
      'sort',
      'order',
      'format',
      'page[]',
    );
    await fc.assert(
      fc.asyncProperty(key, text, async (k, v) => {
        const path = `/accounts?${encodeURIComponent(k)}=${encodeURIComponent(
          v,
        )}`;
        const res = await send('get', path);
        // Only well-formed values of known parameters may succeed.
        const accepted =
          res.status === 200 &&
          [
            'status',
            'finding',
            'q',
            'page',
            'pageSize',
            'sort',
            'order',
          ].includes(k) &&
          Array.isArray(res.body.items);
        if (!accepted) expectCleanRejection(res, path);
      }),
      { numRuns: 200 },
    );
    // The export takes the list's filters and sort, but no paging.
    await fc.assert(
      fc.asyncProperty(key, text, async (k, v) => {
        const path = `/accounts/export?format=csv&${encodeURIComponent(
          k,
        )}=${encodeURIComponent(v)}`;
        const res = await send('get', path);
        const accepted =
          res.status === 200 &&
          ['status', 'finding', 'q', 'sort', 'order'].includes(k) &&
          /^text\/csv/.test(res.type);
        if (!accepted) expectCleanRejection(res, path);
      }),
      { numRuns: 100 },
    );
    for (const path of [
      '/accounts?page=1&page=2',
      '/accounts?pageSize=0',
      '/accounts?page=99999999999',
      `/accounts?q=${'x'.repeat(101)}`,
      '/accounts?sort=accountid',
      '/accounts?sort=name&order=DESC',
      '/accounts?order[]=asc',
      '/accounts/export',
      '/accounts/export?format=CSV',
      '/accounts/export?format=csv&format=json',
      '/accounts/export?format=json&pageSize=10',
      `/accounts/export?format=csv&q=${'x'.repeat(101)}`,
      '/scans?limit=0',
      '/scans?limit=abc',
      '/scans?limit[]=1',
    ]) {
      expectCleanRejection(await send('get', path), path);
    }
  });

  it('entity references', async () => {
    expect.hasAssertions();
    await fc.assert(
      fc.asyncProperty(text, text, text, async (ns, kind, name) => {
        const path = `/entity/${encodeURIComponent(ns)}/${encodeURIComponent(
          kind,
        )}/${encodeURIComponent(name)}`;
        expectCleanRejection(await send('get', path), path);
      }),
      { numRuns: 150 },
    );
  });

  it('bodies and oversized requests', async () => {
    const big = await request(h.backend.server)
      .post('/api/cloudtrail-encryption/accounts/100000000001/rescan')
      .set('Authorization', h.auth)
      .set('Content-Type', 'application/json')
      .send(`{"x":"${'a'.repeat(100_000)}"}`);
    expectCleanRejection(big, 'oversized body');
    const malformed = await request(h.backend.server)
      .post('/api/cloudtrail-encryption/scans')
      .set('Authorization', h.auth)
      .set('Content-Type', 'application/json')
      .send('{"not json');
    expectCleanRejection(malformed, 'malformed body');
    const longPath = await send('get', `/accounts/${'1'.repeat(20_000)}`);
    expect(longPath.status).toBeGreaterThanOrEqual(400);
    expect(longPath.status).toBeLessThan(500);
  });

  it('changed nothing', async () => {
    expect(await snapshot()).toEqual(before);
    const writes = Object.keys(sandbox.counters().byApi).filter(api =>
      /UpdateTrail|PutKeyPolicy|CreateKey|CreateAlias|EnableKeyRotation/.test(
        api,
      ),
    );
    expect(writes).toEqual([]);
  });
});
