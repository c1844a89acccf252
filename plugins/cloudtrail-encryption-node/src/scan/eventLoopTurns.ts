import { setImmediate } from 'node:timers/promises';

/**
 * Gives the event loop a turn (I/O, timers, the backend's HTTP requests) at
 * least every `everyMs` of work that would otherwise run as one stretch of
 * promise callbacks: a readers analysis that takes what was read ahead from
 * the spill has nothing to wait for, and would hold the process for
 * seconds.
 */
export class EventLoopTurns {
  #since = performance.now();

  constructor(private readonly everyMs = 20) {}

  /** Yields when the work since the last turn has taken `everyMs`. */
  async maybeYield(): Promise<void> {
    if (performance.now() - this.#since < this.everyMs) return;
    await setImmediate();
    this.#since = performance.now();
  }
}
