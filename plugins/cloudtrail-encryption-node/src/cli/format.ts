import {
  compareSeverity,
  type AccountReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';

function scanCell(r: AccountReport): string {
  if (r.scanStatus === 'error') return `error: ${r.error}`;
  if (r.scanStatus === 'pending') {
    return `not scanned (${r.membership?.state ?? 'pending'})`;
  }
  return r.scanStatus;
}

function columns(rows: string[][], max = 60): string {
  const widths = rows[0].map((_, i) =>
    Math.min(max, Math.max(...rows.map(row => row[i].length))),
  );
  return `${rows
    .map(row =>
      row
        .map((cell, i) =>
          (i === row.length - 1 ? cell : cell.slice(0, max)).padEnd(widths[i]),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** A plain-text table: one line per account, then every finding, worst first. */
export function formatTable(reports: AccountReport[]): string {
  const accounts = [['ACCOUNT', 'STATUS', 'SCAN', 'TRAILS', 'WORST FINDING']];
  const findings = [['ACCOUNT', 'SEVERITY', 'CODE', 'MESSAGE']];
  for (const r of reports) {
    const sorted = [...r.findings].sort((a, b) =>
      compareSeverity(a.severity, b.severity),
    );
    accounts.push([
      r.accountName ? `${r.accountId} ${r.accountName}` : r.accountId,
      r.status,
      scanCell(r),
      String(r.trails.length),
      sorted[0] ? `${sorted[0].severity} ${sorted[0].code}` : '-',
    ]);
    for (const f of sorted) {
      findings.push([r.accountId, f.severity, f.code, f.message]);
    }
  }
  const text = columns(accounts);
  return findings.length > 1 ? `${text}\n${columns(findings)}` : text;
}
