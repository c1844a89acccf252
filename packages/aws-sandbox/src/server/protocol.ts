import { randomBytes } from 'node:crypto';

export type ServiceName =
  | 'sts'
  | 'iam'
  | 'organizations'
  | 'cloudtrail'
  | 'kms'
  | 's3';

/** STS and IAM speak awsQuery: form-encoded requests, XML responses. */
export function isQueryService(service: ServiceName): boolean {
  return service === 'sts' || service === 'iam';
}

/** An error in AWS's terms; each protocol renders it its own way. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly extra: {
      /** awsQuery fault type. */
      type?: 'Sender' | 'Receiver';
      headers?: Record<string, string>;
      /** Extra elements of an S3 error document, such as BucketName. */
      fields?: Record<string, string>;
      /** HEAD responses carry no body. */
      noBody?: boolean;
    } = {},
  ) {
    super(message);
    this.name = code;
  }
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** An XML element; undefined content omits it, as AWS omits unset members. */
export function el(
  tag: string,
  content: string | number | boolean | Date | undefined | null,
): string {
  if (content === undefined || content === null) return '';
  if (content instanceof Date) return `<${tag}>${isoSeconds(content)}</${tag}>`;
  return `<${tag}>${
    typeof content === 'string' ? esc(content) : content
  }</${tag}>`;
}

/** An XML element wrapping already-rendered children. */
export function node(tag: string, children: string[] | string): string {
  return `<${tag}>${
    Array.isArray(children) ? children.join('') : children
  }</${tag}>`;
}

export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** JSON protocol timestamps are epoch seconds with millisecond fraction. */
export function epoch(d: Date | undefined): number | undefined {
  return d ? Math.round(d.getTime()) / 1000 : undefined;
}

/** Drops undefined members, as AWS JSON services omit unset fields. */
export function compact<T extends Record<string, unknown>>(obj: T): T {
  for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
  return obj;
}

export function s3HostId(): string {
  return randomBytes(48).toString('base64');
}

const JSON_TYPE = 'application/x-amz-json-1.1';

export function jsonResult(body: unknown): HttpResult {
  return {
    status: 200,
    headers: { 'content-type': JSON_TYPE },
    body: JSON.stringify(body ?? {}),
  };
}

/**
 * KMS writes the lower-case `message` member; CloudTrail and Organizations
 * write `Message`. The SDK reads either, but other tools may not.
 */
export function jsonError(err: AwsError, service: ServiceName): HttpResult {
  const key = service === 'kms' ? 'message' : 'Message';
  return {
    status: err.status,
    headers: { 'content-type': JSON_TYPE, ...err.extra.headers },
    body: JSON.stringify({ __type: err.code, [key]: err.message }),
  };
}

const QUERY_NS: Record<string, string> = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
};

export function queryResult(
  action: string,
  inner: string,
  requestId: string,
  service: ServiceName = 'sts',
): HttpResult {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body:
      `<${action}Response xmlns="${QUERY_NS[service]}">\n` +
      `  <${action}Result>${inner}</${action}Result>\n` +
      `  <ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>\n` +
      `</${action}Response>\n`,
  };
}

export function queryError(
  err: AwsError,
  requestId: string,
  service: ServiceName = 'sts',
): HttpResult {
  const type = err.extra.type ?? (err.status >= 500 ? 'Receiver' : 'Sender');
  return {
    status: err.status,
    headers: { 'content-type': 'text/xml', ...err.extra.headers },
    body:
      `<ErrorResponse xmlns="${QUERY_NS[service]}">\n` +
      `  <Error>\n    <Type>${type}</Type>\n    <Code>${esc(
        err.code,
      )}</Code>\n` +
      `    <Message>${esc(err.message)}</Message>\n  </Error>\n` +
      `  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
  };
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function s3Result(
  xml: string,
  headers: Record<string, string> = {},
): HttpResult {
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', ...headers },
    body: xml ? XML_DECL + xml : '',
  };
}

export function s3Error(
  err: AwsError,
  requestId: string,
  hostId: string,
): HttpResult {
  const fields = Object.entries(err.extra.fields ?? {})
    .map(([k, v]) => el(k, v))
    .join('');
  return {
    status: err.status,
    headers: { 'content-type': 'application/xml', ...err.extra.headers },
    body: err.extra.noBody
      ? ''
      : `${XML_DECL}<Error><Code>${esc(err.code)}</Code><Message>${esc(
          err.message,
        )}</Message>${fields}<RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`,
  };
}

/** The error codes each service uses for the conditions every service shares. */
export const SERVICE_ERRORS: Record<
  ServiceName,
  {
    throttle: () => AwsError;
    internal: () => AwsError;
    accessDenied: (msg: string) => AwsError;
    invalidToken: () => AwsError;
    expiredToken: () => AwsError;
  }
> = {
  sts: {
    throttle: () => new AwsError('Throttling', 'Rate exceeded', 400),
    internal: () =>
      new AwsError('InternalFailure', 'An internal error occurred.', 500, {
        type: 'Receiver',
      }),
    accessDenied: m => new AwsError('AccessDenied', m, 403),
    invalidToken: () =>
      new AwsError(
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
        403,
      ),
    expiredToken: () =>
      new AwsError(
        'ExpiredToken',
        'The security token included in the request is expired',
        400,
      ),
  },
  iam: {
    throttle: () => new AwsError('Throttling', 'Rate exceeded', 400),
    internal: () =>
      new AwsError(
        'ServiceFailure',
        'The request processing has failed because of an unknown error, exception or failure.',
        500,
        { type: 'Receiver' },
      ),
    accessDenied: m => new AwsError('AccessDenied', m, 403),
    invalidToken: () =>
      new AwsError(
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
        403,
      ),
    expiredToken: () =>
      new AwsError(
        'ExpiredToken',
        'The security token included in the request is expired',
        403,
      ),
  },
  organizations: jsonServiceErrors(
    'TooManyRequestsException',
    'ServiceException',
  ),
  cloudtrail: jsonServiceErrors('ThrottlingException', 'InternalFailure'),
  kms: jsonServiceErrors('ThrottlingException', 'KMSInternalException'),
  s3: {
    throttle: () =>
      new AwsError('SlowDown', 'Please reduce your request rate.', 503),
    internal: () =>
      new AwsError(
        'InternalError',
        'We encountered an internal error. Please try again.',
        500,
      ),
    accessDenied: m => new AwsError('AccessDenied', m, 403),
    invalidToken: () =>
      new AwsError(
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
        403,
      ),
    expiredToken: () =>
      new AwsError('ExpiredToken', 'The provided token has expired.', 400),
  },
};

function jsonServiceErrors(throttleCode: string, internalCode: string) {
  return {
    throttle: () => new AwsError(throttleCode, 'Rate exceeded', 400),
    internal: () =>
      new AwsError(
        internalCode,
        'The request processing has failed because of an unknown error, exception or failure.',
        500,
      ),
    accessDenied: (m: string) => new AwsError('AccessDeniedException', m, 400),
    invalidToken: () =>
      new AwsError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
        400,
      ),
    expiredToken: () =>
      new AwsError(
        'ExpiredTokenException',
        'The security token included in the request is expired',
        400,
      ),
  };
}
