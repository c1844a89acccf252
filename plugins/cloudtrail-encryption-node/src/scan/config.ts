import {
  ConfigReader,
  readDurationFromConfig,
  type Config,
} from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { AwsAccess } from '../aws/AwsAccess';
import { DEFAULT_AWS_CLIENT_OPTIONS } from '../aws/clientPool';
import {
  credentialsResolverFromConfig,
  mainCredentialsResolverFromConfig,
  type CredentialsResolver,
  type MainCredentialsResolver,
} from '../aws/credentialsProvider';
import { EstateReader } from '../estate/EstateReader';
import { readEstateSettings, type EstateSettings } from '../estate/settings';
import { ScanEngine } from './ScanEngine';

/**
 * The scan settings under `cloudtrailEncryption`.
 *
 * @public
 */
export interface ScanSettings {
  endpoint?: string;
  defaultRegion: string;
  concurrency: number;
  maxInFlight: number;
  maxAttempts: number;
  requestTimeoutMs: number;
  callTimeoutMs: number;
  trustedAccountIds: string[];
  /** Where a scan keeps its temporary spill file (`scan.spillDirectory`). */
  spillDirectory?: string;
}

function readMs(config: Config, key: string, fallback: number): number {
  if (!config.has(key)) return fallback;
  const value = config.get(key);
  if (typeof value === 'number') return value;
  return durationToMilliseconds(readDurationFromConfig(config, { key }));
}

/** A deadline of zero or less would abort every call as it starts. */
function readPositiveMs(config: Config, key: string, fallback: number): number {
  const ms = readMs(config, key, fallback);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new Error(
      `cloudtrailEncryption.aws.${key} must be a positive duration, not ${JSON.stringify(
        config.get(key),
      )}`,
    );
  }
  return ms;
}

/** @public */
export function readScanSettings(root: Config): ScanSettings {
  const config =
    root.getOptionalConfig('cloudtrailEncryption') ?? new ConfigReader({});
  const aws = config.getOptionalConfig('aws');
  const scan = config.getOptionalConfig('scan');
  const concurrency = scan?.getOptionalNumber('concurrency') ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new Error(
      `cloudtrailEncryption.scan.concurrency must be an integer from 1 to 256, got ${concurrency}`,
    );
  }
  return {
    endpoint: aws?.getOptionalString('endpoint'),
    defaultRegion: aws?.getOptionalString('defaultRegion') ?? 'us-east-1',
    concurrency,
    maxInFlight: aws?.getOptionalNumber('maxInFlight') ?? concurrency * 2,
    maxAttempts:
      aws?.getOptionalNumber('maxAttempts') ??
      DEFAULT_AWS_CLIENT_OPTIONS.maxAttempts,
    requestTimeoutMs: aws
      ? readMs(
          aws,
          'requestTimeout',
          DEFAULT_AWS_CLIENT_OPTIONS.requestTimeoutMs,
        )
      : DEFAULT_AWS_CLIENT_OPTIONS.requestTimeoutMs,
    callTimeoutMs: aws ? readPositiveMs(aws, 'callTimeout', 60_000) : 60_000,
    trustedAccountIds: readEstateSettings(root).trustedAccountIds,
    spillDirectory: scan?.getOptionalString('spillDirectory'),
  };
}

/**
 * Builds the engine, its AWS access layer and the estate reader from
 * app-config. `clients` is the same AwsAccess as `aws`; the owner destroys it.
 *
 * @public
 */
export function createScanEngineFromConfig(
  config: Config,
  options: {
    credentials?: CredentialsResolver;
    mainCredentials?: MainCredentialsResolver;
  } = {},
): {
  engine: ScanEngine;
  aws: AwsAccess;
  clients: AwsAccess;
  settings: ScanSettings;
  estate: EstateReader;
  estateSettings: EstateSettings;
} {
  const settings = readScanSettings(config);
  const estateSettings = readEstateSettings(config);
  const aws = new AwsAccess({
    credentials: options.credentials ?? credentialsResolverFromConfig(config),
    mainCredentials:
      options.mainCredentials ?? mainCredentialsResolverFromConfig(config),
    endpoint: settings.endpoint,
    maxAttempts: settings.maxAttempts,
    requestTimeoutMs: settings.requestTimeoutMs,
    maxSockets: Math.max(16, settings.maxInFlight),
    maxInFlight: settings.maxInFlight,
  });
  const engine = new ScanEngine({
    aws,
    concurrency: settings.concurrency,
    defaultRegion: settings.defaultRegion,
    callTimeoutMs: settings.callTimeoutMs,
    managementAccountId: estateSettings.managementAccountId,
    spillDirectory: settings.spillDirectory,
  });
  const estate = new EstateReader({
    aws,
    settings: estateSettings,
    callTimeoutMs: settings.callTimeoutMs,
  });
  return { engine, aws, clients: aws, settings, estate, estateSettings };
}
