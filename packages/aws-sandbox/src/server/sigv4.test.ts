import http from 'node:http';
import { ListTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  assumeRole,
  caught,
  clientsFor,
  DEMO,
  useSandbox,
} from '../__testUtils__/clients';
import { DEFAULT_CREDENTIALS } from './core';
import { parseAmzDate, parseAuthorization } from './sigv4';

const MINUTE = 60 * 1000;

/** Sends a request signed by @smithy/signature-v4 with the given scope. */
async function signedRaw(
  endpoint: string,
  scope: { service: string; region?: string; secret?: string },
  request: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  },
) {
  const url = new URL(`${endpoint}${request.path ?? '/'}`);
  const signer = new SignatureV4({
    service: scope.service,
    region: scope.region ?? 'us-east-1',
    sha256: Sha256,
    uriEscapePath: scope.service !== 's3',
    credentials: {
      ...DEFAULT_CREDENTIALS,
      secretAccessKey: scope.secret ?? DEFAULT_CREDENTIALS.secretAccessKey,
    },
  });
  const signed = await signer.sign({
    method: request.method ?? 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...request.headers, host: url.host },
    body: request.body,
  });
  return send(url, request.method ?? 'POST', signed.headers, request.body);
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, res => {
      let text = '';
      res.on('data', c => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const kmsListKeys = {
  headers: {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'TrentService.ListKeys',
  },
  body: '{}',
};

describe('SigV4 verification', () => {
  const sandbox = useSandbox();

  it('accepts what the SDK signs, for static and temporary credentials', async () => {
    const mgmt = clientsFor(sandbox());
    const me = await mgmt.sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(DEMO.management);
    const creds = await assumeRole(sandbox(), DEMO.payments);
    const payments = clientsFor(sandbox(), { credentials: creds });
    const keys = await payments.kms.send(new ListKeysCommand({}));
    expect(keys.Keys!.length).toBeGreaterThan(0);
  });

  it('refuses a wrong secret in each protocol', async () => {
    const wrong = clientsFor(sandbox(), {
      credentials: { ...DEFAULT_CREDENTIALS, secretAccessKey: 'not-it' },
    });
    const sts = await caught(wrong.sts.send(new GetCallerIdentityCommand({})));
    expect([sts.name, sts.$metadata.httpStatusCode]).toEqual([
      'SignatureDoesNotMatch',
      403,
    ]);
    expect(sts.message).toMatch(/signature we calculated does not match/);
    for (const err of [
      await caught(wrong.kms.send(new ListKeysCommand({}))),
      await caught(wrong.cloudtrail.send(new ListTrailsCommand({}))),
      await caught(
        wrong.organizations.send(new DescribeOrganizationCommand({})),
      ),
    ]) {
      expect([err.name, err.$metadata.httpStatusCode]).toEqual([
        'InvalidSignatureException',
        400,
      ]);
    }
    const s3 = await caught(wrong.s3.send(new ListBucketsCommand({})));
    expect([s3.name, s3.$metadata.httpStatusCode]).toEqual([
      'SignatureDoesNotMatch',
      403,
    ]);
    expect(s3.AWSAccessKeyId).toBe(DEFAULT_CREDENTIALS.accessKeyId);
  });

  it('refuses unknown key ids and session tokens that were not issued', async () => {
    const unknown = clientsFor(sandbox(), {
      credentials: {
        accessKeyId: 'AKIANOTAKEY000000000',
        secretAccessKey: 'x',
      },
    });
    const sts = await caught(
      unknown.sts.send(new GetCallerIdentityCommand({})),
    );
    expect([sts.name, sts.$metadata.httpStatusCode]).toEqual([
      'InvalidClientTokenId',
      403,
    ]);
    const kms = await caught(unknown.kms.send(new ListKeysCommand({})));
    expect(kms.name).toBe('UnrecognizedClientException');
    const s3 = await caught(unknown.s3.send(new ListBucketsCommand({})));
    expect([s3.name, s3.$metadata.httpStatusCode]).toEqual([
      'InvalidAccessKeyId',
      403,
    ]);
    const creds = await assumeRole(sandbox(), DEMO.payments);
    const forged = clientsFor(sandbox(), {
      credentials: { ...creds, sessionToken: `${creds.sessionToken}x` },
    });
    const token = await caught(forged.kms.send(new ListKeysCommand({})));
    expect(token.name).toBe('UnrecognizedClientException');
    const noToken = clientsFor(sandbox(), {
      credentials: { ...creds, sessionToken: undefined },
    });
    const missing = await caught(
      noToken.sts.send(new GetCallerIdentityCommand({})),
    );
    expect(missing.name).toBe('InvalidClientTokenId');
  });

  it('refuses a clock more than 15 minutes off, as each service words it', async () => {
    const late = {
      ...clientsFor(sandbox()),
    };
    for (const c of Object.values(late))
      c.config.systemClockOffset = -20 * MINUTE;
    const sts = await caught(late.sts.send(new GetCallerIdentityCommand({})));
    expect([sts.name, sts.$metadata.httpStatusCode]).toEqual([
      'SignatureDoesNotMatch',
      403,
    ]);
    expect(sts.message).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z/,
    );
    const kms = await caught(late.kms.send(new ListKeysCommand({})));
    expect(kms.name).toBe('InvalidSignatureException');
    expect(kms.message).toMatch(/^Signature expired/);
    const s3 = await caught(late.s3.send(new ListBucketsCommand({})));
    expect([s3.name, s3.$metadata.httpStatusCode]).toEqual([
      'RequestTimeTooSkewed',
      403,
    ]);
    expect(s3.MaxAllowedSkewMilliseconds).toBe('900000');

    const early = clientsFor(sandbox());
    early.cloudtrail.config.systemClockOffset = 20 * MINUTE;
    const ct = await caught(early.cloudtrail.send(new ListTrailsCommand({})));
    expect(ct.name).toBe('InvalidSignatureException');
    expect(ct.message).toMatch(/^Signature not yet current/);

    // Within the allowed skew nothing is refused.
    const close = clientsFor(sandbox());
    close.kms.config.systemClockOffset = -10 * MINUTE;
    await expect(
      close.kms.send(new ListKeysCommand({})),
    ).resolves.toBeDefined();
  });

  it('lets the SDK correct its clock from the Date header and retry', async () => {
    const skewed = clientsFor(sandbox(), { maxAttempts: 2 });
    skewed.kms.config.systemClockOffset = -30 * MINUTE;
    const out = await skewed.kms.send(new ListKeysCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    expect(Math.abs(skewed.kms.config.systemClockOffset)).toBeLessThan(
      2 * MINUTE,
    );
  });

  it('refuses a signature scoped to another service', async () => {
    const kms = await signedRaw(
      sandbox().endpoint,
      { service: 'cloudtrail' },
      kmsListKeys,
    );
    expect(kms.status).toBe(400);
    expect(JSON.parse(kms.body)).toEqual({
      __type: 'InvalidSignatureException',
      message: "Credential should be scoped to correct service: 'kms'. ",
    });
    const sts = await signedRaw(
      sandbox().endpoint,
      { service: 'kms' },
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=GetCallerIdentity&Version=2011-06-15',
      },
    );
    expect(sts.status).toBe(403);
    expect(sts.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    // IAM shares STS's protocol and endpoint here; its API version routes it.
    const iam = await signedRaw(
      sandbox().endpoint,
      { service: 'sts' },
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=GetAccountAuthorizationDetails&Version=2010-05-08',
      },
    );
    expect(iam.status).toBe(403);
    expect(iam.body).toContain(
      '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">',
    );
    expect(iam.body).toContain(
      'Credential should be scoped to correct service: &apos;iam&apos;.',
    );
    const s3 = await signedRaw(
      sandbox().endpoint,
      { service: 'sts' },
      { method: 'GET', path: '/tg-org-cloudtrail-logs?location' },
    );
    expect(s3.status).toBe(400);
    expect(s3.body).toContain('<Code>AuthorizationHeaderMalformed</Code>');
    expect(s3.body).toContain('incorrect service &quot;sts&quot;');
    // The same requests signed for the right service pass.
    const ok = await signedRaw(
      sandbox().endpoint,
      { service: 'kms' },
      kmsListKeys,
    );
    expect(ok.status).toBe(200);
  });

  it('refuses a request changed after it was signed', async () => {
    const { kms, s3 } = clientsFor(sandbox());
    kms.middlewareStack.addRelativeTo(
      (next: any) => async (args: any) => {
        // Same length, so only the signature can tell.
        args.request.body = '[]';
        return next(args);
      },
      { relation: 'after', toMiddleware: 'httpSigningMiddleware' },
    );
    const body = await caught(kms.send(new ListKeysCommand({})));
    expect(body.name).toBe('InvalidSignatureException');
    s3.middlewareStack.addRelativeTo(
      (next: any) => async (args: any) => {
        args.request.path = '/tg-org-cloudtrail-logs';
        args.request.query = { location: '' };
        return next(args);
      },
      { relation: 'after', toMiddleware: 'httpSigningMiddleware' },
    );
    const path = await caught(s3.send(new ListBucketsCommand({})));
    expect(path.name).toBe('SignatureDoesNotMatch');
  });

  it('refuses malformed, presigned and unsigned-payload-mismatched requests', async () => {
    const url = new URL(`${sandbox().endpoint}/`);
    const malformed = await send(url, 'POST', {
      ...kmsListKeys.headers,
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIASANDBOXMAIN00001',
    });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body).__type).toBe(
      'IncompleteSignatureException',
    );
    const presigned = await send(
      new URL(
        `${
          sandbox().endpoint
        }/tg-org-cloudtrail-logs?location&X-Amz-Credential=AKIASANDBOXMAIN00001%2F20261201%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=00`,
      ),
      'GET',
      {},
    );
    expect(presigned.status).toBe(403);
    expect(presigned.body).toContain('<Code>AccessDenied</Code>');
    const hash = await signedRaw(
      sandbox().endpoint,
      { service: 's3' },
      {
        method: 'GET',
        path: '/tg-org-cloudtrail-logs?location',
        headers: { 'x-amz-content-sha256': 'ab'.repeat(32) },
      },
    );
    expect(hash.status).toBe(400);
    expect(hash.body).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    const wellFormed = await signedRaw(
      sandbox().endpoint,
      { service: 's3' },
      { method: 'GET', path: '/tg-org-cloudtrail-logs?location' },
    );
    expect(wellFormed.status).toBe(200);
    const mangled = await send(
      new URL(`${sandbox().endpoint}/tg-org-cloudtrail-logs?location&x=%E0%A`),
      'GET',
      {
        authorization: `AWS4-HMAC-SHA256 Credential=${
          DEFAULT_CREDENTIALS.accessKeyId
        }/${new Date()
          .toISOString()
          .slice(0, 10)
          .replace(
            /-/g,
            '',
          )}/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(
          64,
        )}`,
        'x-amz-date': new Date()
          .toISOString()
          .replace(/[-:]/g, '')
          .replace(/\.\d{3}/, ''),
      },
    );
    expect(mangled.status).toBe(403);
    expect(mangled.body).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('parses Authorization headers and amz dates strictly', () => {
    expect(
      parseAuthorization(
        'AWS4-HMAC-SHA256 Credential=AKIA1/20261201/eu-west-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc123',
      ),
    ).toEqual({
      accessKeyId: 'AKIA1',
      shortDate: '20261201',
      region: 'eu-west-1',
      service: 'kms',
      signedHeaders: ['host', 'x-amz-date'],
      signature: 'abc123',
    });
    expect(parseAuthorization('AWS AKIA1:abc')).toBeUndefined();
    expect(parseAmzDate('20261201T101500Z')).toEqual(
      new Date('2026-12-01T10:15:00Z'),
    );
    expect(parseAmzDate('2026-12-01T10:15:00Z')).toBeUndefined();
  });
});
