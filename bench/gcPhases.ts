/**
 * Sums what V8 promoted, per process and per phase of `yarn bench:scan`,
 * from a log of `BENCH_PHASES=1 BENCH_NODE_OPTIONS=--trace-gc-nvp yarn
 * bench:scan …`: exact bytes (every collection's `promoted=`), not a
 * sample. The phases are the engine child's `bench-phase:` marks: `start`
 * until the measured scan starts, `scan` until every account is read,
 * `read` after. A process that prints no mark (the bare loop's child) is
 * summed under the phase the log was in.
 *
 * Usage: yarn bench:gc-phases <log>
 */
import { readFileSync } from 'node:fs';

interface Sum {
  promotedBytes: number;
  collections: number;
  full: number;
}

function main(file: string) {
  let phase = 'start';
  const sums = new Map<string, Sum>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const mark = /^bench-phase: (\w+)/.exec(line);
    if (mark) {
      phase = mark[1];
      continue;
    }
    const pid = /^\[(\d+):/.exec(line)?.[1];
    const promoted = / promoted=(\d+)/.exec(line)?.[1];
    if (!pid || promoted === undefined) continue;
    const key = `${pid} ${phase}`;
    const sum = sums.get(key) ?? { promotedBytes: 0, collections: 0, full: 0 };
    sum.promotedBytes += Number(promoted);
    sum.collections += 1;
    if (/ gc=m[cs] /.test(line)) sum.full += 1;
    sums.set(key, sum);
  }
  if (!sums.size) {
    throw new Error(`No --trace-gc-nvp lines in ${file}`);
  }
  console.log('pid     phase  promoted MB  collections  full');
  for (const [key, sum] of sums) {
    const [pid, name] = key.split(' ');
    console.log(
      `${pid.padEnd(8)}${name.padEnd(7)}${(sum.promotedBytes / 1e6)
        .toFixed(1)
        .padStart(11)}  ${String(sum.collections).padStart(11)}  ${String(
        sum.full,
      ).padStart(4)}`,
    );
  }
}

const [file] = process.argv.slice(2);
if (!file) {
  console.error('Usage: yarn bench:gc-phases <log>');
  process.exit(2);
}
main(file);
