import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsError, isoSeconds, isQueryService, ServiceName } from './protocol';

/** AWS refuses requests whose signing time is further than this from its clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const AUTH_RE =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;.\-_]+),\s*Signature=([0-9a-f]+)$/;
const AMZ_DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const EMPTY_SHA256 =
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** The parts of a SigV4 Authorization header. */
export interface SigV4Header {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(
  header: string | undefined,
): SigV4Header | undefined {
  const m = header ? AUTH_RE.exec(header.trim()) : null;
  if (!m) return undefined;
  return {
    accessKeyId: m[1],
    shortDate: m[2],
    region: m[3],
    service: m[4],
    signedHeaders: m[5].split(';'),
    signature: m[6],
  };
}

export function parseAmzDate(value: string | undefined): Date | undefined {
  const m = value ? AMZ_DATE_RE.exec(value) : null;
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The request as it arrived: the raw path and query are what the client signed. */
export interface ReceivedRequest {
  method: string;
  /** `req.url`: raw path and query string, still percent-encoded. */
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A malformed escape is left as sent: the signature then simply fails to match. */
function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function rawQuery(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!query) return out;
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const k = decode(eq < 0 ? pair : pair.slice(0, eq));
    const v = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * Recomputes a request's signature with the caller's secret, over the same
 * method, path, query, signed headers and payload hash, as AWS does.
 * @smithy/signature-v4 caches derived signing keys (per secret, date, Region
 * and service; the 50 most recent, as in the SDK), so a busy caller rarely
 * pays for key derivation.
 */
export async function expectedSignature(
  request: ReceivedRequest,
  auth: SigV4Header,
  amzDate: Date,
  secretAccessKey: string,
): Promise<string> {
  const q = request.rawUrl.indexOf('?');
  const path = q < 0 ? request.rawUrl : request.rawUrl.slice(0, q);
  const headers: Record<string, string> = {};
  let sessionToken: string | undefined;
  for (const name of auth.signedHeaders) {
    if (name === 'x-amz-date') continue;
    const value = headerValue(request.headers[name]);
    if (value === undefined) continue;
    // The signer adds the token header itself when its credentials carry one.
    if (name === 'x-amz-security-token') sessionToken = value;
    else headers[name] = value;
  }
  const signer = new SignatureV4({
    service: auth.service,
    region: auth.region,
    sha256: Sha256,
    // S3 signs the path as sent; every other service signs it re-encoded.
    uriEscapePath: auth.service !== 's3',
    applyChecksum: false,
    credentials: {
      accessKeyId: auth.accessKeyId,
      secretAccessKey,
      sessionToken,
    },
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: headers.host ?? '',
      path,
      query: rawQuery(q < 0 ? '' : request.rawUrl.slice(q + 1)),
      headers,
      body: request.body,
    },
    { signingDate: amzDate, signableHeaders: new Set(auth.signedHeaders) },
  );
  const authorization = String(signed.headers.authorization);
  return authorization.slice(authorization.lastIndexOf('=') + 1);
}

export function sameSignature(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function compactIso(d: Date): string {
  return isoSeconds(d).replace(/[-:]/g, '');
}

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** A signature AWS would refuse, in the words of the service refusing it. */
function refuse(
  service: ServiceName,
  message: string,
  s3Code = 'SignatureDoesNotMatch',
  s3Status = 403,
  fields?: Record<string, string>,
): AwsError {
  if (service === 's3')
    return new AwsError(s3Code, message, s3Status, { fields });
  if (isQueryService(service))
    return new AwsError('SignatureDoesNotMatch', message, 403);
  return new AwsError('InvalidSignatureException', message, 400);
}

export function malformedAuthorization(service: ServiceName): AwsError {
  if (service === 's3') {
    return new AwsError(
      'AuthorizationHeaderMalformed',
      'The authorization header that you provided is not valid.',
      400,
    );
  }
  const code = isQueryService(service)
    ? 'IncompleteSignature'
    : 'IncompleteSignatureException';
  return new AwsError(
    code,
    "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.",
    400,
  );
}

export function presignedUnsupported(service: ServiceName): AwsError {
  return refuse(
    service,
    'Query-string (presigned) authentication is not accepted by this endpoint; sign the Authorization header.',
    'AccessDenied',
  );
}

/**
 * Checks everything about a signature that needs no secret: the service and
 * date in its scope, and the clock skew. Returns the signing time.
 */
export function checkScope(
  service: ServiceName,
  auth: SigV4Header,
  headers: IncomingHttpHeaders,
  now: Date,
): Date {
  if (auth.service !== service) {
    if (service === 's3') {
      throw new AwsError(
        'AuthorizationHeaderMalformed',
        `The authorization header is malformed; incorrect service "${auth.service}". This endpoint belongs to "s3".`,
        400,
      );
    }
    throw refuse(
      service,
      `Credential should be scoped to correct service: '${service}'. `,
    );
  }
  // IAM is global: its one endpoint accepts signatures for us-east-1 only.
  if (service === 'iam' && auth.region !== 'us-east-1') {
    throw refuse(
      service,
      `Credential should be scoped to a valid region, not '${auth.region}'. `,
    );
  }
  const raw = headerValue(headers['x-amz-date']);
  const date = parseAmzDate(raw);
  if (!date) {
    throw refuse(
      service,
      'AWS authentication requires a valid Date or x-amz-date header',
      'AccessDenied',
    );
  }
  if (raw!.slice(0, 8) !== auth.shortDate) {
    if (service === 's3') {
      throw new AwsError(
        'AuthorizationHeaderMalformed',
        'The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.',
        400,
      );
    }
    throw refuse(
      service,
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${
        auth.shortDate
      }' != '${raw!.slice(0, 8)}', from '${raw}'.`,
    );
  }
  const skew = date.getTime() - now.getTime();
  if (Math.abs(skew) > MAX_CLOCK_SKEW_MS) {
    if (service === 's3') {
      throw new AwsError(
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
        403,
        {
          fields: {
            RequestTime: raw!,
            ServerTime: isoSeconds(now),
            MaxAllowedSkewMilliseconds: String(MAX_CLOCK_SKEW_MS),
          },
        },
      );
    }
    const bound = new Date(
      now.getTime() + (skew < 0 ? -MAX_CLOCK_SKEW_MS : MAX_CLOCK_SKEW_MS),
    );
    throw refuse(
      service,
      skew < 0
        ? `Signature expired: ${raw} is now earlier than ${compactIso(
            bound,
          )} (${compactIso(now)} - 15 min.)`
        : `Signature not yet current: ${raw} is still later than ${compactIso(
            bound,
          )} (${compactIso(now)} + 15 min.)`,
    );
  }
  return date;
}

/** Refuses a request whose signature is not the one its caller's secret gives. */
export async function checkSignature(
  service: ServiceName,
  request: ReceivedRequest,
  auth: SigV4Header,
  signingDate: Date,
  secretAccessKey: string,
): Promise<void> {
  const bodyBound = payloadHashMatches(request.headers, request.body, body =>
    createHash('sha256').update(body).digest('hex'),
  );
  // Only S3 names the mismatch; elsewhere it is simply a wrong signature.
  if (!bodyBound && service !== 's3') throw refuse(service, MISMATCH);
  if (!bodyBound) {
    throw new AwsError(
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      400,
    );
  }
  const expected = await expectedSignature(
    request,
    auth,
    signingDate,
    secretAccessKey,
  );
  if (!sameSignature(expected, auth.signature)) {
    throw refuse(service, MISMATCH, 'SignatureDoesNotMatch', 403, {
      AWSAccessKeyId: auth.accessKeyId,
      SignatureProvided: auth.signature,
    });
  }
}

/** The payload hash a request claims must be the hash of what it sent. */
export function payloadHashMatches(
  headers: IncomingHttpHeaders,
  body: string,
  hash: (body: string) => string,
): boolean {
  const claimed = headerValue(headers['x-amz-content-sha256']);
  if (claimed === undefined || claimed.startsWith('UNSIGNED-PAYLOAD'))
    return true;
  if (claimed.startsWith('STREAMING-')) return false;
  return claimed === (body === '' ? EMPTY_SHA256 : hash(body));
}
