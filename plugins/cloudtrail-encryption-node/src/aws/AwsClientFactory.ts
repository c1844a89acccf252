import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import type {
  AwsCredentialIdentityProvider,
  DeserializeMiddleware,
  MiddlewareStack,
} from '@aws-sdk/types';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import pLimit from 'p-limit';

/** Resolves the SDK credentials to use for an account. */
export type CredentialsResolver = (
  accountId: string,
) => Promise<AwsCredentialIdentityProvider>;

/** The backend's own AWS identity (aws.mainAccount), used to read the organization. */
export type MainCredentialsResolver =
  () => Promise<AwsCredentialIdentityProvider>;

export interface AwsClientOptions {
  /** Endpoint override (the local AWS sandbox); real AWS when unset. */
  endpoint?: string;
  /** Attempts per call, including the first (adaptive retry). */
  maxAttempts: number;
  /** Per-attempt socket timeout, in milliseconds. */
  requestTimeoutMs: number;
  /** Connection establishment timeout, in milliseconds. */
  connectionTimeoutMs: number;
  /** Sockets per client; bounded so a large scan cannot open thousands. */
  maxSockets: number;
  /**
   * AWS requests in flight at once across all clients (each attempt counts;
   * a retry waiting out its back-off does not hold a slot).
   */
  maxInFlight: number;
}

export const DEFAULT_AWS_CLIENT_OPTIONS: AwsClientOptions = {
  maxAttempts: 6,
  requestTimeoutMs: 10_000,
  connectionTimeoutMs: 3_000,
  maxSockets: 16,
  maxInFlight: 32,
};

type ServiceName = 'cloudtrail' | 'kms' | 's3' | 'organizations';
type ClientOf<S extends ServiceName> = S extends 'cloudtrail'
  ? CloudTrailClient
  : S extends 'kms'
  ? KMSClient
  : S extends 'organizations'
  ? OrganizationsClient
  : S3Client;
type AnyClient = CloudTrailClient | KMSClient | S3Client | OrganizationsClient;

/** Organizations has one endpoint per partition, in us-east-1 for `aws`. */
const ORGANIZATIONS_REGION = 'us-east-1';
const MAIN_IDENTITY = '*main';

/**
 * Creates and caches AWS SDK clients per account, Region and service.
 *
 * One client per (account, Region, service) matches how AWS applies its API
 * quotas, so the SDK's adaptive retry mode (a client-side token bucket per
 * client) backs off exactly where AWS throttles. The HTTP agents are shared,
 * so thousands of clients still reuse a bounded pool of sockets.
 */
export class AwsClientFactory {
  readonly #options: AwsClientOptions;
  readonly #resolveCredentials: CredentialsResolver;
  readonly #clients = new Map<string, AnyClient>();
  readonly #resolveMain?: MainCredentialsResolver;
  readonly #credentials = new Map<
    string,
    Promise<AwsCredentialIdentityProvider>
  >();
  readonly #handler: NodeHttpHandler;
  readonly #inFlight: ReturnType<typeof pLimit>;

