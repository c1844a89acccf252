import {
  compareSeverity,
  type AccountReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/** A plain-text table: one line per account, then its findings. */
export function formatTable(reports: AccountReport[]): string {
  const rows = [['ACCOUNT', 'STATUS', 'SCAN', 'TRAILS', 'WORST FINDING']];
  for (const r of reports) {
    const worst = [...r.findings].sort((a, b) =>
      compareSeverity(a.severity, b.severity),
    )[0];
    rows.push([
      r.accountName ? `${r.accountId} ${r.accountName}` : r.accountId,
      r.status,
      r.scanStatus === 'error' ? `error: ${r.error}` : r.scanStatus,
      String(r.trails.length),
      worst ? `${worst.severity} ${worst.code}` : '-',
    ]);
  }
  const widths = rows[0].map((_, i) =>
    Math.min(60, Math.max(...rows.map(row => row[i].length))),
  );
  return `${rows
    .map(row =>
      row
        .map((cell, i) => cell.slice(0, 60).padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
