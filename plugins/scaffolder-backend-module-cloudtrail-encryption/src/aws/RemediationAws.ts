import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { Config } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import {
  readScanSettings,
  roleArn,
} from '@trailguard/plugin-cloudtrail-encryption-node';
import { awsCall, RemediationError } from './errors';

export const NOT_CONFIGURED_MESSAGE =
  'remediation credentials are not configured: set cloudtrailEncryption.remediation.roleName';

export interface RemediationSettings {
  roleName?: string;
  externalId?: string;
  /** The sandbox in development; real AWS when unset. */
  endpoint?: string;
  stsRegion: string;
  maxAttempts: number;
  requestTimeoutMs: number;
  /** Role names the scan uses; the remediation role must not be one of them. */
  scanRoleNames: string[];
}

export function readRemediationSettings(config: Config): RemediationSettings {
  const scan = readScanSettings(config);
  const remediation = config.getOptionalConfig(
    'cloudtrailEncryption.remediation',
  );
  const scanRoleNames = [
    config.getOptionalString('aws.accountDefaults.roleName'),
    ...(config
      .getOptionalConfigArray('aws.accounts')
      ?.map(a => a.getOptionalString('roleName')) ?? []),
  ].filter((n): n is string => Boolean(n));
  return {
    roleName: remediation?.getOptionalString('roleName')?.trim() || undefined,
    externalId: remediation?.getOptionalString('externalId'),
    endpoint: scan.endpoint,
    stsRegion:
      config.getOptionalString('aws.mainAccount.region') ?? 'us-east-1',
    maxAttempts: scan.maxAttempts,
    requestTimeoutMs: scan.requestTimeoutMs,
    scanRoleNames,
  };
}

const REFRESH_MARGIN_MS = 5 * 60_000;

/** `user:default/jane.doe` → `trailguard-user-default-jane.doe` (STS allows [\w+=,.@-], 2-64). */
export function sessionName(initiator?: string): string {
  if (!initiator) return 'trailguard-remediation';
  const safe = initiator.replace(/[^\w+=,.@-]/g, '-');
  return `trailguard-${safe}`.slice(0, 64);
}

/** One AssumeRole shared by a session's clients until it nears expiry. */
function memoize(
  provider: AwsCredentialIdentityProvider,
): AwsCredentialIdentityProvider {
  let current: Awaited<ReturnType<AwsCredentialIdentityProvider>> | undefined;
  let pending: ReturnType<AwsCredentialIdentityProvider> | undefined;
  return async () => {
    const fresh =
      current &&
      (!current.expiration ||
        current.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS);
    if (fresh) return current!;
    pending ??= provider()
      .then(identity => (current = identity))
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

/**
 * AWS clients of one account, all signed with the remediation role. Created
 * per action run and destroyed afterwards, so no credentials or sockets
 * outlive the step that needed them.
 */
export class RemediationSession {
  readonly #clients = new Map<string, { destroy(): void }>();

  constructor(
    readonly accountId: string,
    readonly assumedRoleArn: string,
    private readonly credentials: AwsCredentialIdentityProvider,
    private readonly settings: RemediationSettings,
  ) {}

  #base(region: string, maxAttempts: number) {
    return {
      region,
      credentials: this.credentials,
      endpoint: this.settings.endpoint,
      maxAttempts,
      requestHandler: { requestTimeout: this.settings.requestTimeoutMs },
    };
  }

  #cached<T extends { destroy(): void }>(key: string, create: () => T): T {
    let client = this.#clients.get(key) as T | undefined;
    if (!client) {
      client = create();
      this.#clients.set(key, client);
    }
    return client;
  }

  kms(region: string): KMSClient {
    return this.#cached(
      `kms/${region}`,
      () => new KMSClient(this.#base(region, this.settings.maxAttempts)),
    );
  }

  /**
   * CreateKey is not idempotent: a retry after a timeout could leave a second
   * key behind, so it gets exactly one attempt.
   */
  kmsSingleAttempt(region: string): KMSClient {
    return this.#cached(
      `kms-once/${region}`,
      () => new KMSClient(this.#base(region, 1)),
    );
  }

  cloudTrail(region: string): CloudTrailClient {
    return this.#cached(
      `cloudtrail/${region}`,
      () => new CloudTrailClient(this.#base(region, this.settings.maxAttempts)),
    );
  }

  s3(region: string): S3Client {
    return this.#cached(
      `s3/${region}`,
      () =>
        new S3Client({
          ...this.#base(region, this.settings.maxAttempts),
          forcePathStyle: Boolean(this.settings.endpoint),
          // The bucket's Region is read from the redirect itself.
          followRegionRedirects: false,
        }),
    );
  }

  destroy(): void {
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
  }
}

