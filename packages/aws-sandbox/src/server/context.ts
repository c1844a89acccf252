import type { SandboxState } from '../state/state';
import type { Caller, SessionStore } from './identity';
import { AwsError, ServiceName, SERVICE_ERRORS } from './protocol';

export interface S3Request {
  method: string;
  bucket?: string;
  key?: string;
  query: URLSearchParams;
}

/** Everything an operation handler needs about the request it serves. */
export interface RequestContext {
  service: ServiceName;
  operation: string;
  /** `service:Operation`, the name counters and faults use. */
  api: string;
  region: string;
  caller: Caller;
  /** The JSON body (JSON protocols) or form fields (awsQuery). */
  params: Record<string, any>;
  state: SandboxState;
  sessions: SessionStore;
  requestId: string;
  now: Date;
  s3?: S3Request;
}

export type Handler = (ctx: RequestContext) => unknown;

/** Denies write APIs to sessions of read-only roles, as their IAM policy would. */
export function requireWrite(ctx: RequestContext, resource: string): void {
  if (!ctx.caller.readOnly) return;
  throw SERVICE_ERRORS[ctx.service].accessDenied(
    notAuthorized(ctx, resource, true),
  );
}

export function notAuthorized(
  ctx: RequestContext,
  resource: string,
  identityPolicy = false,
): string {
  const why = identityPolicy
    ? `because no identity-based policy allows the ${ctx.api} action`
    : `because no resource-based policy allows the ${ctx.api} action`;
  return `User: ${ctx.caller.arn} is not authorized to perform: ${ctx.api} on resource: ${resource} ${why}`;
}

/** Reads a required string member, failing the way Smithy validation does. */
export function requireString(
  ctx: RequestContext,
  name: string,
  code = 'ValidationException',
): string {
  const v = ctx.params[name];
  if (typeof v !== 'string' || v === '') {
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    throw new AwsError(
      code,
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return v;
}

export function optionalInt(
  ctx: RequestContext,
  name: string,
): number | undefined {
  const v = ctx.params[name];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${v}' at '${name}' failed to satisfy constraint: Member must be an integer`,
    );
  }
  return n;
}

/** Opaque pagination tokens: base64 of the next offset plus a salt. */
export function encodeToken(offset: number, salt: string): string {
  return Buffer.from(JSON.stringify({ o: offset, s: salt })).toString('base64');
}

export function decodeToken(
  token: unknown,
  salt: string,
  error: () => AwsError,
): number {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const parsed = JSON.parse(
      Buffer.from(String(token), 'base64').toString('utf8'),
    );
    if (parsed.s === salt && Number.isInteger(parsed.o) && parsed.o >= 0) {
      return parsed.o;
    }
  } catch {
    // fall through to the service's invalid-token error
  }
  throw error();
}
