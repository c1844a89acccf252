/** `arn:partition:service:region:account:resource`, split. */
export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

/** Splits an ARN into its six parts; the resource part may itself hold colons. */
export function parseArn(value: string | undefined): ParsedArn | undefined {
  if (!value || !value.startsWith('arn:')) return undefined;
  const parts = value.split(':');
  if (parts.length < 6) return undefined;
  return {
    partition: parts[1],
    service: parts[2],
    region: parts[3],
    accountId: parts[4],
    resource: parts.slice(5).join(':'),
  };
}

export function accountIdFromArn(arn: string): string | undefined {
  const accountId = parseArn(arn)?.accountId;
  return accountId && /^\d{12}$/.test(accountId) ? accountId : undefined;
}

export function regionFromArn(arn: string): string | undefined {
  return parseArn(arn)?.region || undefined;
}
