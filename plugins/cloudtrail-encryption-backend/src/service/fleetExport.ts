import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { AccountSummary } from '@trailguard/plugin-cloudtrail-encryption-common';
import type { Response } from 'express';
import { once } from 'node:events';
import type { AccountDirectory } from './AccountDirectory';

/** Rows serialized per write, so that a large export never sits whole in memory. */
const ROWS_PER_CHUNK = 500;

type Links = (summary: AccountSummary) => AccountSummary;

/**
 * Adds the account entity and its owners to summaries, only for entities the
 * caller may read. The catalog being down must not take the fleet list with
 * it: the rows are then served without links.
 */
export async function catalogLinks(
  directory: Pick<AccountDirectory, 'accounts' | 'readableEntityRefs'>,
  credentials: BackstageCredentials,
): Promise<Links> {
  try {
    const [accounts, readable] = await Promise.all([
      directory.accounts(),
      directory.readableEntityRefs(credentials),
    ]);
    return summary => {
      const entity = accounts.get(summary.accountId)?.entity;
      if (!entity || (readable && !readable.has(entity.entityRef))) {
        return summary;
      }
      return {
        ...summary,
        entityRef: entity.entityRef,
        ownerRefs: entity.ownerRefs,
      };
    };
  } catch {
    return summary => summary;
  }
}

export const CSV_COLUMNS = [
  'accountId',
  'accountName',
  'entityRef',
  'owners',
  'status',
  'scanStatus',
  'worstFindingCode',
  'worstFindingSeverity',
  'trailCount',
  'readersCount',
  'outsideReadersCount',
  'keyRegions',
  'bucketRegions',
  'scannedAt',
] as const;

function csvCell(value: string | number | undefined): string {
  let text = value === undefined ? '' : String(value);
  // Account names come from AWS and the catalog: a leading =, +, - or @
  // would run as a formula when the file is opened in a spreadsheet.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(s: AccountSummary): string {
  const cells: Record<
    (typeof CSV_COLUMNS)[number],
    string | number | undefined
  > = {
    accountId: s.accountId,
    accountName: s.accountName,
    entityRef: s.entityRef,
    owners: s.ownerRefs?.join(' '),
    status: s.status,
    scanStatus: s.scanStatus,
    worstFindingCode: s.worstFinding?.code,
    worstFindingSeverity: s.worstFinding?.severity,
    trailCount: s.trailCount,
    readersCount: s.readersCount,
    outsideReadersCount: s.outsideReadersCount,
    keyRegions: s.keyRegions?.join(' '),
    bucketRegions: s.bucketRegions?.join(' '),
    scannedAt: s.scannedAt,
  };
  return `${CSV_COLUMNS.map(c => csvCell(cells[c])).join(',')}\r\n`;
}

/** Writes, honouring backpressure; false when the client went away. */
async function write(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (!res.write(chunk)) {
    await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
  return !res.destroyed;
}

/** Streams every row as a CSV or JSON attachment. */
export async function writeExport(
  res: Response,
  format: 'csv' | 'json',
  items: AccountSummary[],
  links: Links,
): Promise<void> {
  const date = new Date().toISOString().slice(0, 10);
  res.status(200);
  res.setHeader(
    'Content-Type',
    format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json',
  );
  res.setHeader(
    'Content-Disposition',
    `attachment; filename="cloudtrail-encryption-accounts-${date}.${format}"`,
  );
  res.setHeader('Cache-Control', 'no-store');
  if (
    !(await write(res, format === 'csv' ? `${CSV_COLUMNS.join(',')}\r\n` : '['))
  ) {
    return;
  }
  for (let i = 0; i < items.length; i += ROWS_PER_CHUNK) {
    const rows = items.slice(i, i + ROWS_PER_CHUNK).map(links);
    const chunk =
      format === 'csv'
        ? rows.map(csvRow).join('')
        : `${i ? ',' : ''}${rows.map(r => JSON.stringify(r)).join(',')}`;
    if (!(await write(res, chunk))) return;
  }
  res.end(format === 'json' ? ']' : undefined);
}
