import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { startSandbox } from './sandbox';

export const SANDBOX_DEFAULT_PORT = 4599;

/**
 * Runs the sandbox inside the backend when `trailguardSandbox.enabled` is
 * true, so `yarn start` gives a working TrailGuard without an AWS account.
 */
export const sandboxBackendModule = createBackendModule({
  pluginId: 'cloudtrail-encryption',
  moduleId: 'aws-sandbox',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
      },
      async init({ config, logger, lifecycle }) {
        if (!config.getOptionalBoolean('trailguardSandbox.enabled')) return;
        const sandbox = await startSandbox({
          port:
            config.getOptionalNumber('trailguardSandbox.port') ??
            SANDBOX_DEFAULT_PORT,
          scenario:
            config.getOptionalString('trailguardSandbox.scenario') ?? 'demo',
          logger,
        });
        // integration-aws-node builds its own STS clients; they honour this
        // variable, which sends their AssumeRole calls to the sandbox.
        const setEnv = !process.env.AWS_ENDPOINT_URL_STS;
        if (setEnv) process.env.AWS_ENDPOINT_URL_STS = sandbox.endpoint;
        const { accessKeyId, accountId } = sandbox.credentials;
        logger.info(
          `AWS sandbox (${sandbox.scenario.name}) listening on ${sandbox.endpoint}; ` +
            `credentials ${accessKeyId} act as account ${accountId}`,
        );
        lifecycle.addShutdownHook(async () => {
          if (setEnv && process.env.AWS_ENDPOINT_URL_STS === sandbox.endpoint) {
            delete process.env.AWS_ENDPOINT_URL_STS;
          }
          await sandbox.close();
        });
      },
    });
  },
});
