import type { Config } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import type { CredentialsResolver } from './AwsClientFactory';

/**
 * Credentials through Backstage's AWS integration (`aws.mainAccount`,
 * `aws.accounts[]`, `aws.accountDefaults.roleName/externalId`), so TrailGuard
 * uses the same configuration as every other AWS-facing Backstage plugin.
 */
export function credentialsResolverFromConfig(
  config: Config,
): CredentialsResolver {
  const manager = DefaultAwsCredentialsManager.fromConfig(config);
  return async accountId => {
    const provider = await manager.getCredentialProvider({ accountId });
    return provider.sdkCredentialProvider;
  };
}

/**
 * Credentials for a role other than the configured one in the same account,
 * assumed from that account's configured credentials (e.g. the remediation
 * role, kept apart from the read-only scan role).
 */
export function roleArn(
  accountId: string,
  roleName: string,
  partition = 'aws',
): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}
