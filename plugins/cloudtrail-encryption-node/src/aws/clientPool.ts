import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import type {
  AwsCredentialIdentityProvider,
  DeserializeMiddleware,
  MiddlewareStack,
} from '@aws-sdk/types';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import pLimit from 'p-limit';
import { AccountRateLimiter, AccountScopedRetryStrategy } from './rateLimiter';

export interface AwsClientOptions {
  /** Endpoint override (the local AWS sandbox); real AWS when unset. */
  endpoint?: string;
  /** Attempts per call, including the first. */
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

export type ServiceName = 'cloudtrail' | 'kms' | 's3' | 'organizations' | 'iam';
export type ClientOf<S extends ServiceName> = S extends 'cloudtrail'
  ? CloudTrailClient
  : S extends 'kms'
  ? KMSClient
  : S extends 'organizations'
  ? OrganizationsClient
  : S extends 'iam'
  ? IAMClient
  : S3Client;
type AnyClient =
  | CloudTrailClient
  | KMSClient
  | S3Client
  | OrganizationsClient
  | IAMClient;

/** Whose credentials sign the calls made inside {@link ClientPool.run}. */
export interface AwsScope {
  /** The account the calls count against (AWS quotas are per account). */
  accountId: string;
  credentials: AwsCredentialIdentityProvider;
}

/**
 * One SDK client per (service, Region), shared by every account. The
 * account is not part of the client: each call runs inside
 * {@link ClientPool.run}, and the clients' credentials provider reads the
 * account's credentials from that scope (an AsyncLocalStorage, which follows
 * each call through its own promise chain, so many accounts can be in flight
 * on one client at once). The SDK signs every attempt by asking the provider
 * again, so a retry is signed as the same account. Quotas stay per account:
 * the retry strategy keeps rate limits and retry quotas per (account,
 * Region, service).
 */
export class ClientPool {
  readonly #options: AwsClientOptions;
  readonly #clients = new Map<string, AnyClient>();
  readonly #scope = new AsyncLocalStorage<AwsScope>();
  readonly #handler: NodeHttpHandler;
  readonly #inFlight: ReturnType<typeof pLimit>;
  readonly limiter = new AccountRateLimiter();
  readonly #credentials: AwsCredentialIdentityProvider & {
    memoized?: boolean;
  };

  constructor(options: Partial<AwsClientOptions> = {}) {
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
    const scope = this.#scope;
    this.#credentials = async () => {
      const current = scope.getStore();
      if (!current) {
        throw new Error(
          'AWS call made outside an account scope: wrap it in AwsAccess.as()',
        );
      }
      return current.credentials();
    };
    // Memoization is per account, in the scope's provider; the SDK must not
    // add its own per-client memo, which would pin the first account.
    this.#credentials.memoized = true;
  }

  get options(): Readonly<AwsClientOptions> {
    return this.#options;
  }

  /** Runs `fn` with every AWS call inside it signed as `scope`. */
  run<T>(scope: AwsScope, fn: () => Promise<T>): Promise<T> {
    return this.#scope.run(scope, fn);
  }

  /** The scope of the running call, if any. */
  current(): AwsScope | undefined {
    return this.#scope.getStore();
  }

  get<S extends ServiceName>(
    service: S,
    region: string,
    options: { maxAttempts?: number } = {},
  ): ClientOf<S> {
    const maxAttempts = options.maxAttempts ?? this.#options.maxAttempts;
    const key = `${service}/${region}/${maxAttempts}`;
    let client = this.#clients.get(key);
    if (!client) {
      client = this.#create(service, region, maxAttempts);
      this.#clients.set(key, client);
    }
    return client as ClientOf<S>;
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Releases sockets; the pool must not be used afterwards. */
  destroy(): void {
    // Clients share the handler: destroying it once closes every socket.
    this.#clients.clear();
    this.#handler.destroy();
  }

  #create(service: ServiceName, region: string, maxAttempts: number) {
    const scope = this.#scope;
    const keyOf = () =>
      `${scope.getStore()?.accountId ?? '-'}/${region}/${service}`;
    const config = {
      region,
      credentials: this.#credentials,
      endpoint: this.#options.endpoint,
      maxAttempts,
      retryStrategy: new AccountScopedRetryStrategy(
        this.limiter,
        keyOf,
        maxAttempts,
      ),
      requestHandler: this.#handler,
    };
    let client: AnyClient;
    if (service === 'cloudtrail') client = new CloudTrailClient(config);
    else if (service === 'kms') client = new KMSClient(config);
    else if (service === 'organizations')
      client = new OrganizationsClient(config);
    else if (service === 'iam') client = new IAMClient(config);
    else
      client = new S3Client({
        ...config,
        forcePathStyle: Boolean(this.#options.endpoint),
        // The bucket's Region is read from the redirect itself.
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
    return client;
  }
}
