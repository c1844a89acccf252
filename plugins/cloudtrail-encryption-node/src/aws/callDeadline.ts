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
 * calls that are done.
 */
export class CallDeadlines {
  readonly #timeoutMs: number;
  readonly #sliceMs: number;
  readonly #now: () => number;
  #slice = Number.NaN;
  #signal?: AbortSignal;

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
      this.#signal = AbortSignal.timeout(end - now);
    }
    return this.#signal;
  }
}
