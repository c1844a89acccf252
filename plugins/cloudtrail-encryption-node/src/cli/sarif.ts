import {
  FINDING_CODES,
  type AccountReport,
  type Finding,
  type FindingCode,
  type Severity,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { createHash } from 'node:crypto';
import { FINDING_CATALOGUE } from '../analysis/catalogue';

export type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * GitHub code scanning's scale: critical above 9.0, high 7.0–8.9, medium
 * 4.0–6.9, low below 4.0.
 */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '1.0',
};

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** The location of a finding: the account, and the trail when it is about one. */
export function logicalLocationOf(accountId: string, trailArn?: string) {
  return trailArn
    ? `aws://account/${accountId}/trail/${trailArn}`
    : `aws://account/${accountId}`;
}

function rule(code: FindingCode) {
  const entry = FINDING_CATALOGUE[code];
  return {
    id: code,
    name: code
      .toLowerCase()
      .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
      .replace(/^[a-z]/, c => c.toUpperCase()),
    shortDescription: { text: entry.title },
    fullDescription: { text: entry.description },
    help: { text: entry.remediation },
    defaultConfiguration: { level: LEVEL[entry.severity] },
    properties: {
      'security-severity': SECURITY_SEVERITY[entry.severity],
      severity: entry.severity,
      tags: ['security', 'cloudtrail', 'kms'],
    },
  };
}

function result(
  report: AccountReport,
  finding: Finding,
  ruleIndex: number,
  artifactUri: string,
) {
  const location = logicalLocationOf(report.accountId, finding.trailArn);
  return {
    ruleId: finding.code,
    ruleIndex,
    // A finding's severity can be lower than its rule's (an unconfirmed one).
    level: LEVEL[finding.severity],
    message: { text: finding.message },
    locations: [
      {
        // Code scanning accepts only results anchored to a file: the
        // configuration that defines the scanned estate.
        physicalLocation: {
          artifactLocation: { uri: artifactUri },
          region: { startLine: 1 },
        },
        logicalLocations: [
          {
            fullyQualifiedName: location,
            kind: finding.trailArn ? 'resource' : 'module',
          },
        ],
      },
    ],
    partialFingerprints: {
      'trailguardFinding/v1': createHash('sha256')
        .update(`${location}\n${finding.code}\n${finding.message}`)
        .digest('hex'),
    },
    properties: {
      accountId: report.accountId,
      severity: finding.severity,
      'security-severity': SECURITY_SEVERITY[finding.severity],
      remediation: finding.remediation,
    },
  };
}

/**
 * The reports as one SARIF 2.1.0 run: a rule per finding code of the
 * catalogue (so rule indexes are stable), a result per finding. Accounts whose scan failed are
 * tool notifications, not results: nothing was found there, nothing was
 * cleared either.
 */
export function formatSarif(
  reports: AccountReport[],
  options: { artifactUri: string; version?: string },
) {
  const index = new Map(FINDING_CODES.map((code, i) => [code, i]));
  const failed = reports.filter(r => r.scanStatus === 'error');
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'TrailGuard',
            ...(options.version ? { version: options.version } : {}),
            rules: FINDING_CODES.map(rule),
          },
        },
        invocations: [
          {
            executionSuccessful: failed.length === 0,
            toolExecutionNotifications: failed.map(r => ({
              level: 'error',
              message: {
                text: `Account ${r.accountId} could not be scanned: ${r.error}`,
              },
              locations: [
                {
                  logicalLocations: [
                    { fullyQualifiedName: logicalLocationOf(r.accountId) },
                  ],
                },
              ],
            })),
          },
        ],
        results: reports.flatMap(r =>
          r.findings.map(f =>
            result(r, f, index.get(f.code)!, options.artifactUri),
          ),
        ),
      },
    ],
  };
}
