import type {
  RetryErrorInfo,
  RetryStrategyV2,
  StandardRetryToken,
} from '@aws-sdk/types';
import {
  INITIAL_RETRY_TOKENS,
  StandardRetryStrategy,
} from '@smithy/util-retry';

/** How long a key's throttling state outlives its last call. */
const IDLE_MS = 60_000;
/** The send rate is measured over windows of this length. */
const WINDOW_MS = 1_000;
const MIN_RATE = 0.5;
/** Multiplicative decrease on throttling, as the SDK's adaptive mode. */
const BETA = 0.7;

interface KeyState {
  /** Requests per second allowed; 0 until AWS first throttles this key. */
  rate: number;
  tokens: number;
  refilledAt: number;
  lastUsed: number;
  windowStart: number;
  windowCount: number;
  measuredRate: number;
  /** Created on the first failed attempt: each key has its own retry quota. */
  retries?: StandardRetryStrategy;
}

/**
 * Client-side rate limiting per (account, Region, service), the scope in
 * which AWS applies its API quotas. A key costs nothing until AWS throttles
 * it: then a token bucket starts at 70% of the rate the key was sending at
 * and grows additively with every success (as the SDK's adaptive retry mode
 * does per client). A key returns to unlimited after a minute without
 * throttling, and idle keys are dropped, so the state stays small however
 * many accounts a scan touches.
 *
 * @public
 */
export class AccountRateLimiter {
  readonly #keys = new Map<string, KeyState>();
  #sweptAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Takes a token for one more attempt of the key: undefined when it may
   * go now, otherwise a promise that resolves when it may.
   */
  take(key: string): Promise<void> | undefined {
    const state = this.#state(key);
    const now = this.now();
    this.#count(state, now);
    if (state.rate === 0) return undefined;
    state.tokens = Math.min(
      Math.max(1, state.rate),
      state.tokens + ((now - state.refilledAt) / 1000) * state.rate,
    );
    state.refilledAt = now;
    if (state.tokens >= 1) {
      state.tokens -= 1;
      return undefined;
    }
    const waitMs = Math.ceil(((1 - state.tokens) / state.rate) * 1000);
    return new Promise<void>(resolve => setTimeout(resolve, waitMs)).then(() =>
      this.take(key),
    );
  }

  throttled(key: string): void {
    const state = this.#state(key);
    const now = this.now();
    const sending = state.measuredRate || state.windowCount || 1;
    const base = state.rate ? Math.min(state.rate, sending) : sending;
    state.rate = Math.max(MIN_RATE, base * BETA);
    state.tokens = Math.min(state.tokens, 1);
    state.refilledAt = now;
    state.lastUsed = now;
  }

  succeeded(key: string): void {
    const state = this.#keys.get(key);
    if (!state || state.rate === 0) return;
    state.rate += 0.1;
  }

  /** The retry quota of a key, created on its first failure. */
  retriesFor(key: string, maxAttempts: number): StandardRetryStrategy {
    const state = this.#state(key);
    state.retries ??= new StandardRetryStrategy(maxAttempts);
    return state.retries;
  }

  existingRetries(key: string): StandardRetryStrategy | undefined {
    return this.#keys.get(key)?.retries;
  }

  /** Allowed requests per second for a key (0: not limited). */
  rateOf(key: string): number {
    return this.#keys.get(key)?.rate ?? 0;
  }

  get size(): number {
    return this.#keys.size;
  }

  #state(key: string): KeyState {
    this.#sweep();
    let state = this.#keys.get(key);
    if (!state) {
      const now = this.now();
      state = {
        rate: 0,
        tokens: 1,
        refilledAt: now,
        lastUsed: now,
        windowStart: now,
        windowCount: 0,
        measuredRate: 0,
      };
      this.#keys.set(key, state);
    }
    return state;
  }

  #count(state: KeyState, now: number) {
    state.lastUsed = now;
    if (now - state.windowStart >= WINDOW_MS) {
      state.measuredRate =
        (state.windowCount * 1000) /
        Math.max(WINDOW_MS, now - state.windowStart);
      state.windowStart = now;
      state.windowCount = 0;
    }
    state.windowCount += 1;
  }

  /**
   * A key that was never throttled and has a full retry quota behaves exactly
   * like a missing one, so it goes as soon as its rate window is over; any
   * other key goes once idle.
   */
  #sweep() {
    const now = this.now();
    if (now - this.#sweptAt < WINDOW_MS) return;
    this.#sweptAt = now;
    for (const [key, s] of this.#keys) {
      const idle = now - s.lastUsed;
      const pristine =
        s.rate === 0 &&
        (!s.retries || s.retries.getCapacity() >= INITIAL_RETRY_TOKENS);
      if ((pristine && idle > 2 * WINDOW_MS) || idle > IDLE_MS) {
        this.#keys.delete(key);
      }
    }
  }
}

interface ScopedToken extends StandardRetryToken {
  /** The rate-limiter key the call belongs to. */
  readonly scopeKey?: string;
}

/**
 * The SDK retry strategy of a pooled client. Backoff, retry decisions and
 * the retry quota are the SDK's StandardRetryStrategy; the quota and the
 * adaptive rate limit are kept per (account, Region, service), so one
 * throttled account never slows or starves the others sharing the client.
 *
 * @public
 */
export class AccountScopedRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'adaptive';
  readonly #pristine: StandardRetryStrategy;

  constructor(
    private readonly limiter: AccountRateLimiter,
    private readonly maxAttempts: number,
  ) {
    this.#pristine = new StandardRetryStrategy(maxAttempts);
  }

  /**
   * `scope` is the SDK's retry-token scope, which the pool's middleware sets
   * to (account, Region, service) for every call.
   */
  async acquireInitialRetryToken(scope: string): Promise<StandardRetryToken> {
    const key = scope || '-';
    const token = await this.#pristine.acquireInitialRetryToken(scope);
    const wait = this.limiter.take(key);
    if (wait) await wait;
    return tag(token, key);
  }

  async refreshRetryTokenForRetry(
    token: StandardRetryToken,
    errorInfo: RetryErrorInfo,
  ): Promise<StandardRetryToken> {
    const key = (token as ScopedToken).scopeKey ?? '-';
    if (errorInfo.errorType === 'THROTTLING') this.limiter.throttled(key);
    const next = await this.limiter
      .retriesFor(key, this.maxAttempts)
      .refreshRetryTokenForRetry(token, errorInfo);
    const wait = this.limiter.take(key);
    if (wait) await wait;
    return tag(next, key);
  }

  recordSuccess(token: StandardRetryToken): void {
    const key = (token as ScopedToken).scopeKey;
    if (!key) return;
    this.limiter.succeeded(key);
    this.limiter.existingRetries(key)?.recordSuccess(token);
  }

  /** The SDK's user-agent code reads this. */
  async maxAttemptsProvider(): Promise<number> {
    return this.maxAttempts;
  }
}

function tag(token: StandardRetryToken, key: string): StandardRetryToken {
  (token as { scopeKey?: string }).scopeKey = key;
  return token;
}
