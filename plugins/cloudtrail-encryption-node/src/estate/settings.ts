import { ConfigReader, type Config } from '@backstage/config';
import { isAwsAccountId } from '@trailguard/plugin-cloudtrail-encryption-common';

/**
 * How the estate is read, from `cloudtrailEncryption.estate` (see config.d.ts).
 *
 * @public
 */
export interface EstateSettings {
  source: 'organization' | 'accounts';
  /** Read the organization through the scan role in this account (management or delegated administrator). */
  managementAccountId?: string;
  /** Accounts scanned besides the organization's (or, in `accounts` mode, with aws.accounts). */
  include: string[];
  /** Accounts never scanned nor trusted as part of the estate. */
  exclude: string[];
  /** Whether aws.accounts[].accountId join the estate as configured accounts. */
  fromAwsConfig: boolean;
  /** aws.accounts[].accountId, whatever fromAwsConfig says (credentials exist for them). */
  awsConfigAccountIds: string[];
  /** Outside accounts trusted for decrypt, never scanned. */
  trustedAccountIds: string[];
}

function accountIds(config: Config, key: string): string[] | undefined {
  const values = config.getOptionalStringArray(key);
  if (!values) return undefined;
  for (const value of values) {
    if (!isAwsAccountId(value)) {
      throw new Error(
        `cloudtrailEncryption.${key} must list 12-digit AWS account ids, got "${value}"`,
      );
    }
  }
  return [...new Set(values)];
}

/**
 * Reads `cloudtrailEncryption.estate` and `trustedAccountIds`. The keys under
 * `cloudtrailEncryption.accounts` (include, exclude, fromAwsConfig) are read
 * as deprecated aliases when the estate section does not set them.
 *
 * @public
 */
export function readEstateSettings(root: Config): EstateSettings {
  const config =
    root.getOptionalConfig('cloudtrailEncryption') ?? new ConfigReader({});
  const estate = config.getOptionalConfig('estate') ?? new ConfigReader({});
  const legacy = config.getOptionalConfig('accounts') ?? new ConfigReader({});

  const source = estate.getOptionalString('source') ?? 'organization';
  if (source !== 'organization' && source !== 'accounts') {
    throw new Error(
      `cloudtrailEncryption.estate.source must be "organization" or "accounts", got "${source}"`,
    );
  }
  const managementAccountId = estate.getOptionalString('managementAccountId');
  if (
    managementAccountId !== undefined &&
    !isAwsAccountId(managementAccountId)
  ) {
    throw new Error(
      `cloudtrailEncryption.estate.managementAccountId must be a 12-digit AWS account id, got "${managementAccountId}"`,
    );
  }
  const awsConfigAccountIds = (
    root.getOptionalConfigArray('aws.accounts') ?? []
  )
    .map(a => a.getString('accountId'))
    .filter(isAwsAccountId);

  return {
    source,
    managementAccountId,
    include:
      accountIds(config, 'estate.include') ??
      accountIds(config, 'accounts.include') ??
      [],
    exclude:
      accountIds(config, 'estate.exclude') ??
      accountIds(config, 'accounts.exclude') ??
      [],
    fromAwsConfig:
      estate.getOptionalBoolean('fromAwsConfig') ??
      legacy.getOptionalBoolean('fromAwsConfig') ??
      true,
    awsConfigAccountIds: [...new Set(awsConfigAccountIds)],
    trustedAccountIds: accountIds(config, 'trustedAccountIds') ?? [],
  };
}
