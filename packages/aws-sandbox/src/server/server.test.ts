import http from 'node:http';
import net from 'node:net';
import { ListTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { DEFAULT_CREDENTIALS } from './core';
import { clientsFor, useSandbox } from '../__testUtils__/clients';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Signs a request carrying a placeholder Authorization header for real. */
async function signed(
  endpoint: string,
  options: RawOptions,
): Promise<RawOptions> {
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(
    options.headers?.authorization ?? '',
  );
  if (!m) return options;
  const { authorization, ...headers } = options.headers!;
  const url = new URL(`${endpoint}${options.path ?? '/'}`);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signer = new SignatureV4({
    service: m[3],
    region: m[2],
    sha256: Sha256,
    uriEscapePath: m[3] !== 's3',
    credentials: { ...DEFAULT_CREDENTIALS, accessKeyId: m[1] },
  });
  const request = await signer.sign({
    method: options.method ?? 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query,
    headers: { ...headers, host: url.host },
    body: options.body,
  });
  return { ...options, headers: request.headers as Record<string, string> };
}

interface RawOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

async function raw(
  endpoint: string,
  unsigned: RawOptions,
): Promise<RawResponse> {
  const options = await signed(endpoint, unsigned);
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${endpoint}${options.path ?? '/'}`,
      {
        method: options.method ?? 'POST',
        headers: options.headers,
        agent: false,
      },
      res => {
        let body = '';
        res.on('data', c => (body += c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const auth = (service: string, key = 'AKIASANDBOXMAIN00001') =>
  `AWS4-HMAC-SHA256 Credential=${key}/20261129/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;

const json = (service: string, target: string, body: string) => ({
  headers: {
    authorization: auth(service),
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': target,
  },
  body,
});

describe('sandbox server', () => {
  const sandbox = useSandbox();

  it('listens on 127.0.0.1 only', async () => {
    const s = sandbox();
    expect(s.endpoint).toBe(`http://127.0.0.1:${s.port}`);
    const refuses = (host: string) =>
      new Promise<boolean>(resolve => {
        const socket = net.connect(s.port, host);
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
    // A wildcard bind would accept these loopback addresses too.
    for (const host of ['127.0.0.2', '::1']) {
      expect([host, await refuses(host)]).toEqual([host, true]);
    }
    expect(await refuses('127.0.0.1')).toBe(false);
  });

  it('answers malformed JSON with SerializationException', async () => {
    const res = await raw(
      sandbox().endpoint,
      json('kms', 'TrentService.DescribeKey', '{"KeyId":'),
    );
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(res.body).__type).toBe('SerializationException');
  });

  it('answers unknown JSON operations with UnknownOperationException', async () => {
    const res = await raw(
      sandbox().endpoint,
      json(
        'cloudtrail',
        'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DeleteEverything',
        '{}',
      ),
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      __type: 'UnknownOperationException',
      Message: '',
    });
    const known = await raw(
      sandbox().endpoint,
      json(
        'cloudtrail',
        'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListTrails',
        '{}',
      ),
    );
    expect(known.status).toBe(200);
    expect(JSON.parse(known.body).Trails).toHaveLength(1);
  });

  it('answers unknown STS actions with InvalidAction in an ErrorResponse', async () => {
    const res = await raw(sandbox().endpoint, {
      headers: {
        authorization: auth('sts'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'Action=DestroyAccount&Version=2011-06-15',
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain(
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
    );
    expect(res.body).toContain('<Code>InvalidAction</Code>');
    expect(res.body).toMatch(/<RequestId>[0-9a-f-]{36}<\/RequestId>/);
  });

  it('answers STS calls in awsQuery XML', async () => {
    const res = await raw(sandbox().endpoint, {
      headers: {
        authorization: auth('sts'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(res.status).toBe(200);
    expect(res.body).toContain(
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
    );
    expect(res.body).toContain('<Account>111111111111</Account>');
    expect(res.body).toContain('<ResponseMetadata><RequestId>');
  });

  it('answers unsigned requests the way each service does', async () => {
    const kms = await raw(sandbox().endpoint, {
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'TrentService.ListKeys',
      },
      body: '{}',
    });
    expect(kms.status).toBe(400);
    expect(JSON.parse(kms.body).__type).toBe(
      'MissingAuthenticationTokenException',
    );
    const s3 = await raw(sandbox().endpoint, {
      method: 'GET',
      path: '/tg-org-cloudtrail-logs?location',
    });
    expect(s3.status).toBe(403);
    expect(s3.body).toContain('<Code>AccessDenied</Code>');
    expect(s3.headers['x-amz-request-id']).toBeDefined();
  });

  it('answers unsupported S3 operations with NotImplemented and unknown services with 400', async () => {
    const s3 = await raw(sandbox().endpoint, {
      method: 'DELETE',
      path: '/tg-org-cloudtrail-logs',
      headers: { authorization: auth('s3') },
    });
    expect(s3.status).toBe(501);
    expect(s3.body).toContain('<Code>NotImplemented</Code>');
    const ec2 = await raw(sandbox().endpoint, {
      headers: { authorization: auth('ec2') },
      body: 'Action=DescribeInstances',
    });
    expect(ec2.status).toBe(400);
    expect(JSON.parse(ec2.body).__type).toBe('UnknownOperationException');
  });

  it('keeps serving after bad requests', async () => {
    await raw(
      sandbox().endpoint,
      json('kms', 'TrentService.DescribeKey', '[1,2'),
    );
    await raw(
      sandbox().endpoint,
      json('kms', 'TrentService.DescribeKey', '"text"'),
    );
    await raw(
      sandbox().endpoint,
      json('kms', 'TrentService.DescribeKey', '{"KeyId": 42}'),
    );
    const { cloudtrail } = clientsFor(sandbox());
    const out = await cloudtrail.send(new ListTrailsCommand({}));
    expect(out.Trails!.length).toBeGreaterThan(0);
  });
});

describe('admin endpoint', () => {
  const sandbox = useSandbox();
  const admin = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {
      ...sandbox().adminHeaders(),
      'content-type':
        typeof body === 'string' ? 'application/yaml' : 'application/json',
    },
  ) =>
    raw(sandbox().endpoint, {
      method,
      path: `/_sandbox/${path}`,
      headers,
      body:
        typeof body === 'string' || body === undefined
          ? body
          : JSON.stringify(body),
    }).then(r => ({ ...r, json: JSON.parse(r.body) }));

  it('answers only the holder of the per-start token', async () => {
    const noToken = await admin('GET', 'state', undefined, {});
    expect(noToken.status).toBe(401);
    expect(noToken.json.error).toContain('token');
    const wrong = await admin('POST', 'counters/reset', undefined, {
      authorization: `Bearer ${sandbox().adminToken}x`,
    });
    expect(wrong.status).toBe(403);
    const other = await admin('GET', 'state', undefined, {
      'x-sandbox-token': 'guess',
    });
    expect(other.status).toBe(403);
    const viaHeader = await admin('GET', 'health', undefined, {
      'x-sandbox-token': sandbox().adminToken,
    });
    expect(viaHeader.status).toBe(200);
    expect(sandbox().adminToken).toMatch(/^[\w-]{32}$/);
  });

  it('changes nothing for a refused request', async () => {
    sandbox().faults.reset();
    const refused = await admin(
      'PUT',
      'faults',
      { latency: 500 },
      { 'content-type': 'application/json' },
    );
    expect(refused.status).toBe(401);
    expect(sandbox().faults.get()).toEqual({ failNextRemaining: 0 });
  });

  it('takes JSON or YAML bodies only', async () => {
    const plain = await admin('PUT', 'faults', '{"latency": 500}', {
      ...sandbox().adminHeaders(),
      'content-type': 'text/plain',
    });
    expect(plain.status).toBe(415);
    expect(plain.json.error).toContain('text/plain');
    const untyped = await admin('PUT', 'faults', '{"latency": 500}', {
      ...sandbox().adminHeaders(),
    });
    expect(untyped.status).toBe(415);
    expect(sandbox().faults.get()).toEqual({ failNextRemaining: 0 });
  });

  it('bounds generated organizations and request bodies', async () => {
    const tooMany = await admin('POST', 'scenario', {
      generate: { accounts: 20_001 },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error).toContain('at most 20000');
    const notANumber = await admin('POST', 'scenario', {
      generate: { accounts: '5' },
    });
    expect(notANumber.status).toBe(400);
    const huge = await admin('POST', 'scenario', {
      scenario: { name: 'x'.repeat(2 * 1024 * 1024), accounts: [] },
    });
    expect(huge.status).toBe(413);
    expect(huge.json.error).toContain('larger than');
    expect(sandbox().scenario.name).toBe('demo');
  });

  it('counts calls per API and account and resets the counters', async () => {
    await admin('POST', 'counters/reset');
    const { cloudtrail } = clientsFor(sandbox());
    await cloudtrail.send(new ListTrailsCommand({}));
    await cloudtrail.send(new ListTrailsCommand({}));
    const { json: counters } = await admin('GET', 'counters');
    expect(counters).toMatchObject({
      total: 2,
      byApi: { 'cloudtrail:ListTrails': 2 },
      byAccount: { '111111111111': 2 },
      byAccountApi: { '111111111111': { 'cloudtrail:ListTrails': 2 } },
      throttled: 0,
    });
    expect(sandbox().counters().total).toBe(2);
    await admin('POST', 'counters/reset');
    expect(sandbox().counters().total).toBe(0);
  });

  it('sets and resets faults', async () => {
    const put = await admin('PUT', 'faults', {
      latency: 5,
      accessDenied: [{ api: 'kms:*' }],
    });
    expect(put.json).toMatchObject({
      latency: 5,
      accessDenied: [{ api: 'kms:*' }],
    });
    expect(sandbox().faults.get()).toMatchObject({ latency: 5 });
    const patched = await admin('PATCH', 'faults', { errorRate: 0.5 });
    expect(patched.json).toMatchObject({ latency: 5, errorRate: 0.5 });
    await admin('POST', 'faults/reset');
    expect(sandbox().faults.get()).toEqual({ failNextRemaining: 0 });
  });

  it('loads scenarios, dumps state and applies mutations', async () => {
    const generated = await admin('POST', 'scenario', {
      generate: { accounts: 5, seed: 3 },
    });
    expect(generated.json).toMatchObject({
      scenario: 'generated-5-seed-3',
      accounts: 7,
    });
    const yaml =
      'name: tiny\naccounts:\n  - { id: "123456789012", name: solo }\n';
    expect((await admin('POST', 'scenario', yaml)).json.scenario).toBe('tiny');
    expect(
      (await admin('POST', 'scenario', { name: 'demo' })).json.scenario,
    ).toBe('demo');
    const invalid = await admin('POST', 'scenario', 'accounts: [{ id: nope }]');
    expect(invalid.status).toBe(400);
    expect(invalid.json.error).toContain('accounts[0].id');

    const state = await admin('GET', 'state');
    expect(state.json.trails).toHaveLength(13);
    const arn =
      'arn:aws:cloudtrail:us-east-1:100000000002:trail/marketing-trail';
    expect(
      (await admin('POST', 'mutate', { op: 'deleteTrail', args: [arn] }))
        .status,
    ).toBe(200);
    expect(sandbox().state.trails.has(arn)).toBe(false);
    const badOp = await admin('POST', 'mutate', { op: 'rm -rf', args: [] });
    expect(badOp.status).toBe(400);
    expect((await admin('GET', 'nothing')).status).toBe(404);
    sandbox().loadScenario('demo');
  });
});
