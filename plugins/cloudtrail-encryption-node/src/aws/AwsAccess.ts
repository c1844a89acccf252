import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { ClientPool, type AwsClientOptions, type AwsScope } from './clientPool';
import {
  memoizeCredentials,
  type CredentialsResolver,
  type MainCredentialsResolver,
} from './credentialsProvider';

/** Organizations and IAM have one endpoint per partition, in us-east-1 for `aws`. */
const ORGANIZATIONS_REGION = 'us-east-1';
const IAM_REGION = 'us-east-1';
const MAIN_IDENTITY = '*main';

export interface AwsAccessOptions extends Partial<AwsClientOptions> {
  /** Each account's credentials (its scan role). */
  credentials: CredentialsResolver;
  /** The backend's own identity, for reading the organization. */
  mainCredentials?: MainCredentialsResolver;
}

/**
 * TrailGuard's one way to AWS: per-account credentials (memoized until
 * shortly before expiry), a pool of SDK clients per service and Region shared
 * by all accounts, and per-account quotas (rate limits and retry quotas per
 * account, Region and service). Calls are made inside {@link AwsAccess.as},
 * which decides the account that signs them:
 *
 * ```ts
 * const trails = await aws.as(accountId, () =>
 *   aws.cloudTrail(region).send(new DescribeTrailsCommand({})),
 * );
 * ```
 */
export class AwsAccess {
  readonly #pool: ClientPool;
  readonly #resolve: CredentialsResolver;
  readonly #resolveMain?: MainCredentialsResolver;
  readonly #credentials = new Map<
    string,
    Promise<AwsCredentialIdentityProvider>
  >();
  /** Scopes of accounts whose credentials resolved (the common, fast path). */
  readonly #scopes = new Map<string, AwsScope>();

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

  cloudTrail(region: string): CloudTrailClient {
    return this.#pool.get('cloudtrail', region);
  }

  kms(region: string, options: { maxAttempts?: number } = {}): KMSClient {
    return this.#pool.get('kms', region, options);
  }

  s3(region: string): S3Client {
    return this.#pool.get('s3', region);
  }

  /** Organizations' endpoint (one per partition). */
  organizations(): OrganizationsClient {
    return this.#pool.get('organizations', ORGANIZATIONS_REGION);
  }

  /** IAM's endpoint (a global service). */
  iam(): IAMClient {
    return this.#pool.get('iam', IAM_REGION);
  }

  /** Runs `fn` with its AWS calls signed as the account's role. */
  as<T>(accountId: string, fn: () => Promise<T>): Promise<T> {
    const scope = this.#scopes.get(accountId);
    if (scope) return this.#pool.run(scope, fn);
    return this.#credentialsFor(accountId).then(credentials => {
      const resolved = this.#scopes.get(accountId) ?? {
        accountId,
        credentials,
      };
      this.#scopes.set(accountId, resolved);
      return this.#pool.run(resolved, fn);
    });
  }

  /** Runs `fn` with its AWS calls signed as the backend's own identity. */
  async asMain<T>(fn: () => Promise<T>): Promise<T> {
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
      this.#scopes.delete(accountId);
      this.#resolve.forget?.(accountId);
    }
  }

  /** Releases sockets; nothing may be called afterwards. */
  destroy(): void {
    this.#credentials.clear();
    this.#scopes.clear();
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
