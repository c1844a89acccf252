import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  FinalizeRequestMiddleware,
  HandlerExecutionContext,
  InitializeMiddleware,
  MiddlewareStack,
  RequestSigner,
} from '@aws-sdk/types';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import pLimit from 'p-limit';
import { AccountRateLimiter, AccountScopedRetryStrategy } from './rateLimiter';

/** @public */
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
   * AWS calls in progress at once across all clients. A call takes its slot
   * as it is sent, before the SDK builds, signs or sends anything, and keeps
   * it through its retries (back-off included): a call waiting for a slot
   * costs its command alone, not a signed request held for as long as it
   * waits (which V8 then promotes to its old generation).
   */
  maxInFlight: number;
}

/** @public */
export const DEFAULT_AWS_CLIENT_OPTIONS: AwsClientOptions = {
  maxAttempts: 6,
  requestTimeoutMs: 10_000,
  connectionTimeoutMs: 3_000,
  maxSockets: 16,
  maxInFlight: 32,
};

/** @public */
export type ServiceName = 'cloudtrail' | 'kms' | 's3' | 'organizations' | 'iam';
/** @public */
export type ClientOf<S extends ServiceName> = S extends 'cloudtrail'
  ? CloudTrailClient
  : S extends 'kms'
  ? KMSClient
  : S extends 'organizations'
  ? OrganizationsClient
  : S extends 'iam'
  ? IAMClient
  : S3Client;
/**
 * Any of the AWS SDK clients the pool creates.
 *
 * @public
 */
export type AnyClient =
  | CloudTrailClient
  | KMSClient
  | S3Client
  | OrganizationsClient
  | IAMClient;

/**
 * Whose credentials sign the calls of a scoped client.
 *
 * @public
 */
export interface AwsScope {
  /** The account the calls count against (AWS quotas are per account). */
  accountId: string;
  credentials: AwsCredentialIdentityProvider;
}

/** The SDK's per-call context, as far as the pool's middleware reads it. */
type CallContext = HandlerExecutionContext & {
  __smithy_context?: { commandInstance?: object };
  /** The SDK's retry-token scope (RetryStrategyV2.acquireInitialRetryToken). */
  partition_id?: string;
  trailGuardScope?: AwsScope;
};

/**
 * The clients' own credentials, which sign nothing: the pool's signer signs
 * every attempt with the scope's credentials. The SDK still resolves an
 * identity per call, and must not look for one on the machine.
 */
const UNSCOPED: AwsCredentialIdentity = {
  accessKeyId: 'TRAILGUARD-UNSCOPED',
  secretAccessKey: 'unscoped',
};

/**
 * Derived SigV4 signing keys (per day, Region, service and secret: four
 * HMACs each), shared by every signer of a pool and kept while in use: the
 * least recently used goes first once there are more than the pool can have
 * in flight. The SigV4 package keeps only the last 50 across the whole
 * process, which a scan of hundreds of accounts in flight at once turns
 * over on every call; a cache per client and of a fixed size kept thousands
 * of finished accounts' keys (with their secrets) for the rest of the scan.
 */
class SigningKeys {
  readonly #keys = new Map<string, Promise<Uint8Array>>();

  constructor(private readonly limit: number) {}

  get(id: string, derive: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const keys = this.#keys;
    let key = keys.get(id);
    if (key) {
      // Most recently used last.
      keys.delete(id);
    } else {
      key = derive();
      key.catch(() => {
        if (keys.get(id) === key) keys.delete(id);
      });
      while (keys.size >= this.limit) keys.delete(keys.keys().next().value!);
    }
    keys.set(id, key);
    return key;
  }

  clear(): void {
    this.#keys.clear();
  }
}

/**
 * Has the signer take its derived keys from `keys`. S3's multi-Region
 * signer signs SigV4 through an inner signer. Where the signer does not
 * have the method, it derives as before.
 */
function keepSigningKeys(
  signer: unknown,
  keys: SigningKeys,
  signerService: string,
): void {
  const inner = (signer as { sigv4Signer?: unknown }).sigv4Signer ?? signer;
  const target = inner as {
    getSigningKey?: (
      credentials: AwsCredentialIdentity,
      region: string,
      shortDate: string,
      service?: string,
    ) => Promise<Uint8Array>;
  };
  const derive = target.getSigningKey?.bind(target);
  if (!derive) return;
  target.getSigningKey = (credentials, region, shortDate, service) =>
    // The derived key depends on nothing else (not on the session token).
    // The signer signs for its own service unless told another.
    keys.get(
      `${shortDate}\n${region}\n${service || signerService}\n${
        credentials.secretAccessKey
      }`,
      () => derive(credentials, region, shortDate, service),
    );
}

/** A call waiting for its slot in flight, emptied as it starts. */
interface HeldCall {
  start?: () => Promise<unknown>;
}

/**
 * Starts a held call and lets go of it. p-limit's queue keeps its last
 * entry (and what the entry holds) until another is queued: holding the
 * call itself, it would keep the last account's scope and credentials past
 * `forget`.
 */
function startHeld(held: HeldCall): Promise<unknown> {
  const start = held.start!;
  held.start = undefined;
  return start();
}

/**
 * One SDK client per (service, Region), shared by every account. The
 * account is not part of the client: {@link ClientPool.scoped} gives a view
 * of a pooled client whose `send` marks each command with the account's
 * scope. The pool's middleware carries the scope through the call: the
 * client's signer (the SDK's `signer` option) signs every attempt with a
 * SigV4 signer of that account (one per account and client, so its signing
 * keys are derived once a day rather than per call), and the retry strategy
 * keys its quota and rate limit by (account, Region, service). Many accounts
 * can be in flight on one client at once, and nothing follows the promise
 * chain (no AsyncLocalStorage, whose promise hooks would cost every promise
 * of the process).
 *
 * @public
 */
