import { ConfigReader } from '@backstage/config';
import type { Sandbox } from '@trailguard/aws-sandbox';

/**
 * The configuration of a scan against a test sandbox: its main credentials,
 * the scan role in every account, its endpoint, and what a test adds under
 * `cloudtrailEncryption` (`aws` merged with the endpoint).
 */
export function sandboxConfig(
  sandbox: Sandbox,
  cloudtrailEncryption: { aws?: object; [key: string]: unknown } = {},
): ConfigReader {
  const { aws, ...rest } = cloudtrailEncryption;
  return new ConfigReader({
    aws: {
      mainAccount: {
        accessKeyId: sandbox.credentials.accessKeyId,
        secretAccessKey: sandbox.credentials.secretAccessKey,
        region: 'us-east-1',
      },
      accountDefaults: { roleName: 'TrailGuardReadOnly' },
    },
    cloudtrailEncryption: {
      aws: { endpoint: sandbox.endpoint, ...aws },
      ...rest,
    },
  });
}