/**
 * Write credentials for remediation: the role
 * `cloudtrailEncryption.remediation.roleName`, assumed from the AWS
 * integration's main account credentials. The scan's read-only role is never
 * used here, and nothing works until the remediation role is configured.
 */
export class RemediationAws {
  #mainCredentials?: Promise<AwsCredentialIdentityProvider>;

  constructor(
    private readonly config: Config,
    readonly settings: RemediationSettings = readRemediationSettings(config),
  ) {}

  /** Throws the "not configured" error (or a misconfiguration) before any AWS call. */
  assertConfigured(): string {
    const { roleName, scanRoleNames } = this.settings;
    if (!roleName) throw new RemediationError(NOT_CONFIGURED_MESSAGE);
    if (scanRoleNames.includes(roleName)) {
      throw new RemediationError(
        `cloudtrailEncryption.remediation.roleName (${roleName}) is also the read-only scan role; configure a separate remediation role`,
      );
    }
    return roleName;
  }

  /**
   * Assumes the remediation role in the account now, so a refusal is
   * reported as such. `initiator` (an entity ref) names the session, so
   * CloudTrail's own log shows who asked for each change.
   */
  async open(
    accountId: string,
    partition = 'aws',
    initiator?: string,
  ): Promise<RemediationSession> {
    const roleName = this.assertConfigured();
    const arn = roleArn(accountId, roleName, partition);
    const main = await this.#main();
    const credentials = memoize(
      fromTemporaryCredentials({
        masterCredentials: main,
        params: {
          RoleArn: arn,
          RoleSessionName: sessionName(initiator),
          ExternalId: this.settings.externalId,
          DurationSeconds: 900,
        },
        clientConfig: {
          region: this.settings.stsRegion,
          ...(this.settings.endpoint
            ? { endpoint: this.settings.endpoint }
            : {}),
        },
      }),
    );
    await awsCall(`AssumeRole of the remediation role ${arn}`, () =>
      credentials(),
    );
    return new RemediationSession(accountId, arn, credentials, this.settings);
  }

  #main(): Promise<AwsCredentialIdentityProvider> {
    this.#mainCredentials ??= DefaultAwsCredentialsManager.fromConfig(
      this.config,
    )
      .getCredentialProvider()
      .then(p => p.sdkCredentialProvider);
    // A failure (say, a profile not readable yet) is retried by the next run.
    this.#mainCredentials.catch(() => {
      this.#mainCredentials = undefined;
    });
    return this.#mainCredentials;
  }
}

/** Runs `fn` with sessions for the given accounts (deduplicated), then closes them. */
export async function withSessions<T>(
  aws: RemediationAws,
  accounts: string[],
  options: { partition: string; initiator?: string },
  fn: (session: (accountId: string) => RemediationSession) => Promise<T>,
): Promise<T> {
  const sessions = new Map<string, RemediationSession>();
  try {
    for (const accountId of new Set(accounts)) {
      sessions.set(
        accountId,
        await aws.open(accountId, options.partition, options.initiator),
      );
    }
    return await fn(accountId => {
      const session = sessions.get(accountId);
      if (!session) throw new Error(`No remediation session for ${accountId}`);
      return session;
    });
  } finally {
    for (const session of sessions.values()) session.destroy();
  }
}
