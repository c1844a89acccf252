import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve as resolvePath } from 'node:path';

const backendDir = resolvePath(__dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The environment of a clean production host: no AWS variables, no IMDS. */
function baseEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('AWS_') || k.startsWith('APP_CONFIG_')) continue;
    if (k.startsWith('JEST_') || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return {
    ...env,
    NODE_ENV: 'production',
    AWS_REGION: 'us-east-1',
    // No instance metadata service here: fail at once instead of timing out.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

export interface ProductionBackend {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Starts packages/backend/src/index.ts the way production runs it:
 * `--config app-config.yaml --config app-config.production.yaml`, NODE_ENV
 * production, settings from the environment.
 */
export function startProductionBackend(
  env: Record<string, string | undefined>,
): ProductionBackend {
  const child = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      '--require',
      resolvePath(__dirname, 'envProbe.js'),
      'src/index.ts',
      '--config',
      '../../app-config.yaml',
      '--config',
      '../../app-config.production.yaml',
    ],
    {
      cwd: backendDir,
      env: { ...baseEnvironment(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', c => (out += c));
  child.stderr!.on('data', c => (out += c));
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', code => resolve(code)),
  );
  return {
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** TCP ports a process listens on, from its socket descriptors and /proc/net. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(
        readlinkSync(`/proc/${pid}/fd/${fd}`),
      );
      if (m) inodes.add(m[1]);
    } catch {
      // The descriptor closed while we looked.
    }
  }
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    const lines = readFileSync(`/proc/${pid}/net/${table}`, 'utf8')
      .split('\n')
      .slice(1);
    for (const line of lines) {
      const cols = line.trim().split(/\s+/);
      // Column 3 is the state (0A: LISTEN), column 9 the socket's inode.
      if (cols.length > 9 && cols[3] === '0A' && inodes.has(cols[9])) {
        ports.add(parseInt(cols[1].split(':')[1], 16));
      }
    }
  }
  return [...ports].sort((a, b) => a - b);
}
