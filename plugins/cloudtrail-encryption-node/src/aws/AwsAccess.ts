import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import {
  ClientPool,
  type AwsClientOptions,
  type AwsScope,
  type ClientOf,
  type ServiceName,
} from './clientPool';
import {
  memoizeCredentials,
  type CredentialsResolver,
  type MainCredentialsResolver,
} from './credentialsProvider';

/** Organizations and IAM have one endpoint per partition, in us-east-1 for `aws`. */
const ORGANIZATIONS_REGION = 'us-east-1';
const IAM_REGION = 'us-east-1';
const MAIN_IDENTITY = '*main';

/** @public */
export interface AwsAccessOptions extends Partial<AwsClientOptions> {
  /** Each account's credentials (its scan role). */
  credentials: CredentialsResolver;
  /** The backend's own identity, for reading the organization. */
  mainCredentials?: MainCredentialsResolver;
}

/**
 * The pooled clients seen as one account: every call they send is signed
 * with the account's credentials and counts against its quotas.
 *
 * @public
 */
export class AccountClients {
  constructor(
    private readonly pool: ClientPool,
    private readonly scope: AwsScope,
  ) {}

  get accountId(): string {
    return this.scope.accountId;
  }

  cloudTrail(region: string): CloudTrailClient {
    return this.#view('cloudtrail', region);
  }

  kms(region: string, options: { maxAttempts?: number } = {}): KMSClient {
    return this.#view('kms', region, options.maxAttempts);
  }

  s3(region: string): S3Client {
    return this.#view('s3', region);
  }

  /** Organizations' endpoint (one per partition). */
  organizations(): OrganizationsClient {
    return this.#view('organizations', ORGANIZATIONS_REGION);
  }

  /** IAM's endpoint (a global service). */
  iam(): IAMClient {
    return this.#view('iam', IAM_REGION);
  }

  /**
   * A view made per use, not kept: it costs an object and a closure, while
   * keeping every account's views for a whole scan cost about 1.4 kB per
   * account (14 MB at 10,000 accounts) of live heap.
   */
  #view<S extends ServiceName>(
    service: S,
    region: string,
    maxAttempts?: number,
  ): ClientOf<S> {
    const client = this.pool.get(service, region, { maxAttempts });
    return this.pool.scoped(client, this.scope) as ClientOf<S>;
  }
}

/**
 * TrailGuard's one way to AWS: per-account credentials (memoized until
 * shortly before expiry), a pool of SDK clients per service and Region shared
 * by all accounts, and per-account quotas (rate limits and retry quotas per
 * account, Region and service). Calls are made inside {@link AwsAccess.as},
 * which decides the account that signs them:
 *
 * ```ts
 * const trails = await aws.as(accountId, account =>
 *   account.cloudTrail(region).send(new DescribeTrailsCommand({})),
 * );
 * ```
 *
 * @public
 */
export class AwsAccess {
  readonly #pool: ClientPool;
  readonly #resolve: CredentialsResolver;
  readonly #resolveMain?: MainCredentialsResolver;
  readonly #credentials = new Map<
    string,
    Promise<AwsCredentialIdentityProvider>
  >();
  /** Clients of accounts whose credentials resolved (the common, fast path). */
  readonly #accounts = new Map<string, AccountClients>();

  constructor(options: AwsAccessOptions) {
    const { credentials, mainCredentials, ...clientOptions } = options;
    this.#resolve = credentials;
    this.#resolveMain = mainCredentials;
    this.#pool = new ClientPool(clientOptions);
  }

  get options(): Readonly<AwsClientOptions> {
    return this.#pool.options;
  }

  /** The shared client pool (for callers with credentials of their own). */
  get pool(): ClientPool {
    return this.#pool;
  }

  /**
   * Runs `fn` with clients whose calls are signed as the account's role
   * (its credentials resolved first: one AssumeRole per account, memoized).
   */
  as<T>(
    accountId: string,
    fn: (aws: AccountClients) => Promise<T>,
  ): Promise<T> {
    const clients = this.#accounts.get(accountId);
    if (clients) return fn(clients);
    return this.#credentialsFor(accountId).then(credentials => {
      let resolved = this.#accounts.get(accountId);
      if (!resolved) {
        resolved = new AccountClients(this.#pool, { accountId, credentials });
        this.#accounts.set(accountId, resolved);
      }
      return fn(resolved);
    });
  }

  /** Runs `fn` with its AWS calls signed as the backend's own identity. */
  async asMain<T>(fn: (aws: AccountClients) => Promise<T>): Promise<T> {
    if (!this.#resolveMain) {
      throw new Error(
        'No main AWS identity is configured to read the organization',
      );
    }
    return this.as(MAIN_IDENTITY, fn);
  }

  /**
   * Resolves the account's credentials now (one AssumeRole), so that a role
   * that cannot be assumed is reported as such rather than as the failure of
   * whichever API call happened to come first.
   */
  async verifyAccess(accountId: string): Promise<void> {
    const provider = await this.#credentialsFor(accountId);
    await provider();
  }

  /**
   * Forgets accounts' credentials, so the next scan assumes their roles
   * again (one AssumeRole per account per scan) and sees a revoked role.
   */
  forget(accountIds: Iterable<string>): void {
    for (const accountId of accountIds) {
      this.#credentials.delete(accountId);
      this.#accounts.delete(accountId);
      this.#resolve.forget?.(accountId);
    }
  }

  /** Releases sockets; nothing may be called afterwards. */
  destroy(): void {
    this.#credentials.clear();
    this.#accounts.clear();
    this.#pool.destroy();
  }

  #credentialsFor(accountId: string): Promise<AwsCredentialIdentityProvider> {
    let pending = this.#credentials.get(accountId);
    if (!pending) {
      const resolved =
        accountId === MAIN_IDENTITY && this.#resolveMain
          ? this.#resolveMain()
          : this.#resolve(accountId);
      pending = resolved.then(p => memoizeCredentials(p));
      // A failed resolution is not cached: the next scan tries again.
      pending.catch(() => this.#credentials.delete(accountId));
      this.#credentials.set(accountId, pending);
    }
    return pending;
  }
}
