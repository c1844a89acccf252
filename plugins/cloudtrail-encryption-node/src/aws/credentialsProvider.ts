import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
} from '@aws-sdk/types';
import type { Config } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';

/**
 * Resolves the SDK credentials to use for an account. `forget`, when
 * present, drops what the resolver memoized for the account, so its role is
 * assumed again.
 *
 * @public
 */
export type CredentialsResolver = ((
  accountId: string,
) => Promise<AwsCredentialIdentityProvider>) & {
  forget?(accountId: string): void;
};

/**
 * The backend's own AWS identity (aws.mainAccount), used to read the organization.
 *
 * @public
 */
export type MainCredentialsResolver =
  () => Promise<AwsCredentialIdentityProvider>;

/** Credentials are renewed this long before they expire. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** @public */
export function roleArn(
  accountId: string,
  roleName: string,
  partition = 'aws',
): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

const MEMOIZED = Symbol('memoizedCredentials');
type Memoized = { [MEMOIZED]?: boolean };

/**
 * Shares one resolution of `provider` between all callers until the
 * credentials near expiry. Concurrent callers wait for the same request; a
 * failure is not kept, so the next caller asks again.
 *
 * @public
 */
export function memoizeCredentials(
  provider: AwsCredentialIdentityProvider,
  refreshMarginMs = REFRESH_MARGIN_MS,
): AwsCredentialIdentityProvider {
  if ((provider as Memoized)[MEMOIZED]) return provider;
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const memoized: AwsCredentialIdentityProvider & Memoized = () => {
    if (
      current &&
      (!current.expiration ||
        current.expiration.getTime() - Date.now() > refreshMarginMs)
    ) {
      return Promise.resolve(current);
    }
    pending ??= provider()
      .then(identity => (current = identity))
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  memoized[MEMOIZED] = true;
  return memoized;
}

/**
 * One AssumeRole request; the memo key is everything that shapes the session.
 *
 * @public
 */
export interface AssumeRoleParams {
  roleArn: string;
  roleSessionName: string;
  externalId?: string;
  /** Recorded by CloudTrail on every call made with the session. */
  sourceIdentity?: string;
  /** Session tags. */
  tags?: Record<string, string>;
  durationSeconds?: number;
}

/** @public */
export interface AssumeRoleCredentialsOptions {
  /** Who assumes the roles (the backend's own identity). */
  masterCredentials: () => Promise<AwsCredentialIdentityProvider>;
  /** STS Region. */
  region: string;
  /** STS endpoint override; otherwise the SDK's (AWS_ENDPOINT_URL_STS is honoured). */
  endpoint?: string;
  maxAttempts?: number;
  refreshMarginMs?: number;
}

interface MemoEntry {
  provider: AwsCredentialIdentityProvider;
  accountId?: string;
  expiresAt?: number;
}

function memoKey(p: AssumeRoleParams): string {
  const tags = p.tags
    ? Object.entries(p.tags)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join('&')
    : '';
  return [
    p.roleArn,
    p.externalId ?? '',
    p.roleSessionName,
    p.sourceIdentity ?? '',
    tags,
    p.durationSeconds ?? '',
  ].join('\u0000');
}

/**
 * The one way TrailGuard assumes roles: AssumeRole with ExternalId,
 * RoleSessionName, optional SourceIdentity and session tags, through one STS
 * client, each session memoized per (role, external id, session name, source
 * identity, tags) until shortly before it expires. A failed AssumeRole is not
 * remembered: the next call tries again. Expired sessions are dropped, so the
 * memo holds only sessions in use.
 *
 * @public
 */
export class AssumeRoleCredentials {
  readonly #options: AssumeRoleCredentialsOptions;
  readonly #entries = new Map<string, MemoEntry>();
  /** Memo keys by the account of their role, so forgetting one is cheap. */
  readonly #byAccount = new Map<string, Set<string>>();
  #sts?: Promise<STSClient>;
  #sweptAt = 0;

  constructor(options: AssumeRoleCredentialsOptions) {
    this.#options = options;
  }

  /** A memoized provider of the session; the same object for the same parameters. */
  provider(params: AssumeRoleParams): AwsCredentialIdentityProvider {
    this.#sweep();
    const key = memoKey(params);
    const existing = this.#entries.get(key);
    if (existing) return existing.provider;
    const entry: MemoEntry = {
      accountId: params.roleArn.split(':')[4],
      provider: async () => {
        throw new Error('unreachable');
      },
    };
    entry.provider = memoizeCredentials(async () => {
      const identity = await this.#assume(params);
      entry.expiresAt = identity.expiration?.getTime();
      return identity;
    }, this.#options.refreshMarginMs);
    this.#entries.set(key, entry);
    const account = entry.accountId ?? '';
    let keys = this.#byAccount.get(account);
    if (!keys) {
      keys = new Set();
      this.#byAccount.set(account, keys);
    }
    keys.add(key);
    return entry.provider;
  }

  /**
   * Forgets the sessions of roles in an account, so the next call assumes
   * the role again (and sees it revoked).
   */
  forgetAccount(accountId: string): void {
    for (const key of this.#byAccount.get(accountId) ?? []) {
      this.#entries.delete(key);
    }
    this.#byAccount.delete(accountId);
  }

  forgetSession(params: AssumeRoleParams): void {
    this.#delete(memoKey(params));
  }

  #delete(key: string) {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    const keys = this.#byAccount.get(entry.accountId ?? '');
    keys?.delete(key);
    if (keys?.size === 0) this.#byAccount.delete(entry.accountId ?? '');
  }

  get size(): number {
    return this.#entries.size;
  }

  destroy(): void {
    this.#entries.clear();
    this.#byAccount.clear();
    this.#sts?.then(c => c.destroy()).catch(() => undefined);
    this.#sts = undefined;
  }

  #sweep() {
    const now = Date.now();
    if (now - this.#sweptAt < 60_000) return;
    this.#sweptAt = now;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
        this.#delete(key);
      }
    }
  }

  #client(): Promise<STSClient> {
    const o = this.#options;
    this.#sts ??= o.masterCredentials().then(
      credentials =>
        new STSClient({
          region: o.region,
          credentials,
          ...(o.endpoint ? { endpoint: o.endpoint } : {}),
          customUserAgent: 'backstage-aws-credentials-manager',
          // As patient as the scan's own calls: a throttled AssumeRole would
          // otherwise fail the whole account.
          maxAttempts: o.maxAttempts ?? 6,
          retryMode: 'adaptive',
        }),
    );
    // A master identity that could not be resolved is retried next time.
    this.#sts.catch(() => {
      this.#sts = undefined;
    });
    return this.#sts;
  }

  async #assume(p: AssumeRoleParams): Promise<AwsCredentialIdentity> {
    const client = await this.#client();
    const { Credentials: c } = await client.send(
      new AssumeRoleCommand({
        RoleArn: p.roleArn,
        RoleSessionName: p.roleSessionName,
        ExternalId: p.externalId,
        SourceIdentity: p.sourceIdentity,
        DurationSeconds: p.durationSeconds,
        Tags: p.tags
          ? Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value }))
          : undefined,
      }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new Error(`AssumeRole of ${p.roleArn} returned no credentials`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
      accountId: p.roleArn.split(':')[4] || undefined,
    };
  }
}

