type AbortListener = EventListenerOrEventListenerObject;

/**
 * The abort signal of one slice of calls: an `AbortSignal` (the SDK's HTTP
 * handler listens for `abort` and stops listening when its request closes)
 * that holds its listeners in slots of one array, each cleared as its call
 * stops listening and taken again by a later call.
 *
 * The signal lives as long as its deadline, so it and what holds its
 * listeners are in V8's old generation, and each call's listener (and, through
 * it, the call's request and response) is young. Node's own `EventTarget`
 * links its listeners in a list: one that has stopped listening still points
 * to the next, and a `Set` leaves its entries in the tables it outgrows. Once
 * such an object has reached the old generation, what it points to is kept
 * by every scavenge until the next full collection, whether anything still
 * uses it or not: the calls of a slice kept one another, and a scan promoted
 * a third more than it does with slots cleared in place (see
 * docs/scaling.md).
 */
class DeadlineSignal implements AbortSignal {
  aborted = false;
  reason: unknown = undefined;
  onabort: ((this: AbortSignal, event: Event) => unknown) | null = null;
  #slots: (AbortListener | undefined)[] = [];
  /** Indexes of cleared slots, taken before the array grows. */
  readonly #free: number[] = [];

  constructor(ms: number) {
    // Like AbortSignal.timeout(): the deadline keeps no process alive.
    setTimeout(() => this.#abort(), ms).unref();
  }

  addEventListener(
    type: string,
    listener: AbortListener | null,
    _options?: AddEventListenerOptions | boolean,
  ): void {
    if (type !== 'abort' || !listener || this.aborted) return;
    // The slots are the slice's calls in flight: searched, as EventTarget
    // searches its list.
    if (this.#slots.includes(listener)) return;
    this.#slots[this.#free.pop() ?? this.#slots.length] = listener;
  }

  removeEventListener(type: string, listener: AbortListener | null): void {
    if (type !== 'abort' || !listener) return;
    const slot = this.#slots.indexOf(listener);
    if (slot === -1) return;
    this.#slots[slot] = undefined;
    this.#free.push(slot);
  }

  dispatchEvent(event: Event): boolean {
    if (event.type === 'abort') this.#call(this.#listening(), event);
    return true;
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  #abort() {
    this.aborted = true;
    // What AbortSignal.timeout() aborts with.
    this.reason = new DOMException(
      'The operation was aborted due to timeout',
      'TimeoutError',
    );
    // Each listener is called once: an aborted signal holds none.
    const listeners = this.#listening();
    this.#slots = [];
    this.#free.length = 0;
    this.#call(listeners, new Event('abort'));
  }

  #listening(): AbortListener[] {
    return this.#slots.filter((l): l is AbortListener => l !== undefined);
  }

  #call(listeners: AbortListener[], event: Event) {
    for (const listener of listeners) {
      if (typeof listener === 'function') listener.call(this, event);
      else listener.handleEvent(event);
    }
    this.onabort?.call(this, event);
  }
}

/**
 * Deadlines for AWS calls, shared by the calls that start close together.
 *
 * `AbortSignal.timeout()` per call makes a signal and a timer for every
 * call, and Node keeps each timer until its signal is collected. A scan
 * makes about a thousand calls a second, and each signal outlives its call
 * (a request takes long enough for its objects to reach V8's old
 * generation), so thousands of signals and timers wait for a full
 * collection, each a little more of the old generation V8 grows by.
 *
 * Here the calls started within the same slice of time (a twentieth of the
 * timeout, at most a second) share one signal that fires at the end of the
 * slice plus the timeout: no call gets less than `timeoutMs`, and none more
 * than one slice more. The node HTTP handler removes its listener from the
 * signal when its request closes, so a shared signal holds nothing of the
 * calls that are done (see {@link DeadlineSignal} for how it lets them go).
 */
export class CallDeadlines {
  readonly #timeoutMs: number;
  readonly #sliceMs: number;
  readonly #now: () => number;
  #slice = Number.NaN;
  #signal?: DeadlineSignal;

  constructor(timeoutMs: number, now: () => number = Date.now) {
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new Error(
        `An AWS call timeout must be a positive number of milliseconds, not ${timeoutMs}`,
      );
    }
    this.#timeoutMs = timeoutMs;
    this.#sliceMs = Math.max(1, Math.min(1000, Math.floor(timeoutMs / 20)));
    this.#now = now;
  }

  static readonly #shared = new Map<number, CallDeadlines>();

  /**
   * The process's deadlines for this timeout: every reader of every scan
   * with the same call timeout takes its signals from one, so the calls
   * started in a slice share one signal whichever reader makes them.
   */
  static for(timeoutMs: number): CallDeadlines {
    let deadlines = CallDeadlines.#shared.get(timeoutMs);
    if (!deadlines) {
      deadlines = new CallDeadlines(timeoutMs);
      CallDeadlines.#shared.set(timeoutMs, deadlines);
    }
    return deadlines;
  }

  /** The signal of a call starting now: aborted no sooner than `timeoutMs` from now. */
  signal(): AbortSignal {
    const now = this.#now();
    const slice = Math.floor(now / this.#sliceMs);
    if (slice !== this.#slice || !this.#signal) {
      this.#slice = slice;
      const end = (slice + 1) * this.#sliceMs + this.#timeoutMs;
      this.#signal = new DeadlineSignal(end - now);
    }
    return this.#signal;
  }
}
