import { EventLoopTurns } from './eventLoopTurns';

/** Busy work in promise callbacks, as an analysis from the spill is. */
async function work(ms: number, step: () => Promise<void>) {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const spin = performance.now() + 1;
    while (performance.now() < spin) {
      // one millisecond of work
    }
    await step();
  }
}

describe('EventLoopTurns', () => {
  it('lets timers run during a long stretch of promise callbacks', async () => {
    const turns = new EventLoopTurns(10);
    let fired = 0;
    const timer = setInterval(() => (fired += 1), 1);
    try {
      await work(120, () => turns.maybeYield());
    } finally {
      clearInterval(timer);
    }
    expect(fired).toBeGreaterThanOrEqual(3);
  });

  it('is what lets them run: awaiting alone does not', async () => {
    let fired = 0;
    const timer = setInterval(() => (fired += 1), 1);
    try {
      await work(60, () => Promise.resolve());
    } finally {
      clearInterval(timer);
    }
    expect(fired).toBe(0);
  });

  it('does not yield before its budget is spent', async () => {
    const turns = new EventLoopTurns(10_000);
    let fired = 0;
    const timer = setInterval(() => (fired += 1), 1);
    try {
      await work(30, () => turns.maybeYield());
    } finally {
      clearInterval(timer);
    }
    expect(fired).toBe(0);
  });
});
