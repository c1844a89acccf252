/**
 * A unified-style line diff, for showing a key-policy change in a dry run.
 * Policies are at most 32 KB (about 1,500 indented lines) and the common
 * prefix and suffix are trimmed first, so a plain LCS table is small enough.
 */

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

function lcsOps(a: string[], b: string[]): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) {
    start++;
  }
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  // table[i][j]: LCS length of midA[i..] and midB[j..]
  const table: Uint32Array[] = Array.from(
    { length: n + 1 },
    () => new Uint32Array(m + 1),
  );
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i][j] =
        midA[i] === midB[j]
          ? table[i + 1][j + 1] + 1
          : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const ops: Op[] = [];
  for (let k = 0; k < start; k++) {
    ops.push({ kind: ' ', line: a[k], a: k, b: k });
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      ops.push({ kind: ' ', line: midA[i], a: start + i, b: start + j });
      i++;
      j++;
    } else if (j < m && (i >= n || table[i][j + 1] >= table[i + 1][j])) {
      ops.push({ kind: '+', line: midB[j], a: start + i, b: start + j });
      j++;
    } else {
      ops.push({ kind: '-', line: midA[i], a: start + i, b: start + j });
      i++;
    }
  }
  for (let k = 0; k < a.length - endA; k++) {
    ops.push({ kind: ' ', line: a[endA + k], a: endA + k, b: endB + k });
  }
  return ops;
}

/** `--- a` / `+++ b` / `@@ -l,s +l,s @@` hunks with `context` lines around changes; '' when equal. */
export function unifiedDiff(
  before: string,
  after: string,
  labels: { before: string; after: string },
  context = 3,
): string {
  if (before === after) return '';
  const ops = lcsOps(before.split('\n'), after.split('\n'));
  const changed = ops
    .map((op, index) => (op.kind === ' ' ? -1 : index))
    .filter(index => index >= 0);
  const hunks: Array<[number, number]> = [];
  for (const index of changed) {
    const from = Math.max(0, index - context);
    const to = Math.min(ops.length - 1, index + context);
    const last = hunks[hunks.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else hunks.push([from, to]);
  }
  const out = [`--- ${labels.before}`, `+++ ${labels.after}`];
  for (const [from, to] of hunks) {
    const slice = ops.slice(from, to + 1);
    const aLines = slice.filter(op => op.kind !== '+').length;
    const bLines = slice.filter(op => op.kind !== '-').length;
    const aStart = aLines
      ? slice.find(op => op.kind !== '+')!.a + 1
      : slice[0].a;
    const bStart = bLines
      ? slice.find(op => op.kind !== '-')!.b + 1
      : slice[0].b;
    out.push(`@@ -${aStart},${aLines} +${bStart},${bLines} @@`);
    for (const op of slice) out.push(`${op.kind}${op.line}`);
  }
  return out.join('\n');
}
