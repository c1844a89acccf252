import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { sandboxBackendModule } from './module';
import backendFeature from './backend';

const plugin = createBackendPlugin({
  pluginId: 'cloudtrail-encryption',
  register(env) {
    env.registerInit({ deps: {}, async init() {} });
  },
});

describe('sandboxBackendModule', () => {
  const saved = process.env.AWS_ENDPOINT_URL_STS;
  beforeEach(() => {
    delete process.env.AWS_ENDPOINT_URL_STS;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
    else process.env.AWS_ENDPOINT_URL_STS = saved;
  });

  it('is the default export of the backend entry point', () => {
    expect(backendFeature).toBe(sandboxBackendModule);
  });

  it('starts the sandbox when enabled and points STS at it until shutdown', async () => {
    const backend = await startTestBackend({
      features: [
        plugin,
        sandboxBackendModule,
        mockServices.rootConfig.factory({
          data: {
            trailguardSandbox: { enabled: true, port: 0, scenario: 'demo' },
          },
        }),
      ],
    });
    const endpoint = process.env.AWS_ENDPOINT_URL_STS;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const sts = new STSClient({
      endpoint,
      region: 'us-east-1',
      credentials: {
        accessKeyId: 'AKIASANDBOXMAIN00001',
        secretAccessKey: 'sandbox-secret',
      },
    });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe('111111111111');
    await backend.stop();
    expect(process.env.AWS_ENDPOINT_URL_STS).toBeUndefined();
  });

  it('stays off unless enabled', async () => {
    const backend = await startTestBackend({
      features: [
        plugin,
        sandboxBackendModule,
        mockServices.rootConfig.factory({ data: {} }),
      ],
    });
    expect(process.env.AWS_ENDPOINT_URL_STS).toBeUndefined();
    await backend.stop();
  });
});
