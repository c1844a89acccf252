import {
  compareSeverity,
  SEVERITIES,
  type AccountReport,
  type AccountStatus,
  type AccountSummary,
  type FindingCode,
  type Severity,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import type { FleetEntry } from './FleetSnapshot';

/** The columns of a report row that make up its summary (all but the document). */
export const SUMMARY_COLUMNS = [
  'account_id',
  'account_name',
  'status',
  'scan_status',
  'scanned_at',
  'last_success_at',
  'error',
  'trail_count',
  'worst_code',
  'worst_severity',
  'worst_rank',
  'finding_codes',
  'membership',
] as const;

export interface ReportRow {
  account_id: string;
  account_name: string | null;
  status: string;
  scan_status: string;
  scanned_at: string;
  last_success_at: string | null;
  error: string | null;
  trail_count: number;
  worst_code: string | null;
  worst_severity: string | null;
  worst_rank: number;
  finding_codes: string;
  membership: string | null;
  archived_at: string | null;
  report: string;
}

/**
 * What identifies the stored version of a report from its summary columns:
 * every write changes the scan time or the membership, name, status or
 * error, so a report served once can be served again while this is equal.
 */
export function rowVersion(row: Partial<ReportRow>): string {
  // Checked for every row of the fleet each time the list is reloaded.
  return `${row.scanned_at ?? ''}\u0000${row.scan_status ?? ''}\u0000${
    row.status ?? ''
  }\u0000${row.account_name ?? ''}\u0000${row.membership ?? ''}\u0000${
    row.error ?? ''
  }`;
}

/** The columns `rowVersion` reads, with the account id. */
export const VERSION_COLUMNS = [
  'account_id',
  'scanned_at',
  'scan_status',
  'status',
  'account_name',
  'membership',
  'error',
] as const;

function worstFinding(report: AccountReport) {
  const findings = [...report.findings];
  findings.sort((a, b) => compareSeverity(a.severity, b.severity));
  return findings[0];
}

export function toRow(report: AccountReport): Omit<ReportRow, 'archived_at'> {
  const worst = worstFinding(report);
  const codes = [...new Set(report.findings.map(f => f.code))].sort();
  return {
    account_id: report.accountId,
    account_name: report.accountName ?? null,
    status: report.status,
    scan_status: report.scanStatus,
    scanned_at: report.scannedAt,
    last_success_at: report.lastSuccessAt ?? null,
    error: report.error ?? null,
    trail_count: report.trails.length,
    worst_code: worst?.code ?? null,
    worst_severity: worst?.severity ?? null,
    worst_rank: worst ? SEVERITIES.indexOf(worst.severity) : 9,
    finding_codes: codes.length ? `,${codes.join(',')},` : '',
    membership: report.membership ? JSON.stringify(report.membership) : null,
    report: JSON.stringify(report),
  };
}

export function toFleetEntry(row: Partial<ReportRow>): FleetEntry {
  const summary = toSummary(row);
  return {
    summary,
    worstRank: Number(row.worst_rank ?? 9),
    haystack: `${summary.accountId} ${
      summary.accountName ?? ''
    }`.toLocaleLowerCase('en-US'),
  };
}

function toSummary(row: Partial<ReportRow>): AccountSummary {
  const codes = (row.finding_codes ?? '').split(',').filter(Boolean);
  return {
    accountId: row.account_id!,
    accountName: row.account_name ?? undefined,
    scannedAt: row.scanned_at!,
    lastSuccessAt: row.last_success_at ?? undefined,
    scanStatus: row.scan_status as AccountSummary['scanStatus'],
    error: row.error ?? undefined,
    membership: row.membership ? JSON.parse(row.membership) : undefined,
    status: row.status as AccountStatus,
    trailCount: Number(row.trail_count ?? 0),
    worstFinding:
      row.worst_code && row.worst_severity
        ? {
            code: row.worst_code as FindingCode,
            severity: row.worst_severity as Severity,
          }
        : undefined,
    findingCodes: codes as FindingCode[],
  };
}