/**
 * Credentials through Backstage's AWS integration (`aws.mainAccount`,
 * `aws.accounts[]`, `aws.accountDefaults.roleName/externalId`), so TrailGuard
 * uses the same configuration as every other AWS-facing Backstage plugin.
 *
 * Accounts covered only by `aws.accountDefaults.roleName` assume that role
 * through {@link AssumeRoleCredentials} (one STS client): the integration keeps
 * an STS client per account for the life of the process (about 20 KB each),
 * which for an organization of thousands of accounts is hundreds of
 * megabytes; the calls and their results are the same.
 *
 * @public
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
  const sessions = new AssumeRoleCredentials({
    masterCredentials: async () =>
      (await manager.getCredentialProvider()).sdkCredentialProvider,
    region: defaults?.getOptionalString('region') ?? 'us-east-1',
  });
  const resolver: CredentialsResolver = async accountId => {
    if (explicit.has(accountId)) return viaIntegration(accountId);
    return sessions.provider({
      roleArn: roleArn(accountId, roleName, partition),
      roleSessionName: 'backstage',
      externalId,
    });
  };
  resolver.forget = accountId => sessions.forgetAccount(accountId);
  return resolver;
}

/**
 * The backend's own identity (aws.mainAccount, or the SDK's default chain).
 *
 * @public
 */
export function mainCredentialsResolverFromConfig(
  config: Config,
): MainCredentialsResolver {
  const manager = DefaultAwsCredentialsManager.fromConfig(config);
  return async () =>
    (await manager.getCredentialProvider()).sdkCredentialProvider;
}
