/** Parses `arn:partition:service:region:account:resource`. */
export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, accountId, ...rest] = parts;
  return { partition, service, region, accountId, resource: rest.join(':') };
}

export function accountIdFromArn(arn: string): string | undefined {
  const accountId = parseArn(arn)?.accountId;
  return accountId && /^\d{12}$/.test(accountId) ? accountId : undefined;
}

export function regionFromArn(arn: string): string | undefined {
  return parseArn(arn)?.region || undefined;
}
