/**
 * Turns an AWS SDK error (or any thrown value) into what the report shows:
 * the AWS error code and a one-line message without stack traces, request
 * signatures or credentials.
 *
 * @public
 */
export interface AwsErrorInfo {
  code: string;
  message: string;
  /** HTTP status, when the error came from a response. */
  status?: number;
  throttling: boolean;
  accessDenied: boolean;
  notFound: boolean;
  timeout: boolean;
}

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);

/** @public */
export function describeAwsError(error: unknown): AwsErrorInfo {
  const e = (error ?? {}) as {
    name?: string;
    Code?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
  };
  const code = String(e.Code ?? e.name ?? e.code ?? 'UnknownError');
  const status = e.$metadata?.httpStatusCode;
  const timeout =
    code === 'TimeoutError' ||
    code === 'AbortError' ||
    code === 'RequestTimeout' ||
    /timed? ?out|ETIMEDOUT|socket hang up/i.test(e.message ?? '');
  const rawMessage = (e.message ?? '').split('\n')[0].trim();
  return {
    code,
    message: sanitize(rawMessage || code),
    status,
    throttling: THROTTLING_CODES.has(code) || Boolean(e.$retryable?.throttling),
    accessDenied: /AccessDenied|UnauthorizedOperation|AuthorizationError/i.test(
      code,
    ),
    notFound: /NotFound|NoSuchBucket|NoSuchKey/i.test(code) || status === 404,
    timeout,
  };
}

/**
 * The error as a plain record of what {@link describeAwsError} reads (name,
 * code, message, HTTP status, retry hints), so that it survives being
 * serialized (see the scan's spill), which an Error's AWS name, code
 * and metadata do not.
 */
export function plainAwsError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const e = error as Record<string, unknown>;
  const plain: Record<string, unknown> = {};
  for (const key of ['name', 'message', 'Code', 'code']) {
    if (typeof e[key] === 'string') plain[key] = e[key];
  }
  const metadata = e.$metadata as { httpStatusCode?: unknown } | undefined;
  if (typeof metadata?.httpStatusCode === 'number') {
    plain.$metadata = { httpStatusCode: metadata.httpStatusCode };
  }
  const retryable = e.$retryable as { throttling?: unknown } | undefined;
  if (retryable)
    plain.$retryable = { throttling: Boolean(retryable.throttling) };
  return plain;
}

/** Removes anything that looks like key material from a message. */
function sanitize(message: string): string {
  return message
    .replace(/\b(AKIA|ASIA)[A-Z0-9]{12,}\b/g, '[access-key]')
    .replace(
      /(Signature|X-Amz-Security-Token|SessionToken)=[^\s&,]+/gi,
      '$1=[redacted]',
    )
    .slice(0, 500);
}

/**
 * "ThrottlingException: Rate exceeded" — the form used in reports and logs.
 *
 * @public
 */
export function formatAwsError(error: unknown, action?: string): string {
  const info = describeAwsError(error);
  const prefix = action ? `${action} failed: ` : '';
  if (info.message === info.code || info.message.startsWith(info.code)) {
    return `${prefix}${info.message}`;
  }
  return `${prefix}${info.code}: ${info.message}`;
}
