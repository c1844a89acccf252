import type { DecryptPrincipal, TrailReport } from './report';

/**
 * One identity per principal, however it is written: an account as its id
 * or its root ARN, `"*"` with or without its organization restriction.
 */
function readerIdentity(principal: DecryptPrincipal): string {
  switch (principal.kind) {
    case 'account-root':
      return `account:${principal.accountId ?? principal.principal}`;
    case 'any':
      return `any:${principal.organizationId ?? '*'}`;
    default:
      return `${principal.kind}:${principal.principal}`;
  }
}

/**
 * How many distinct principals may decrypt the log files of these trails
 * (one account, one role, "any principal of organization o-…" and "anyone"
 * each count once), or undefined when there are no trails to count.
 *
 * @public
 */
export function countDecryptReaders(
  trails: ReadonlyArray<Pick<TrailReport, 'decryptPrincipals'>> | undefined,
): number | undefined {
  if (!trails || trails.length === 0) return undefined;
  const readers = new Set<string>();
  for (const trail of trails) {
    for (const principal of trail.decryptPrincipals ?? []) {
      readers.add(readerIdentity(principal));
    }
  }
  return readers.size;
}
