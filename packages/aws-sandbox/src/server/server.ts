import { randomUUID } from 'node:crypto';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { CallInfo } from '../faults';
import { roleArnAccount } from '../services/sts';
import { handleAdmin } from './admin';
import type { RequestContext } from './context';
import { HANDLERS, SandboxCore } from './core';
import {
  AwsError,
  HttpResult,
  isQueryService,
  jsonError,
  jsonResult,
  queryError,
  queryResult,
  s3Error,
  s3HostId,
  SERVICE_ERRORS,
  ServiceName,
} from './protocol';
import type { Caller } from './identity';
import {
  checkScope,
  checkSignature,
  malformedAuthorization,
  parseAuthorization,
  presignedUnsupported,
} from './sigv4';
import {
  missingAuth,
  parseAuth,
  parseOperation,
  resolveService,
} from './routing';

const MAX_BODY = 1024 * 1024;

export interface SandboxLogger {
  error(message: string): void;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  result: HttpResult,
  extraHeaders: Record<string, string>,
) {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(result.body, 'utf8');
  res.writeHead(result.status, {
    ...extraHeaders,
    ...result.headers,
    'content-length': String(body.length),
  });
  res.end(body);
}

function render(
  service: ServiceName,
  operation: string,
  outcome: unknown,
  requestId: string,
  hostId: string,
): HttpResult {
  if (outcome instanceof AwsError) {
    if (service === 's3') return s3Error(outcome, requestId, hostId);
    if (isQueryService(service)) return queryError(outcome, requestId, service);
    return jsonError(outcome, service);
  }
  if (service === 's3') return outcome as HttpResult;
  if (isQueryService(service))
    return queryResult(operation, String(outcome), requestId, service);
  return jsonResult(outcome);
}

/** Verifies a request's SigV4 signature and returns who signed it. */
async function authenticate(
  core: SandboxCore,
  service: ServiceName,
  req: IncomingMessage,
  url: URL,
  body: string,
  now: Date,
): Promise<Caller> {
  const header = req.headers.authorization;
  if (header === undefined) throw presignedUnsupported(service);
  const sig = parseAuthorization(header);
  if (!sig) throw malformedAuthorization(service);
  const signingDate = checkScope(service, sig, req.headers, now);
  const token = req.headers['x-amz-security-token'];
  const resolved = core.sessions.resolve(
    core.state,
    sig.accessKeyId,
    Array.isArray(token) ? token[0] : token,
    now,
  );
  if ('error' in resolved) {
    throw resolved.error === 'expired'
      ? SERVICE_ERRORS[service].expiredToken()
      : SERVICE_ERRORS[service].invalidToken();
  }
  const request = {
    method: req.method ?? 'GET',
    rawUrl: req.url ?? url.pathname,
    headers: req.headers,
    body,
  };
  await checkSignature(
    service,
    request,
    sig,
    signingDate,
    resolved.secretAccessKey,
  );
  return resolved.caller;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Serves one AWS API request; never throws, whatever the request holds. */
async function serveAws(
  core: SandboxCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: string,
  logger?: SandboxLogger,
) {
  const requestId = randomUUID();
  const hostId = s3HostId();
  const auth = parseAuth(req.headers, url);
  const method = req.method ?? 'GET';
  const service = resolveService(auth, req.headers, method, url, body);
  const baseHeaders: Record<string, string> = { 'x-amzn-requestid': requestId };
  if (!service) {
    send(
      res,
      jsonError(new AwsError('UnknownOperationException', ''), 'kms'),
      baseHeaders,
    );
    return;
  }
  if (service === 's3') {
    baseHeaders['x-amz-request-id'] = requestId;
    baseHeaders['x-amz-id-2'] = hostId;
  }
  let operation = 'Unknown';
  let call: CallInfo | undefined;
  let outcome: unknown;
  try {
    // AWS authenticates before it reads the operation or its input.
    const verified =
      auth || req.headers.authorization !== undefined
        ? await authenticate(core, service, req, url, body, new Date())
        : undefined;
    const parsed = parseOperation(
      service,
      req.headers,
      method,
      url,
      body,
      HANDLERS[service],
    );
    operation = parsed.operation;
    if (!auth || !verified) throw missingAuth(service);
    const caller = verified;
    const api = `${service}:${operation}`;
    // AssumeRole is accounted to the account being entered, so counters
    // line up with "one AssumeRole per scanned account".
    const account =
      operation === 'AssumeRole'
        ? roleArnAccount(parsed.params.RoleArn) ?? caller.accountId
        : caller.accountId;
    call = { api, account, region: auth.region };
    core.counters.record(call);

    const delay = core.faults.latencyFor(api);
    if (delay > 0) await sleep(delay);
    const fault = core.faults.decide(call);
    if (fault) core.counters.note('injected');
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'throttle') {
      core.counters.note('throttled');
      throw SERVICE_ERRORS[service].throttle();
    }
    if (fault?.kind === 'internal') throw SERVICE_ERRORS[service].internal();
    if (fault?.kind === 'regionNotEnabled') {
      throw SERVICE_ERRORS[service].invalidToken();
    }
    if (fault?.kind === 'accessDenied') {
      throw SERVICE_ERRORS[service].accessDenied(
        `User: ${caller.arn} is not authorized to perform: ${api} with an explicit deny in a service control policy`,
      );
    }
    const ctx: RequestContext = {
      service,
      operation,
      api,
      region: auth.region,
      caller,
      params: parsed.params,
      state: core.state,
      sessions: core.sessions,
      requestId,
      now: new Date(),
      s3: parsed.s3,
    };
    outcome = await HANDLERS[service][operation](ctx);
  } catch (e) {
    if (!(e instanceof AwsError)) {
      logger?.error(
        `aws-sandbox: ${service}:${operation} failed: ${
          (e as Error)?.stack ?? e
        }`,
      );
    }
    outcome = e instanceof AwsError ? e : SERVICE_ERRORS[service].internal();
    if (!call) {
      core.counters.record({
        api: `${service}:${operation}`,
        account: 'unknown',
        region: auth?.region ?? 'unknown',
      });
    }
    core.counters.note('errors');
  }
  send(
    res,
    render(service, operation, outcome, requestId, hostId),
    baseHeaders,
  );
}

/** Creates the HTTP server; the caller decides where it listens. */
export function createSandboxServer(
  core: SandboxCore,
  adminToken: string,
  logger?: SandboxLogger,
): http.Server {
  const server = http.createServer((req, res) => {
    handle(req, res).catch(e => {
      logger?.error(
        `aws-sandbox: unexpected failure: ${(e as Error)?.stack ?? e}`,
      );
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
      }
      res.end();
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: string;
    try {
      body = await readBody(req);
    } catch (e) {
      const tooLarge = e instanceof BodyTooLarge;
      send(
        res,
        {
          status: tooLarge ? 413 : 400,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            error: tooLarge
              ? `Request body is larger than ${MAX_BODY} bytes`
              : 'Request body could not be read',
          }),
        },
        { connection: 'close' },
      );
      return;
    }
    if (url.pathname === '/_sandbox' || url.pathname.startsWith('/_sandbox/')) {
      const request = {
        method: req.method ?? 'GET',
        url,
        headers: req.headers,
        body,
      };
      send(res, handleAdmin(core, request, server, adminToken), {});
      return;
    }
    await serveAws(core, req, res, url, body, logger);
  }
  return server;
}
