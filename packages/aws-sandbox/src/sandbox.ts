import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Counters, FaultConfig } from './faults';
import type { ScenarioSource } from './scenario/load';
import type { Scenario } from './scenario/types';
import { DEFAULT_CREDENTIALS, SandboxCore } from './server/core';
import { createSandboxServer, SandboxLogger } from './server/server';
import type { SandboxMutations } from './state/mutations';
import type { SandboxState } from './state/state';

export interface StartSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** `demo` (default), another bundled name, a YAML path or a scenario object. */
  scenario?: ScenarioSource;
  faults?: FaultConfig;
  /** Receives unexpected handler failures (they are answered as 5xx). */
  logger?: SandboxLogger;
}

export interface SandboxCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

export interface Sandbox {
  endpoint: string;
  port: number;
  close(): Promise<void>;
  faults: {
    set(config: FaultConfig): void;
    reset(): void;
    get(): FaultConfig;
  };
  counters(): Counters;
  resetCounters(): void;
  loadScenario(source: ScenarioSource): Scenario;
  mutate: SandboxMutations;
  /** The live estate (replaced by loadScenario). */
  readonly state: SandboxState;
  readonly scenario: Scenario;
  /** Static credentials of the scenario's first credential entry. */
  readonly credentials: SandboxCredentials;
  /**
   * Random per start: the /_sandbox/ admin API answers only requests that
   * carry it (`authorization: Bearer <token>` or `x-sandbox-token`).
   */
  readonly adminToken: string;
  /** Headers that authorize a request to the admin API. */
  adminHeaders(): Record<string, string>;
}

/** Starts the sandbox on 127.0.0.1 and resolves once it accepts connections. */
export async function startSandbox(
  options: StartSandboxOptions = {},
): Promise<Sandbox> {
  const core = new SandboxCore(options.scenario ?? 'demo', options.faults);
  const adminToken = randomBytes(24).toString('base64url');
  const server = createSandboxServer(core, adminToken, options.logger);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close() {
      closed ??= new Promise<void>(resolve => {
        server.close(() => resolve());
        // Hanging responses and idle keep-alive sockets would hold close() open.
        server.closeAllConnections();
      });
      return closed;
    },
    faults: {
      set: c => core.faults.set(c),
      reset: () => core.faults.reset(),
      get: () => core.faults.get(),
    },
    counters: () => core.counters.snapshot(),
    resetCounters: () => core.counters.reset(),
    loadScenario: source => core.loadScenario(source),
    mutate: core.mutate,
    get state() {
      return core.state;
    },
    get scenario() {
      return core.scenario;
    },
    adminToken,
    adminHeaders: () => ({ authorization: `Bearer ${adminToken}` }),
    get credentials() {
      const c = [...core.state.credentials.values()][0];
      return {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        accountId: c.accountId,
      };
    },
  };
}

/** SDK client configuration pointing at a sandbox. */
export function sandboxClientConfig(
  endpoint: string,
  region = 'us-east-1',
  credentials: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  } = {
    ...DEFAULT_CREDENTIALS,
  },
) {
  return { endpoint, region, credentials, forcePathStyle: true };
}
