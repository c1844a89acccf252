import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  ListAccountsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { sandboxBackendModule, SANDBOX_ENDPOINT_VARIABLES } from './module';
import backendFeature from './backend';

const plugin = createBackendPlugin({
  pluginId: 'cloudtrail-encryption',
  register(env) {
    env.registerInit({ deps: {}, async init() {} });
  },
});

const credentials = {
  accessKeyId: 'AKIASANDBOXMAIN00001',
  secretAccessKey: 'sandbox-secret',
};

type ConfigData = NonNullable<
  Parameters<typeof mockServices.rootConfig.factory>[0]
>['data'];

const start = (data: ConfigData) =>
  startTestBackend({
    features: [
      plugin,
      sandboxBackendModule,
      mockServices.rootConfig.factory({ data }),
    ],
  });

describe('sandboxBackendModule', () => {
  const saved = SANDBOX_ENDPOINT_VARIABLES.map(n => [n, process.env[n]]);
  const savedNodeEnv = process.env.NODE_ENV;
  let dir: string;
  beforeEach(async () => {
    for (const name of SANDBOX_ENDPOINT_VARIABLES) delete process.env[name];
    dir = await mkdtemp(join(tmpdir(), 'sandbox-module-'));
  });
  afterEach(async () => {
    process.env.NODE_ENV = savedNodeEnv;
    await rm(dir, { recursive: true, force: true });
  });
  afterAll(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name!];
      else process.env[name!] = value;
    }
  });

  it('is the default export of the backend entry point', () => {
    expect(backendFeature).toBe(sandboxBackendModule);
  });

  it('starts the sandbox when enabled and points STS and Organizations at it until shutdown', async () => {
    const tokenFile = join(dir, 'cache', 'admin-token');
    const backend = await start({
      trailguardSandbox: {
        enabled: true,
        port: 0,
        scenario: 'demo',
        adminTokenFile: tokenFile,
      },
    });
    const endpoint = process.env.AWS_ENDPOINT_URL_STS;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.AWS_ENDPOINT_URL_ORGANIZATIONS).toBe(endpoint);
    // No endpoint option: the SDK takes the variable the module set.
    const sts = new STSClient({ region: 'us-east-1', credentials });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe('111111111111');
    const orgs = new OrganizationsClient({ region: 'us-east-1', credentials });
    const listed = await orgs.send(new ListAccountsCommand({}));
    expect(listed.Accounts!.length).toBeGreaterThan(0);

    const token = readFileSync(tokenFile, 'utf8').trim();
    const admin = (headers: Record<string, string>) =>
      fetch(`${endpoint}/_sandbox/health`, { headers }).then(r => r.status);
    expect(await admin({ authorization: `Bearer ${token}` })).toBe(200);
    expect(await admin({})).toBe(401);

    await backend.stop();
    for (const name of SANDBOX_ENDPOINT_VARIABLES) {
      expect(process.env[name]).toBeUndefined();
    }
    expect(existsSync(tokenFile)).toBe(false);
  });

  it('stays off unless enabled', async () => {
    const backend = await start({});
    for (const name of SANDBOX_ENDPOINT_VARIABLES) {
      expect(process.env[name]).toBeUndefined();
    }
    await backend.stop();
  });

  it('refuses to start under a production configuration', async () => {
    await expect(
      start({
        trailguard: { environment: 'production' },
        trailguardSandbox: { enabled: true, port: 0 },
      }),
    ).rejects.toThrow(
      /development only.*trailguard\.environment is production/,
    );
    for (const name of SANDBOX_ENDPOINT_VARIABLES) {
      expect(process.env[name]).toBeUndefined();
    }
  });

  it('refuses to start when NODE_ENV is production', async () => {
    process.env.NODE_ENV = 'production';
    await expect(
      start({ trailguardSandbox: { enabled: true, port: 0 } }),
    ).rejects.toThrow(/development only.*NODE_ENV is production/);
    expect(process.env.AWS_ENDPOINT_URL_STS).toBeUndefined();
  });
});
