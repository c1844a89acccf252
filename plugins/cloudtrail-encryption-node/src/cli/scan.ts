import type { Config } from '@backstage/config';
import type { AccountReport } from '@trailguard/plugin-cloudtrail-encryption-common';
import type { Estate, EstateAccount } from '../estate/EstateReader';
import type { ScanAccount } from '../scan/ScanEngine';
import { createScanEngineFromConfig } from '../scan/config';

/** What a CLI scan produced: the scanned accounts' reports and the estate's other members. */
export interface CliScanResult {
  /** The estate as read, or undefined when it could not be read. */
  estate?: Estate;
  /** Why the estate could not be read; nothing was scanned then. */
  estateError?: string;
  /** One report per scanned account, then one `pending` report per member not scanned. */
  reports: AccountReport[];
}

/** Closed accounts have left the estate; suspended and closing ones stay listed. */
function members(estate: Estate): EstateAccount[] {
  return estate.accounts.filter(a => a.membership.state !== 'CLOSED');
}

function notScannedReport(account: EstateAccount): AccountReport {
  return {
    accountId: account.accountId,
    ...(account.name ? { accountName: account.name } : {}),
    scannedAt: new Date().toISOString(),
    scanStatus: 'pending',
    error: `Account is ${account.membership.state} in AWS Organizations; not scanned`,
    membership: account.membership,
    status: 'unknown',
    trails: [],
    findings: [],
  };
}

/**
 * Scans the estate the configuration defines, as the backend's scheduled scan
 * does, or only the `accountIds` given, while still reading keys and
 * buckets owned by other estate accounts with those accounts' credentials and
 * trusting the whole estate, as a rescan from the entity card does.
 */
export async function scanFromConfig(
  config: Config,
  options: {
    accountIds?: string[];
    /** Progress and notices, one line each (the CLI writes them to stderr). */
    log?: (message: string) => void;
  } = {},
): Promise<CliScanResult> {
  const endpoint = config.getOptionalString(
    'cloudtrailEncryption.aws.endpoint',
  );
  if (endpoint) {
    // STS clients are built by @backstage/integration-aws-node; this is the
    // SDK's own way to point them at the same endpoint.
    process.env.AWS_ENDPOINT_URL_STS ??= endpoint;
  }
  const { engine, aws, estate: reader } = createScanEngineFromConfig(config);
  try {
    let estate: Estate;
    try {
      estate = await reader.read();
    } catch (error) {
      return { estateError: (error as Error).message, reports: [] };
    }
    const inEstate = members(estate);
    const byId = new Map(inEstate.map(a => [a.accountId, a]));
    const wanted: EstateAccount[] = options.accountIds?.length
      ? [...new Set(options.accountIds)].map(accountId => {
          const member = byId.get(accountId);
          if (member) return member;
          // Named explicitly, so scanned with whatever credentials the
          // configuration gives it; other accounts still do not trust it.
          options.log?.(`${accountId} is not in the estate`);
          return {
            accountId,
            membership: { source: 'configured', state: 'ACTIVE' },
          };
        })
      : inEstate;
    const scan: ScanAccount[] = [];
    const notScanned: AccountReport[] = [];
    for (const account of wanted) {
      if (account.membership.state === 'ACTIVE') scan.push(account);
      else notScanned.push(notScannedReport(account));
    }
    scan.sort((a, b) => a.accountId.localeCompare(b.accountId));
    const memberIds = inEstate.map(a => a.accountId);
    const reports = scan.length
      ? await engine.scan(scan, {
          knownAccountIds: memberIds,
          trustedAccountIds: [...memberIds, ...estate.trustedAccountIds],
          organizationId: estate.organizationId,
          organizationAccountIds: inEstate
            .filter(a => a.membership.source === 'organization')
            .map(a => a.accountId),
          onProgress: ({ done, total, accountId }) =>
            options.log?.(`scanned ${accountId} (${done}/${total})`),
        })
      : [];
    return { estate, reports: [...reports, ...notScanned] };
  } finally {
    aws.destroy();
  }
}
