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
  if (doc?.generate)
    return generateOrganization(doc.generate as GenerateOptions);
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

/** The /_sandbox/ control API: counters, faults, scenarios, state and mutations. */
export function handleAdmin(
  core: SandboxCore,
  method: string,
  url: URL,
  body: string,
  server: http.Server,
): HttpResult {
  try {
    return route(core, method, url.pathname, body, server);
  } catch (e) {
    const status = e instanceof AdminError ? e.status : 400;
    return json(status, { error: (e as Error).message });
  }
}
