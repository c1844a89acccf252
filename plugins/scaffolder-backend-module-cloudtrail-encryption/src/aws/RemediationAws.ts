import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { Config } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import {
  AssumeRoleCredentials,
  ClientPool,
  readScanSettings,
  roleArn,
  type AssumeRoleParams,
  type AwsScope,
} from '@trailguard/plugin-cloudtrail-encryption-node';
import { awsCall, RemediationError } from './errors';

/** @public */
export const NOT_CONFIGURED_MESSAGE =
  'remediation credentials are not configured: set cloudtrailEncryption.remediation.roleName';

/** @public */
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

/** @public */
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

/** `user:default/jane.doe` → `trailguard-user-default-jane.doe` (STS allows [\w+=,.@-], 2-64). */
export function sessionName(initiator?: string): string {
  if (!initiator) return 'trailguard-remediation';
  const safe = initiator.replace(/[^\w+=,.@-]/g, '-');
  return `trailguard-${safe}`.slice(0, 64);
}

/**
 * STS's SourceIdentity allows neither `:` nor `/`, so the entity ref is
 * written `user-default-jane.doe`; it follows the session into every call
 * CloudTrail logs and cannot be changed by a role chained from it.
 */
export function sourceIdentity(initiator?: string): string | undefined {
  if (!initiator) return undefined;
  const safe = initiator.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return safe.length >= 2 ? safe : undefined;
}

/**
 * Session tags: the exact entity ref (tag values may hold `:` and `/`) and
 * the purpose, for role trust policies and CloudTrail's own log.
 */
export function sessionTags(initiator?: string): Record<string, string> {
  const tags: Record<string, string> = { 'trailguard:purpose': 'remediation' };
  if (initiator) {
    tags['trailguard:initiator'] = initiator
      .replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_')
      .slice(0, 256);
  }
  return tags;
}

/**
 * A pooled client whose calls are signed as the session's role.
 *
 * @public
 */
export interface SessionClient<C extends { send: (...args: any[]) => any }> {
  send: C['send'];
}

/**
 * One account's AWS calls, signed with the remediation role. The SDK clients
 * are the shared pool's (one per service and Region); the session only
 * decides whose credentials sign. Closed after the action run, which drops
 * its credentials, so none outlive the step that needed them.
 *
 * @public
 */
export class RemediationSession {
  readonly #scope: AwsScope;

  constructor(
    readonly accountId: string,
    readonly assumedRoleArn: string,
    credentials: AwsCredentialIdentityProvider,
    private readonly pool: ClientPool,
    private readonly onDestroy: () => void = () => {},
  ) {
    this.#scope = { accountId, credentials };
  }

  #scoped<C extends { send: (...args: any[]) => any }>(
    client: C,
  ): SessionClient<C> {
    const view = this.pool.scoped(client as any, this.#scope) as C;
    return { send: view.send.bind(view) as C['send'] };
  }

  kms(region: string): SessionClient<KMSClient> {
    return this.#scoped(this.pool.get('kms', region));
  }

  /**
   * CreateKey is not idempotent: a retry after a timeout could leave a second
   * key behind, so it gets exactly one attempt.
   */
  kmsSingleAttempt(region: string): SessionClient<KMSClient> {
    return this.#scoped(this.pool.get('kms', region, { maxAttempts: 1 }));
  }

  cloudTrail(region: string): SessionClient<CloudTrailClient> {
    return this.#scoped(this.pool.get('cloudtrail', region));
  }

  s3(region: string): SessionClient<S3Client> {
    return this.#scoped(this.pool.get('s3', region));
  }

  destroy(): void {
    this.onDestroy();
  }
}

/**
 * Write credentials for remediation: the role
 * `cloudtrailEncryption.remediation.roleName`, assumed from the AWS
 * integration's main account credentials. The scan's read-only role is never
 * used here, and nothing works until the remediation role is configured.
 *
 * @public
 */
export class RemediationAws {
  #mainCredentials?: Promise<AwsCredentialIdentityProvider>;
  #sessions?: AssumeRoleCredentials;
  #pool?: ClientPool;

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
   * reported as such. `initiator` (an entity ref) names the session and is
   * its SourceIdentity and `trailguard:initiator` tag, so CloudTrail's own
   * log shows who asked for each change.
   */
  async open(
    accountId: string,
    partition = 'aws',
    initiator?: string,
  ): Promise<RemediationSession> {
    const roleName = this.assertConfigured();
    const arn = roleArn(accountId, roleName, partition);
    const params: AssumeRoleParams = {
      roleArn: arn,
      roleSessionName: sessionName(initiator),
      sourceIdentity: sourceIdentity(initiator),
      tags: sessionTags(initiator),
      externalId: this.settings.externalId,
      durationSeconds: 900,
    };
    const sessions = this.#assumeRole();
    const credentials = sessions.provider(params);
    await awsCall(`AssumeRole of the remediation role ${arn}`, () =>
      credentials(),
    );
    return new RemediationSession(
      accountId,
      arn,
      credentials,
      this.#clients(),
      () => sessions.forgetSession(params),
    );
  }

  #assumeRole(): AssumeRoleCredentials {
    this.#sessions ??= new AssumeRoleCredentials({
      masterCredentials: () => this.#main(),
      region: this.settings.stsRegion,
      endpoint: this.settings.endpoint,
      maxAttempts: this.settings.maxAttempts,
    });
    return this.#sessions;
  }

  #clients(): ClientPool {
    this.#pool ??= new ClientPool({
      endpoint: this.settings.endpoint,
      maxAttempts: this.settings.maxAttempts,
      requestTimeoutMs: this.settings.requestTimeoutMs,
    });
    return this.#pool;
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
