const SAME = (a: unknown, b: unknown) =>
  JSON.stringify(a) === JSON.stringify(b);

function label(statement: Record<string, unknown>, index: number): string {
  return typeof statement.Sid === 'string' ? statement.Sid : `#${index + 1}`;
}

/**
 * The statements added, changed or removed between two statement lists, one
 * statement per line (`+` added, `-` before / `+` after for a change): what
 * a dry run or a task log shows of a key-policy change, never the whole
 * policy. '' when nothing changed.
 */
export function statementDiff(
  before: Array<Record<string, unknown>>,
  after: Array<Record<string, unknown>>,
): string {
  const lines: string[] = [];
  const used = new Set<number>();
  after.forEach((statement, i) => {
    const same = before.findIndex((b, j) => !used.has(j) && SAME(b, statement));
    if (same >= 0) {
      used.add(same);
      return;
    }
    const sid = statement.Sid;
    const old =
      typeof sid === 'string'
        ? before.findIndex((b, j) => !used.has(j) && b.Sid === sid)
        : before.findIndex((_b, j) => !used.has(j) && j === i);
    if (old >= 0) {
      used.add(old);
      lines.push(`~ ${label(statement, i)}`);
      lines.push(`- ${JSON.stringify(before[old])}`);
    } else {
      lines.push(`+ ${label(statement, i)}`);
    }
    lines.push(`+ ${JSON.stringify(statement)}`);
  });
  before.forEach((statement, j) => {
    if (used.has(j)) return;
    lines.push(`- ${label(statement, j)}`, `- ${JSON.stringify(statement)}`);
  });
  return lines.join('\n');
}
