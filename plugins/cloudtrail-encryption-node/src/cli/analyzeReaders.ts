import { isAwsAccountId } from '@trailguard/plugin-cloudtrail-encryption-common';
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArn } from '../policy/arn';
import { accountIdOfDetails, analyzeReaders } from '../readers';
import type { AuthorizationDetails, ReaderAccountInput } from '../readers';
import { UsageError, userDir } from './appConfig';

const TRAIL_ARN =
  /^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[\w.-]{1,128}$/;
const KEY_ARN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-)?[a-f0-9-]{32,36}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DETAIL_LISTS = [
  'UserDetailList',
  'GroupDetailList',
  'RoleDetailList',
  'Policies',
];

export interface AnalyzeReadersOptions {
  trailArn: string;
  bucket: string;
  keyArn: string;
  keyPolicy: string;
  bucketPolicy?: string;
  authorizationDetails: string[];
  bucketRegion?: string;
  s3KeyPrefix?: string;
  organizationId?: string;
  organizationTrail?: boolean;
  bucketOwner?: string;
  trustedAccount: string[];
}

async function readJson(option: string, path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(resolve(userDir(), path), 'utf8');
  } catch (e) {
    throw new UsageError(
      `Cannot read ${option} ${path}: ${(e as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(
      `${option} ${path} is not valid JSON: ${(e as Error).message}`,
    );
  }
}

function check(ok: boolean, message: string) {
  if (!ok) throw new UsageError(message);
}

/** The CLI's `analyze-readers`: who can read a trail's logs, from files. */
export async function analyzeReadersFromFiles(opts: AnalyzeReadersOptions) {
  check(
    TRAIL_ARN.test(opts.trailArn),
    `--trail-arn is not a CloudTrail trail ARN: "${opts.trailArn}"`,
  );
  check(
    KEY_ARN.test(opts.keyArn),
    `--key-arn is not a KMS key ARN: "${opts.keyArn}"`,
  );
  check(
    BUCKET.test(opts.bucket),
    `--bucket is not an S3 bucket name: "${opts.bucket}"`,
  );
  check(
    opts.organizationId === undefined ||
      ORGANIZATION_ID.test(opts.organizationId),
    `--organization-id is not an AWS Organizations id (o-…): "${opts.organizationId}"`,
  );
  for (const [option, value] of [
    ['--bucket-owner', opts.bucketOwner],
    ...opts.trustedAccount.map(a => ['--trusted-account', a]),
  ] as Array<[string, string | undefined]>) {
    check(
      value === undefined || isAwsAccountId(value),
      `${option} must be a 12-digit AWS account id, got "${value}"`,
    );
  }
  const trail = parseArn(opts.trailArn)!;
  const key = parseArn(opts.keyArn)!;
  const keyPolicy = await readJson('--key-policy', opts.keyPolicy);
  const bucketPolicy = opts.bucketPolicy
    ? await readJson('--bucket-policy', opts.bucketPolicy)
    : null;
  const accounts: ReaderAccountInput[] = [];
  for (const path of opts.authorizationDetails) {
    const details = await readJson('--authorization-details', path);
    const shaped =
      typeof details === 'object' &&
      details !== null &&
      DETAIL_LISTS.some(list => Array.isArray((details as any)[list]));
    check(
      shaped,
      `--authorization-details ${path} is not the output of aws iam get-account-authorization-details`,
    );
    const accountId = accountIdOfDetails(details as AuthorizationDetails);
    check(
      !!accountId,
      `--authorization-details ${path} names no IAM ARN to tell its account from`,
    );
    check(
      !accounts.some(a => a.accountId === accountId),
      `--authorization-details ${path}: account ${accountId} is given twice`,
    );
    accounts.push({
      accountId: accountId!,
      details: details as AuthorizationDetails,
    });
  }
  const { readers, findings } = analyzeReaders({
    trail: {
      trailArn: opts.trailArn,
      ownerAccountId: trail.accountId,
      isOrganizationTrail: opts.organizationTrail === true,
      s3BucketName: opts.bucket,
      ...(opts.s3KeyPrefix ? { s3KeyPrefix: opts.s3KeyPrefix } : {}),
      // CloudTrail requires the key in the bucket's Region.
      bucketRegion: opts.bucketRegion ?? key.region,
    },
    key: { arn: opts.keyArn, accountId: key.accountId, policy: keyPolicy },
    bucket: {
      ownerAccountId: opts.bucketOwner ?? trail.accountId,
      policy: bucketPolicy,
    },
    accounts,
    organizationId: opts.organizationId,
    trustedAccountIds: opts.trustedAccount.length
      ? [
          ...new Set([
            ...opts.trustedAccount,
            ...accounts.map(a => a.accountId),
          ]),
        ]
      : undefined,
  });
  return {
    readers: readers.readers,
    partial: readers.partial,
    unresolved: readers.unresolved,
    ...(readers.ineffective ? { ineffective: readers.ineffective } : {}),
    findings,
  };
}

const repeat = (value: string, previous: string[]) => [...previous, value];

export function registerAnalyzeReadersCommand(program: Command) {
  program
    .command('analyze-readers')
    .description(
      "Name who can read a trail's log files (s3:GetObject and kms:Decrypt through S3) from the key policy, the bucket policy and each account's IAM",
    )
    .requiredOption('--trail-arn <arn>', 'the trail')
    .requiredOption('--bucket <name>', "the trail's S3 bucket")
    .requiredOption('--key-arn <arn>', "the trail's KMS key")
    .requiredOption(
      '--key-policy <file>',
      'key policy JSON file (aws kms get-key-policy --output text)',
    )
    .option(
      '--bucket-policy <file>',
      'bucket policy JSON file; without it the bucket has none',
    )
    .requiredOption(
      '--authorization-details <file>',
      'aws iam get-account-authorization-details output for one account (repeatable)',
      repeat,
      [] as string[],
    )
    .option(
      '--bucket-region <region>',
      "the bucket's Region (defaults to the key's)",
    )
    .option('--s3-key-prefix <prefix>', "the trail's S3 key prefix")
    .option('--organization-id <id>', 'your AWS Organization (o-…)')
    .option(
      '--organization-trail',
      'the trail is an organization trail (AWSLogs/o-…/ layout)',
    )
    .option(
      '--bucket-owner <account>',
      "the bucket's account (defaults to the trail's)",
    )
    .option(
      '--trusted-account <id>',
      'an account of yours (repeatable); with it, accounts not listed nor given count as outside',
      repeat,
      [] as string[],
    )
    .action(async opts => {
      const result = await analyzeReadersFromFiles(
        opts as AnalyzeReadersOptions,
      );
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });
}
