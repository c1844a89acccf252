import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { Config } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import type {
  CredentialsResolver,
  MainCredentialsResolver,
} from './AwsClientFactory';

export function roleArn(
  accountId: string,
  roleName: string,
  partition = 'aws',
): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/**
 * Credentials through Backstage's AWS integration (`aws.mainAccount`,
 * `aws.accounts[]`, `aws.accountDefaults.roleName/externalId`), so TrailGuard
 * uses the same configuration as every other AWS-facing Backstage plugin.
 *
 * One difference, for scale: accounts covered only by
 * `aws.accountDefaults.roleName` assume that role through one shared STS
 * client. The integration keeps an STS client per account for the life of
 * the process (about 20 KB each), which for an organization of thousands of
 * accounts is hundreds of megabytes; the calls and their results are the
 * same.
 */
export function credentialsResolverFromConfig(
  config: Config,
): CredentialsResolver {
  const manager = DefaultAwsCredentialsManager.fromConfig(config);
  const viaIntegration = async (accountId: string) =>
    (await manager.getCredentialProvider({ accountId })).sdkCredentialProvider;

  const defaults = config.getOptionalConfig('aws.accountDefaults');
  const roleName = defaults?.getOptionalString('roleName');
  if (!roleName || defaults?.has('webIdentityTokenFile')) {
    return viaIntegration;
  }
  const explicit = new Set(
    (config.getOptionalConfigArray('aws.accounts') ?? []).map(a =>
      a.getString('accountId'),
    ),
  );
  const partition = defaults?.getOptionalString('partition') ?? 'aws';
  const externalId = defaults?.getOptionalString('externalId');
  let sts: Promise<STSClient> | undefined;
  const sharedSts = () =>
    (sts ??= manager.getCredentialProvider().then(
      main =>
        new STSClient({
          region: defaults?.getOptionalString('region') ?? 'us-east-1',
          credentials: main.sdkCredentialProvider,
          customUserAgent: 'backstage-aws-credentials-manager',
          // As patient as the scan's own clients: a throttled AssumeRole
          // would otherwise fail the whole account.
          maxAttempts: 6,
          retryMode: 'adaptive',
        }),
    ));

  return async accountId => {
    if (explicit.has(accountId)) return viaIntegration(accountId);
    const provider: AwsCredentialIdentityProvider = async () => {
      const client = await sharedSts();
      const { Credentials: c } = await client.send(
        new AssumeRoleCommand({
          RoleArn: roleArn(accountId, roleName, partition),
          RoleSessionName: 'backstage',
          ExternalId: externalId,
        }),
      );
      if (!c?.AccessKeyId || !c.SecretAccessKey) {
        throw new Error(`AssumeRole into ${accountId} returned no credentials`);
      }
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
        accountId,
      };
    };
    return provider;
  };
}

/** The backend's own identity (aws.mainAccount, or the SDK's default chain). */
export function mainCredentialsResolverFromConfig(
  config: Config,
): MainCredentialsResolver {
  const manager = DefaultAwsCredentialsManager.fromConfig(config);
  return async () =>
    (await manager.getCredentialProvider()).sdkCredentialProvider;
}
