/**
 * Benchmark processes end together. A benchmark forks a child per run, and
 * the child may start a sandbox of its own; stopping only the benchmark (a
 * `kill` of its process, a closed terminal) used to leave both running: a
 * sandbox of 10,000 accounts, or a backend holding a PostgreSQL database,
 * busy on a shared machine until someone found them.
 */
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

const owned = new Set<ChildProcess>();
const cleanups = new Set<() => Promise<void> | void>();
let watching = false;
let stopping = false;

function endOwned() {
  for (const child of owned) child.kill();
  owned.clear();
}

/**
 * Ends what this process owns, runs its clean-ups, exits: how a benchmark
 * process that failed exits. Once called, later calls (an error that the
 * clean-ups caused, say) wait for the first.
 */
export function stop(code: number) {
  if (stopping) return;
  stopping = true;
  endOwned();
  Promise.allSettled([...cleanups].map(cleanup => cleanup())).finally(() =>
    process.exit(code),
  );
}

function watch() {
  if (watching) return;
  watching = true;
  process.once('exit', endOwned);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => stop(128 + constants.signals[signal]));
  }
}

/** Whether {@link stop} was called (by a signal too). */
export function isStopping(): boolean {
  return stopping;
}

/**
 * Runs `cleanup` when this process is stopped (a signal, a failure through
 * {@link stop}, its parent gone). Returns the function that forgets it.
 */
export function onStop(cleanup: () => Promise<void> | void): () => void {
  watch();
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

/** Ends the child with this process, however this process ends. */
export function own<C extends ChildProcess>(child: C): C {
  watch();
  owned.add(child);
  child.once('exit', () => owned.delete(child));
  return child;
}

/**
 * In a forked child: once the parent is gone (its IPC channel closed before
 * the returned function was called), or on a signal, runs `cleanup`, ends
 * what the child owns and exits. Call the returned function once the child
 * has finished (before it closes the channel itself, or cleans up).
 */
export function endWithParent(
  cleanup: () => Promise<void> | void = () => {},
): () => void {
  let finished = false;
  const forget = onStop(cleanup);
  process.once('disconnect', () => {
    if (!finished) stop(1);
  });
  return () => {
    finished = true;
    forget();
  };
}
