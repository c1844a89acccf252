import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import {
  coreServices,
  createBackendModule,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { startSandbox } from './sandbox';

export const SANDBOX_DEFAULT_PORT = 4599;

/**
 * The SDK's per-service endpoint variables the sandbox sets while it runs:
 * integration-aws-node builds its own STS clients (AssumeRole into each
 * account) and AwsOrganizationCloudAccountProcessor its own Organizations
 * client, and neither takes an endpoint from configuration.
 */
export const SANDBOX_ENDPOINT_VARIABLES = [
  'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL_ORGANIZATIONS',
] as const;

/** Why the sandbox must not run under this process and configuration, if it must not. */
export function sandboxRefusal(config: RootConfigService): string | undefined {
  const reasons: string[] = [];
  if (process.env.NODE_ENV === 'production') {
    reasons.push('NODE_ENV is production');
  }
  if (config.getOptionalString('trailguard.environment') === 'production') {
    reasons.push('trailguard.environment is production');
  }
  if (reasons.length === 0) return undefined;
  return (
    `The AWS sandbox is for development only, but trailguardSandbox.enabled is set while ${reasons.join(
      ' and ',
    )}. ` +
    'Remove trailguardSandbox from the configuration (production loads app-config.yaml and app-config.production.yaml only).'
  );
}

/**
 * Runs the sandbox inside the backend when `trailguardSandbox.enabled` is
 * true, so `yarn start` gives a working TrailGuard without an AWS account.
 * It refuses to start in production.
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
        const refusal = sandboxRefusal(config);
        if (refusal) throw new Error(refusal);
        const sandbox = await startSandbox({
          port:
            config.getOptionalNumber('trailguardSandbox.port') ??
            SANDBOX_DEFAULT_PORT,
          scenario:
            config.getOptionalString('trailguardSandbox.scenario') ?? 'demo',
          logger,
        });
        const setVariables = SANDBOX_ENDPOINT_VARIABLES.filter(
          name => !process.env[name],
        );
        for (const name of setVariables) process.env[name] = sandbox.endpoint;

        // End-to-end tests read the admin token here; nobody else can guess it.
        const tokenFile = config.getOptionalString(
          'trailguardSandbox.adminTokenFile',
        );
        const tokenPath = tokenFile ? resolvePath(tokenFile) : undefined;
        if (tokenPath) {
          await mkdir(dirname(tokenPath), { recursive: true });
          await writeFile(tokenPath, `${sandbox.adminToken}\n`, {
            mode: 0o600,
          });
        }
        const { accessKeyId, accountId } = sandbox.credentials;
        logger.info(
          `AWS sandbox (${sandbox.scenario.name}) listening on ${sandbox.endpoint}; ` +
            `credentials ${accessKeyId} act as account ${accountId}; ` +
            `admin API token ${sandbox.adminToken}${
              tokenPath ? ` (also in ${tokenPath})` : ''
            }`,
        );
        lifecycle.addShutdownHook(async () => {
          for (const name of setVariables) {
            if (process.env[name] === sandbox.endpoint)
              delete process.env[name];
          }
          if (tokenPath) await rm(tokenPath, { force: true });
          await sandbox.close();
        });
      },
    });
  },
});
