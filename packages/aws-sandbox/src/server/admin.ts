import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';
import type { FaultConfig } from '../faults';
import { generateOrganization, GenerateOptions } from '../scenario/generate';
import { listBundledScenarios, parseScenario } from '../scenario/load';
import type { Scenario } from '../scenario/types';
import type { SandboxMutations } from '../state/mutations';
import type { SandboxCore } from './core';
import type { HttpResult } from './protocol';

const json = (status: number, body: unknown): HttpResult => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: `${JSON.stringify(body, null, 2)}\n`,
});

class AdminError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Generated organizations beyond this size only exhaust the process. */
export const MAX_GENERATED_ACCOUNTS = 20_000;

const BODY_TYPES = [
  'application/json',
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
];

function parseBody(body: string): any {
  if (body.trim() === '') return {};
  try {
    return parse(body);
  } catch (e) {
    throw new AdminError(
      400,
      `Body is neither JSON nor YAML: ${(e as Error).message}`,
    );
  }
}

function checkGenerate(options: unknown): GenerateOptions {
  const o = options as Partial<GenerateOptions> | null;
  if (
    typeof o !== 'object' ||
    o === null ||
    !Number.isInteger(o.accounts) ||
    (o.accounts as number) < 0
  ) {
    throw new AdminError(400, 'generate.accounts must be a whole number');
  }
  if ((o.accounts as number) > MAX_GENERATED_ACCOUNTS) {
    throw new AdminError(
      400,
      `generate.accounts must be at most ${MAX_GENERATED_ACCOUNTS}`,
    );
  }
  if (o.seed !== undefined && !Number.isInteger(o.seed)) {
    throw new AdminError(400, 'generate.seed must be a whole number');
  }
  if (
    o.regions !== undefined &&
    (!Array.isArray(o.regions) ||
      o.regions.length === 0 ||
      !o.regions.every(r => typeof r === 'string' && /^[a-z0-9-]+$/.test(r)))
  ) {
    throw new AdminError(400, 'generate.regions must be a list of Regions');
  }
  return o as GenerateOptions;
}

const MUTATIONS: Array<keyof SandboxMutations> = [
  'deleteTrail',
  'deleteKey',
  'deleteBucket',
  'setKeyState',
  'putKeyPolicy',
  'putRawKeyPolicy',
  'setKeyRotation',
  'setTrailKey',
  'setTrailStatus',
];

function scenarioFromBody(body: string): Scenario | string {
  const doc = parseBody(body);
  if (typeof doc?.name === 'string' && Object.keys(doc).length === 1) {
    if (!listBundledScenarios().includes(doc.name)) {
      throw new AdminError(400, `Unknown bundled scenario ${doc.name}`);
    }
    return doc.name;
  }
  if (doc?.generate) return generateOrganization(checkGenerate(doc.generate));
  if (doc?.scenario && typeof doc.scenario === 'object') {
    return parseScenario(JSON.stringify(doc.scenario), 'admin request');
  }
  return parseScenario(body, 'admin request');
}

function route(
  core: SandboxCore,
  method: string,
  path: string,
  body: string,
  server: http.Server,
): HttpResult {
  const key = `${method} ${path.replace(/\/+$/, '') || '/'}`;
  switch (key) {
    case 'GET /_sandbox':
    case 'GET /_sandbox/health': {
      const addr = server.address() as AddressInfo | null;
      return json(200, {
        ok: true,
        scenario: core.state.scenarioName,
        endpoint: addr ? `http://127.0.0.1:${addr.port}` : undefined,
      });
    }
    case 'GET /_sandbox/counters':
      return json(200, core.counters.snapshot());
    case 'POST /_sandbox/counters/reset':
      core.counters.reset();
      return json(200, core.counters.snapshot());
    case 'GET /_sandbox/faults':
      return json(200, core.faults.get());
    case 'PUT /_sandbox/faults':
      core.faults.reset();
      core.faults.set(parseBody(body) as FaultConfig);
      return json(200, core.faults.get());
    case 'PATCH /_sandbox/faults':
      core.faults.set(parseBody(body) as FaultConfig);
      return json(200, core.faults.get());
    case 'POST /_sandbox/faults/reset':
    case 'DELETE /_sandbox/faults':
      core.faults.reset();
      return json(200, core.faults.get());
    case 'POST /_sandbox/scenario': {
      const s = core.loadScenario(scenarioFromBody(body));
      return json(200, {
        scenario: s.name,
        accounts: s.accounts.length,
        keys: s.keys?.length ?? 0,
        trails: s.trails?.length ?? 0,
      });
    }
    case 'GET /_sandbox/scenario':
      return json(200, core.scenario);
    case 'GET /_sandbox/state':
      return json(200, core.state.toJSON());
    case 'POST /_sandbox/mutate': {
      const { op, args } = parseBody(body) ?? {};
      if (!MUTATIONS.includes(op)) {
        throw new AdminError(400, `op must be one of ${MUTATIONS.join(', ')}`);
      }
      const list = Array.isArray(args) ? args : [];
      (core.mutate[op as keyof SandboxMutations] as (...a: unknown[]) => void)(
        ...list,
      );
      return json(200, { ok: true });
    }
    default:
      throw new AdminError(404, `No admin route ${key}`);
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The token a request presents, from `authorization: Bearer` or `x-sandbox-token`. */
function presentedToken(headers: http.IncomingHttpHeaders): string | undefined {
  const header = headers['x-sandbox-token'];
  if (typeof header === 'string' && header !== '') return header;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

function authorize(headers: http.IncomingHttpHeaders, adminToken: string) {
  const token = presentedToken(headers);
  if (token === undefined) {
    throw new AdminError(
      401,
      'The sandbox admin API needs its token: send authorization: Bearer <token> or x-sandbox-token (printed at start)',
    );
  }
  // Fixed-length digests: the comparison time says nothing about the token.
  if (!timingSafeEqual(digest(token), digest(adminToken))) {
    throw new AdminError(403, 'Wrong sandbox admin token');
  }
}

function checkContentType(headers: http.IncomingHttpHeaders, body: string) {
  if (body.trim() === '') return;
  const type = (headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (!BODY_TYPES.includes(type)) {
    throw new AdminError(
      415,
      `Send the body as ${BODY_TYPES.join(' or ')}${
        type ? `, not ${type}` : ''
      }`,
    );
  }
}

export interface AdminRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * The /_sandbox/ control API: counters, faults, scenarios, state and
 * mutations, for holders of the per-start admin token only.
 */
export function handleAdmin(
  core: SandboxCore,
  request: AdminRequest,
  server: http.Server,
  adminToken: string,
): HttpResult {
  const { method, url, headers, body } = request;
  try {
    authorize(headers, adminToken);
    checkContentType(headers, body);
    return route(core, method, url.pathname, body, server);
  } catch (e) {
    const status = e instanceof AdminError ? e.status : 400;
    return json(status, { error: (e as Error).message });
  }
}
