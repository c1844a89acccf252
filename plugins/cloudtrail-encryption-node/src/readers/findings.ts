import type {
  EffectiveReader,
  Finding,
  FindingCode,
  TrailReaders,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { FINDING_CATALOGUE } from '../analysis/catalogue';
import { isOpenTrustee } from './trust';
import type { ReaderAnalysisInput } from './types';

const LISTED = 5;

/**
 * READERS_VIA_BROAD_POLICY needs this many broad readers: an administrator
 * role per account is expected, many of them is worth a review.
 */
export const BROAD_READERS_MIN = 3;

/**
 * The finding codes the reader analysis raises (assessTrail raises the others).
 *
 * @public
 */
export const READER_FINDING_CODES: FindingCode[] = [
  'READER_OUTSIDE_ORGANIZATION',
  'READER_ROLE_ASSUMABLE_BY_ANY',
  'READERS_UNRESOLVED',
  'READERS_VIA_BROAD_POLICY',
];

function list(items: string[]): string {
  const shown = items.slice(0, LISTED).join(', ');
  return items.length > LISTED
    ? `${shown} and ${items.length - LISTED} more`
    : shown;
}

const conditional = (reader: EffectiveReader) =>
  reader.conditions.length ? ' (only when its conditions hold)' : '';

/**
 * The findings a trail's readers imply. Only effective readers (both
 * halves) count: a principal with one half cannot read the logs alone.
 */
export function readerFindings(
  input: ReaderAnalysisInput,
  readers: TrailReaders,
): Finding[] {
  const { trailArn } = input.trail;
  const findings: Finding[] = [];
  // Readers that hold access only under undecided conditions are not
  // confirmed: a blocking finding about them alone is reported as medium.
  const add = (code: FindingCode, message: string, confirmed = true) =>
    findings.push({
      code,
      severity: confirmed ? FINDING_CATALOGUE[code].severity : 'medium',
      message: confirmed
        ? message
        : `${message.slice(
            0,
            -1,
          )} (could not be confirmed: each depends on conditions the scan cannot evaluate).`,
      remediation: FINDING_CATALOGUE[code].remediation,
      trailArn,
    });

  const outside: string[] = [];
  const open: string[] = [];
  let outsideConfirmed = false;
  let openConfirmed = false;
  let broad = 0;
  const broadNames: string[] = [];
  for (const reader of readers.readers) {
    const certain = reader.conditions.length === 0;
    if (reader.outsideOrganization) {
      outsideConfirmed ||= certain;
      outside.push(
        `${reader.principal} (account ${reader.accountId})${conditional(
          reader,
        )}`,
      );
    }
    const trustees = reader.trustedBy ?? [];
    const outsideTrustees = trustees.filter(
      t => t.kind !== 'any' && t.outsideOrganization,
    );
    if (outsideTrustees.length) {
      outsideConfirmed ||= certain;
      outside.push(
        `${reader.principal}, assumable by ${outsideTrustees
          .map(t => t.principal)
          .join(', ')}`,
      );
    }
    if (trustees.some(isOpenTrustee)) {
      openConfirmed ||= certain;
      open.push(reader.principal);
    }
    if (reader.broad) {
      broad++;
      broadNames.push(reader.principal);
    }
  }
  if (outside.length) {
    add(
      'READER_OUTSIDE_ORGANIZATION',
      `${trailArn}: the log files can be read from outside the organization by ${list(
        outside,
      )}.`,
      outsideConfirmed,
    );
  }
  if (open.length) {
    add(
      'READER_ROLE_ASSUMABLE_BY_ANY',
      `${trailArn}: ${list(open)} can read the log files and ${
        open.length === 1 ? 'its' : 'their'
      } trust policy lets any principal or any account assume ${
        open.length === 1 ? 'it' : 'them'
      }.`,
      openConfirmed,
    );
  }
  if (readers.unresolved.length) {
    const accounts = readers.unresolved.map(u => {
      const name = u.accountName ? ` (${u.accountName})` : '';
      const missing = u.missingPermission
        ? `; missing ${u.missingPermission}`
        : '';
      return `${u.accountId}${name}: ${u.reason}${missing}`;
    });
    add(
      'READERS_UNRESOLVED',
      `${trailArn}: readers could not be named in ${
        accounts.length === 1 ? 'one account' : `${accounts.length} accounts`
      }: ${list(accounts)}.`,
    );
  }
  if (broad >= BROAD_READERS_MIN) {
    add(
      'READERS_VIA_BROAD_POLICY',
      `${trailArn}: ${broad} readers hold log access only through broad policies (Action *, kms:* or s3:* on *): ${list(
        broadNames,
      )}.`,
    );
  }
  return findings;
}
