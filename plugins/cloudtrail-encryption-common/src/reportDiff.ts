import { FINDING_TITLES } from './findingTitles';
import type { FindingCode } from './findings';
import type { AccountReport, AccountStatus, Finding } from './report';
import type { Severity } from './severity';

/**
 * A finding that appeared or went away between two reports.
 *
 * @public
 */
export interface FindingChange {
  code: FindingCode;
  title: string;
  severity: Severity;
  /** The trail concerned, when the finding is about one. */
  trailArn?: string;
  trailName?: string;
}

/**
 * What changed from one report of an account to the next.
 *
 * @public
 */
export interface ReportDiff {
  accountId: string;
  /** `undefined` when there was no previous report. */
  statusBefore?: AccountStatus;
  statusAfter: AccountStatus;
  /** The new scan failed: the stored trails and findings are the last good ones. */
  scanFailed: boolean;
  error?: string;
  /** Findings of the previous report that the new one no longer has. */
  resolved: FindingChange[];
  /** Findings the previous report did not have. */
  added: FindingChange[];
  /** Names of trails that appeared. */
  trailsAdded: string[];
  /** Names of trails that are gone. */
  trailsRemoved: string[];
  /** Findings the new report has. */
  remaining: number;
  /** Nothing above changed (a failed scan changes nothing either). */
  unchanged: boolean;
}

// One trail can carry the same code more than once (say, two cross-account
// readers), so findings are compared as multisets keyed by code and trail.
function keyOf(finding: Finding): string {
  return `${finding.code}\u0000${finding.trailArn ?? ''}`;
}

function trailNames(report: AccountReport | undefined): Map<string, string> {
  return new Map((report?.trails ?? []).map(t => [t.trailArn, t.name]));
}

function changeOf(finding: Finding, names: Map<string, string>): FindingChange {
  const change: FindingChange = {
    code: finding.code,
    title: FINDING_TITLES[finding.code]?.title ?? finding.code,
    severity: finding.severity,
  };
  if (finding.trailArn) {
    change.trailArn = finding.trailArn;
    const name = names.get(finding.trailArn);
    if (name) change.trailName = name;
  }
  return change;
}

/** Findings of `from` that `to` does not have, counting repeats. */
function missingFrom(
  from: Finding[],
  to: Finding[],
  names: Map<string, string>,
): FindingChange[] {
  const left = new Map<string, number>();
  for (const f of to) left.set(keyOf(f), (left.get(keyOf(f)) ?? 0) + 1);
  const missing: FindingChange[] = [];
  for (const f of from) {
    const n = left.get(keyOf(f)) ?? 0;
    if (n > 0) left.set(keyOf(f), n - 1);
    else missing.push(changeOf(f, names));
  }
  return missing;
}

/**
 * Compares the report of an account before a rescan with the one after it:
 * status before → after, findings resolved and new, trails added and removed.
 *
 * @public
 */
export function diffReports(
  before: AccountReport | undefined,
  after: AccountReport,
): ReportDiff {
  const namesBefore = trailNames(before);
  const namesAfter = trailNames(after);
  const allNames = new Map([...namesBefore, ...namesAfter]);
  const findingsBefore = before?.findings ?? [];
  const resolved = missingFrom(findingsBefore, after.findings, allNames);
  const added = missingFrom(after.findings, findingsBefore, allNames);
  const trailsAdded = [...namesAfter]
    .filter(([arn]) => !namesBefore.has(arn))
    .map(([, name]) => name);
  const trailsRemoved = [...namesBefore]
    .filter(([arn]) => !namesAfter.has(arn))
    .map(([, name]) => name);
  const diff: ReportDiff = {
    accountId: after.accountId,
    statusBefore: before?.status,
    statusAfter: after.status,
    scanFailed: after.scanStatus === 'error',
    resolved,
    added,
    trailsAdded,
    trailsRemoved,
    remaining: after.findings.length,
    unchanged:
      before?.status === after.status &&
      resolved.length === 0 &&
      added.length === 0 &&
      trailsAdded.length === 0 &&
      trailsRemoved.length === 0,
  };
  if (after.error && diff.scanFailed) diff.error = after.error;
  return diff;
}

function findingLine(change: FindingChange): string {
  const trail = change.trailName ?? change.trailArn;
  return `${change.title} (${change.code})${trail ? ` on ${trail}` : ''}`;
}

/**
 * The diff as plain sentences, for logs, the CLI and task output.
 *
 * @public
 */
export function describeReportDiff(diff: ReportDiff): string[] {
  const lines: string[] = [];
  if (diff.scanFailed) {
    lines.push(
      `The scan failed${
        diff.error ? `: ${diff.error}` : ''
      }; the last good report is kept`,
    );
  }
  if (diff.unchanged) {
    lines.push(
      `No change: ${diff.remaining} ${
        diff.remaining === 1 ? 'finding remains' : 'findings remain'
      }`,
    );
    return lines;
  }
  if (diff.statusBefore !== diff.statusAfter) {
    lines.push(
      `Status: ${diff.statusBefore ?? 'not scanned'} → ${diff.statusAfter}`,
    );
  }
  for (const c of diff.resolved) lines.push(`Resolved: ${findingLine(c)}`);
  for (const c of diff.added) lines.push(`New: ${findingLine(c)}`);
  for (const name of diff.trailsAdded) lines.push(`Trail added: ${name}`);
  for (const name of diff.trailsRemoved) lines.push(`Trail removed: ${name}`);
  lines.push(
    `${diff.remaining} ${
      diff.remaining === 1 ? 'finding remains' : 'findings remain'
    }`,
  );
  return lines;
}