  constructor(
    resolveCredentials: CredentialsResolver,
    options: Partial<AwsClientOptions> = {},
    resolveMainCredentials?: MainCredentialsResolver,
  ) {
    this.#resolveCredentials = resolveCredentials;
    this.#resolveMain = resolveMainCredentials;
    this.#options = { ...DEFAULT_AWS_CLIENT_OPTIONS, ...options };
    this.#inFlight = pLimit(Math.max(1, this.#options.maxInFlight));
    const agentOptions = {
      keepAlive: true,
      maxSockets: this.#options.maxSockets * 8,
    };
    this.#handler = new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      requestTimeout: this.#options.requestTimeoutMs,
      // Without this a stalled socket only logs a warning and the call hangs.
      throwOnRequestTimeout: true,
      connectionTimeout: this.#options.connectionTimeoutMs,
    });
  }

  get options(): Readonly<AwsClientOptions> {
    return this.#options;
  }

  cloudTrail(accountId: string, region: string): Promise<CloudTrailClient> {
    return this.#client('cloudtrail', accountId, region);
  }

  kms(accountId: string, region: string): Promise<KMSClient> {
    return this.#client('kms', accountId, region);
  }

  s3(accountId: string, region: string): Promise<S3Client> {
    return this.#client('s3', accountId, region);
  }

  /**
   * Organizations as an account's scan role (a delegated administrator or
   * the management account), or, without an account, as the backend's own
   * identity.
   */
  organizations(accountId?: string): Promise<OrganizationsClient> {
    if (accountId) {
      return this.#client('organizations', accountId, ORGANIZATIONS_REGION);
    }
    if (!this.#resolveMain) {
      return Promise.reject(
        new Error(
          'No main AWS identity is configured to read the organization',
        ),
      );
    }
    return this.#client('organizations', MAIN_IDENTITY, ORGANIZATIONS_REGION);
  }

  /**
   * One S3 client shared by the whole scan for learning bucket Regions:
   * HeadBucket reports a bucket's Region to any authenticated caller (even
   * with 403), so whose credentials sign it does not matter, and a client per
   * account would only be garbage. Signed as the first account that asks.
   */
  async s3ForBucketRegions(
    accountId: string,
    region: string,
  ): Promise<S3Client> {
    const key = `s3/*/${region}`;
    const existing = this.#clients.get(key);
    if (existing) return existing as S3Client;
    const client = await this.#client('s3', accountId, region);
    if (!this.#clients.has(key)) this.#clients.set(key, client);
    return this.#clients.get(key) as S3Client;
  }

  /**
   * Forgets an account's clients once its scan is done, so a scan of
   * thousands of accounts does not keep thousands of clients alive. The
   * shared HTTP handler stays; credentials stay memoized.
   */
  release(accountId: string): void {
    for (const key of [...this.#clients.keys()]) {
      if (key.split('/')[1] === accountId) this.#clients.delete(key);
    }
  }

  /**
   * Forgets accounts' credentials too, so the next scan assumes their roles
   * again (one AssumeRole per account per scan) and sees a revoked role.
   */
  forget(accountIds: Iterable<string>): void {
    for (const accountId of accountIds) {
      this.release(accountId);
      this.#credentials.delete(accountId);
    }
    // The shared bucket-Region client is signed with some account's
    // credentials: it goes with them.
    this.release('*');
  }

  /** Releases sockets; the factory must not be used afterwards. */
  destroy(): void {
    // Clients share the handler: destroying it once closes every socket.
    this.#clients.clear();
    this.#handler.destroy();
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

  async #client<S extends ServiceName>(
    service: S,
    accountId: string,
    region: string,
  ): Promise<ClientOf<S>> {
    const key = `${service}/${accountId}/${region}`;
    const existing = this.#clients.get(key);
    if (existing) return existing as ClientOf<S>;

    const credentials = await this.#credentialsFor(accountId);
    const again = this.#clients.get(key);
    if (again) return again as ClientOf<S>;

    const config = {
      region,
      credentials,
      endpoint: this.#options.endpoint,
      maxAttempts: this.#options.maxAttempts,
      retryMode: 'adaptive' as const,
      requestHandler: this.#handler,
    };
    let client: AnyClient;
    if (service === 'cloudtrail') client = new CloudTrailClient(config);
    else if (service === 'kms') client = new KMSClient(config);
    else if (service === 'organizations')
      client = new OrganizationsClient(config);
    else
      client = new S3Client({
        ...config,
        forcePathStyle: Boolean(this.#options.endpoint),
        followRegionRedirects: false,
      });
    // Innermost step: wraps each HTTP attempt, inside the retry loop.
    const limited: DeserializeMiddleware<any, any> = next => args =>
      this.#inFlight(() => next(args));
    (client.middlewareStack as MiddlewareStack<any, any>).add(limited, {
      step: 'deserialize',
      name: 'trailGuardInFlightLimit',
      priority: 'low',
    });
    this.#clients.set(key, client);
    return client as ClientOf<S>;
  }

  #credentialsFor(accountId: string): Promise<AwsCredentialIdentityProvider> {
    let pending = this.#credentials.get(accountId);
    if (!pending) {
      const resolved =
        accountId === MAIN_IDENTITY && this.#resolveMain
          ? this.#resolveMain()
          : this.#resolveCredentials(accountId);
      pending = resolved.then(memoizeCredentials);
      // A failed resolution is not cached: the next scan tries again.
      pending.catch(() => this.#credentials.delete(accountId));
      this.#credentials.set(accountId, pending);
    }
    return pending;
  }
}

const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Every SDK client memoizes credentials on its own; sharing one memoized
 * provider across an account's clients keeps it to one AssumeRole per account
 * until the credentials near expiry.
 */
function memoizeCredentials(
  provider: AwsCredentialIdentityProvider,
): AwsCredentialIdentityProvider {
  let current: Awaited<ReturnType<AwsCredentialIdentityProvider>> | undefined;
  let pending: ReturnType<AwsCredentialIdentityProvider> | undefined;
  return async () => {
    if (
      current &&
      (!current.expiration ||
        current.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS)
    ) {
      return current;
    }
    if (!pending) {
      pending = provider()
        .then(identity => {
          current = identity;
          return identity;
        })
        .finally(() => {
          pending = undefined;
        });
    }
    return pending;
  };
}
