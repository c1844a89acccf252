import { EventLoopTurns } from './eventLoopTurns';

/**
 * Busy work in promise callbacks, as an analysis from the spill is, for
 * `ms`; how many times a 1 ms timer fired meanwhile.
 */
async function timerTicksDuring(
  ms: number,
  step: () => Promise<void>,
): Promise<number> {
  let fired = 0;
  const timer = setInterval(() => (fired += 1), 1);
  try {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      const spin = performance.now() + 1;
      while (performance.now() < spin) {
        // one millisecond of work
      }
      await step();
    }
  } finally {
    clearInterval(timer);
  }
  return fired;
}

describe('EventLoopTurns', () => {
  it('lets timers run during a long stretch of promise callbacks', async () => {
    const turns = new EventLoopTurns(10);
    expect(
      await timerTicksDuring(120, () => turns.maybeYield()),
    ).toBeGreaterThanOrEqual(3);
  });

  it('is what lets them run: awaiting alone does not', async () => {
    expect(await timerTicksDuring(60, () => Promise.resolve())).toBe(0);
  });

  it('does not yield before its budget is spent', async () => {
    const turns = new EventLoopTurns(10_000);
    expect(await timerTicksDuring(30, () => turns.maybeYield())).toBe(0);
  });
});