export class ClientPool {
  readonly #options: AwsClientOptions;
  readonly #clients = new Map<string, AnyClient>();
  /** The scope of each command sent through a scoped client, until it is sent. */
  readonly #commands = new WeakMap<object, AwsScope>();
  /** The scope of each request about to be signed, until it is. */
  readonly #requests = new WeakMap<object, AwsScope>();
  readonly #handler: NodeHttpHandler;
  readonly #inFlight: ReturnType<typeof pLimit>;
  readonly #signingKeys: SigningKeys;
  readonly limiter = new AccountRateLimiter();

  constructor(options: Partial<AwsClientOptions> = {}) {
    this.#options = { ...DEFAULT_AWS_CLIENT_OPTIONS, ...options };
    this.#inFlight = pLimit(Math.max(1, this.#options.maxInFlight));
    // A key per account, Region and service being called: a few per
    // request in flight covers the accounts between their calls.
    this.#signingKeys = new SigningKeys(
      Math.max(64, 4 * this.#options.maxInFlight),
    );
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

  /**
   * The pooled client seen as `scope`: the same client (paginators accept
   * it), whose `send` signs as the scope's account and waits for one of the
   * pool's `maxInFlight` slots (promise form only).
   */
  scoped<C extends AnyClient>(client: C, scope: AwsScope): C {
    const commands = this.#commands;
    const inFlight = this.#inFlight;
    const send = client.send as (...args: unknown[]) => Promise<unknown>;
    const view = Object.create(client) as C;
    // The slot is taken before the SDK resolves the command's middleware,
    // serializes and signs it: a call that waits holds nothing but itself.
    view.send = ((command: object, options?: object) =>
      inFlight(startHeld, {
        start: () => {
          commands.set(command, scope);
          return send.call(client, command, options);
        },
      })) as C['send'];
    return view;
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
    this.#signingKeys.clear();
    this.#handler.destroy();
  }

  #create(service: ServiceName, region: string, maxAttempts: number) {
    const requests = this.#requests;
    let client: AnyClient;
    // One SigV4 signer per client, for every account: each attempt is
    // signed with its scope's credentials, handed to the signer for that
    // one call (the signer reads its credentials synchronously as it starts
    // signing, before anything else can run). Nothing is kept per account
    // but the derived keys, in the pool's bounded cache.
    let signer: RequestSigner | undefined;
    let signing: AwsCredentialIdentity | undefined;
    const signerOf = (): RequestSigner => {
      if (!signer) {
        // As the SDK builds its own signer from the client's configuration
        // (S3: SignatureV4MultiRegion, paths not escaped).
        const resolved = client.config as unknown as Record<string, any>;
        const Signer = resolved.signerConstructor ?? SignatureV4;
        const signingService: string =
          resolved.signingName ?? resolved.defaultSigningName;
        signer = new Signer({
          sha256: resolved.sha256,
          applyChecksum: resolved.applyChecksum,
          credentials: () => {
            const credentials = signing;
            if (!credentials) {
              throw new Error(
                'The SigV4 signer asked for credentials outside a signing call',
              );
            }
            return Promise.resolve(credentials);
          },
          region: resolved.signingRegion ?? region,
          service: signingService,
          uriEscapePath: resolved.signingEscapePath,
        }) as RequestSigner;
        keepSigningKeys(signer, this.#signingKeys, signingService);
      }
      return signer;
    };
    const dispatch: RequestSigner = {
      sign: async (request, options) => {
        const scope = requests.get(request);
        if (!scope) {
          throw new Error('AWS request signed outside an account scope');
        }
        // Marked again before each attempt (see below).
        requests.delete(request);
        const credentials = await scope.credentials();
        const target = signerOf();
        signing = credentials;
        try {
          return target.sign(request, options);
        } finally {
          signing = undefined;
        }
      },
    };
    const config = {
      region,
      credentials: async () => UNSCOPED,
      signer: async () => dispatch,
      endpoint: this.#options.endpoint,
      maxAttempts,
      retryStrategy: new AccountScopedRetryStrategy(this.limiter, maxAttempts),
      requestHandler: this.#handler,
    };
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
    const stack = client.middlewareStack as MiddlewareStack<any, any>;
    // First step: whose call this is. The retry strategy keys its quota and
    // rate limit by the retry-token scope the SDK hands it.
    const commands = this.#commands;
    const bind: InitializeMiddleware<any, any> =
      (next, context: CallContext) => async args => {
        const command = context.__smithy_context?.commandInstance;
        const scope = command && commands.get(command);
        if (!scope) {
          throw new Error(
            'AWS call made outside an account scope: make it through AwsAccess.as()',
          );
        }
        // Read once per send; a command sent again is bound again. Left in
        // place, an entry lived until the next full collection once its
        // command had outlived a scavenge (most do, for a call's latency),
        // and the table grew with them: 524 kB of heap in a snapshot of a
        // 10,000-account scan, when every account was read.
        commands.delete(command);
        context.trailGuardScope = scope;
        context.partition_id = `${scope.accountId}/${region}/${service}`;
        return next(args);
      };
    stack.add(bind, {
      step: 'initialize',
      name: 'trailGuardAccountScope',
      priority: 'high',
    });
    // Every attempt, right before the SDK signs it: the request the signer
    // is handed carries the call's scope.
    const mark: FinalizeRequestMiddleware<any, any> =
      (next, context: CallContext) => args => {
        requests.set(args.request as object, context.trailGuardScope!);
        return next(args);
      };
    stack.addRelativeTo(mark, {
      name: 'trailGuardSigningScope',
      relation: 'before',
      toMiddleware: 'httpSigningMiddleware',
    });
    return client;
  }
}
