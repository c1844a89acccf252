import { InputError } from '@backstage/errors';
import {
  accountRootArn,
  parseArn,
  partitionOf,
  type AwsPartition,
  type ParsedArn,
} from '@trailguard/plugin-cloudtrail-encryption-node';

/**
 * Input checks shared by the actions. The zod schemas carry the same
 * patterns (so the scaffolder rejects bad input before a step starts and the
 * template form can show them), and the handlers check again here because a
 * JSON-schema "does not match pattern" says nothing about what was expected.
 */

const PARTITION = 'aws(?:-cn|-us-gov)?';
const REGION = '[a-z]{2}(?:-gov)?-[a-z]+-\\d';
const ACCOUNT = '\\d{12}';

export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** CloudTrail trail names: 3-128 letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const TRAIL_ARN_PATTERN = new RegExp(
  `^arn:${PARTITION}:cloudtrail:${REGION}:${ACCOUNT}:trail/[A-Za-z0-9][A-Za-z0-9._-]{2,127}$`,
);
const KEY_ID =
  '(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})';
const ALIAS_NAME = 'alias/[a-zA-Z0-9/_-]{1,250}';
export const KEY_ARN_PATTERN = new RegExp(
  `^arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}$`,
);
/** A key ARN or an alias ARN: both carry the Region, which every check needs. */
export const KEY_REF_PATTERN = new RegExp(
  `^arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:(?:key/${KEY_ID}|${ALIAS_NAME})$`,
);
export const ALIAS_PATTERN = /^(alias\/)?[a-zA-Z0-9/_-]{1,250}$/;
/** An account id, the account root, an IAM role or an IAM user (paths allowed). */
export const PRINCIPAL_PATTERN = new RegExp(
  `^(?:${ACCOUNT}|arn:${PARTITION}:iam::${ACCOUNT}:(?:root|(?:role|user)/[\\w+=,.@/-]{1,512}))$`,
);

export const MESSAGES = {
  accountId: 'must be a 12-digit AWS account id, e.g. 123456789012',
  region: 'must be an AWS Region code such as us-east-1 or us-gov-west-1',
  trailArn:
    'must be a trail ARN such as arn:aws:cloudtrail:us-east-1:123456789012:trail/my-trail',
  keyArn:
    'must be a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  keyRef:
    'must be a KMS key ARN or alias ARN (arn:aws:kms:<region>:<account>:key/<id> or …:alias/<name>); the Region is needed, so a bare alias name is not enough',
  alias:
    'must be an alias name such as alias/cloudtrail-logs (letters, digits, /, _ and -)',
  principal:
    'must be an account id or an IAM ARN such as arn:aws:iam::123456789012:role/LogReader (roles, users or root)',
} as const;

const SHOWN_MAX = 80;

/** The offending value as the message quotes it: bounded, one line. */
export function shown(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value !== null && typeof value === 'object') {
    text = Array.isArray(value) ? 'an array' : 'an object';
  } else text = String(value);
  return text.length > SHOWN_MAX
    ? `${text.slice(0, SHOWN_MAX)}… (${text.length} characters)`
    : text;
}

function check(
  value: unknown,
  pattern: RegExp,
  field: string,
  message: string,
): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new InputError(`${field} ${message}; got ${shown(value)}`);
  }
  return value;
}

export const validate = {
  accountId: (value: unknown, field = 'accountId') =>
    check(value, ACCOUNT_ID_PATTERN, field, MESSAGES.accountId),
  region: (value: unknown, field = 'region') =>
    check(value, REGION_PATTERN, field, MESSAGES.region),
  trailArn: (value: unknown, field = 'trailArn') =>
    check(value, TRAIL_ARN_PATTERN, field, MESSAGES.trailArn),
  keyRef: (value: unknown, field = 'keyArn') =>
    check(value, KEY_REF_PATTERN, field, MESSAGES.keyRef),
  principal: (value: unknown, field = 'readers') =>
    check(value, PRINCIPAL_PATTERN, field, MESSAGES.principal),
  alias(value: unknown, field = 'alias'): string {
    const raw = check(value, ALIAS_PATTERN, field, MESSAGES.alias);
    const name = raw.startsWith('alias/') ? raw : `alias/${raw}`;
    if (name.startsWith('alias/aws/')) {
      throw new InputError(
        `${field} must not start with alias/aws/, which AWS reserves for AWS managed keys; got ${shown(
          raw,
        )}`,
      );
    }
    return name;
  },
};

/** `trailArn` and `trailArns` together, de-duplicated, at least one. */
export function trailArnsFrom(input: {
  trailArn?: unknown;
  trailArns?: unknown;
}): string[] {
  const list: string[] = [];
  if (input.trailArn !== undefined)
    list.push(validate.trailArn(input.trailArn));
  if (input.trailArns !== undefined) {
    if (!Array.isArray(input.trailArns)) {
      throw new InputError('trailArns must be a list of trail ARNs');
    }
    input.trailArns.forEach((arn, i) =>
      list.push(validate.trailArn(arn, `trailArns[${i}]`)),
    );
  }
  if (list.length === 0) {
    throw new InputError('Give the trail: trailArn (or trailArns) is required');
  }
  return [...new Set(list)];
}

/** Readers as given, checked; account ids become root ARNs as KMS stores them. */
export function readersFrom(value: unknown, partition: AwsPartition): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new InputError(
      'readers must be a list of account ids or IAM role/user ARNs',
    );
  }
  const readers = value.map((v, i) => {
    const principal = validate.principal(v, `readers[${i}]`);
    return ACCOUNT_ID_PATTERN.test(principal)
      ? accountRootArn(partition, principal)
      : principal;
  });
  return [...new Set(readers)];
}

/**
 * The parts of an ARN the patterns above already checked, read by the policy
 * toolkit; its partition is one TrailGuard knows.
 */
export function arnParts(arn: string): ParsedArn & { partition: AwsPartition } {
  const parts = parseArn(arn);
  const partition = partitionOf(arn);
  if (!parts || !partition) {
    throw new InputError(
      `${shown(
        arn,
      )} is not an ARN in a known AWS partition (aws, aws-cn, aws-us-gov)`,
    );
  }
  return { ...parts, partition };
}
