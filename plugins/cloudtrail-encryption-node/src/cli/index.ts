import { ConfigReader } from '@backstage/config';
import { loadConfig } from '@backstage/config-loader';
import {
  isAwsAccountId,
  type AccountReport,
} from '@trailguard/plugin-cloudtrail-encryption-common';
import { Command, CommanderError } from 'commander';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { analyzePolicy } from './analyzePolicy';
import { formatTable } from './format';
import { readEstateSettings } from '../estate/settings';
import { createScanEngineFromConfig } from '../scan/config';

/** Bad input: exit code 2 with the message on stderr. */
export class UsageError extends Error {}

/** Where the user ran the command (`yarn trailguard` runs it from the package). */
function userDir(): string {
  return process.env.INIT_CWD ?? process.cwd();
}

async function readAppConfig(files: string[]) {
  const { appConfigs } = await loadConfig({
    configRoot: userDir(),
    configTargets: files.map(path => ({ path: resolve(userDir(), path) })),
  });
  return ConfigReader.fromConfigs(appConfigs);
}

/** The configured accounts of the estate (aws.accounts and estate.include, minus estate.exclude). */
function accountsFromConfig(config: ConfigReader): string[] {
  const settings = readEstateSettings(config);
  const excluded = new Set(settings.exclude);
  return [
    ...new Set([
      ...(settings.fromAwsConfig ? settings.awsConfigAccountIds : []),
      ...settings.include,
    ]),
  ].filter(id => !excluded.has(id));
}

export async function runScan(options: {
  account?: string[];
  config: string[];
  format: string;
}): Promise<AccountReport[]> {
  if (!['json', 'table'].includes(options.format)) {
    throw new UsageError(
      `--format must be json or table, got "${options.format}"`,
    );
  }
  for (const id of options.account ?? []) {
    if (!isAwsAccountId(id)) {
      throw new UsageError(
        `--account must be a 12-digit AWS account id, got "${id}"`,
      );
    }
  }
  const config = await readAppConfig(options.config);
  const accounts = options.account?.length
    ? options.account
    : accountsFromConfig(config);
  if (accounts.length === 0) {
    throw new UsageError(
      'No accounts to scan: pass --account or list aws.accounts in the configuration',
    );
  }
  const endpoint = config.getOptionalString(
    'cloudtrailEncryption.aws.endpoint',
  );
  if (endpoint) {
    // STS clients are built by @backstage/integration-aws-node; this is the
    // SDK's own way to point them at the same endpoint.
    process.env.AWS_ENDPOINT_URL_STS ??= endpoint;
  }
  const { engine, clients, estateSettings } =
    createScanEngineFromConfig(config);
  try {
    return await engine.scan(
      accounts.map(accountId => ({ accountId })),
      {
        knownAccountIds: accountsFromConfig(config),
        trustedAccountIds: [
          ...accountsFromConfig(config),
          ...estateSettings.trustedAccountIds,
        ],
        onProgress: ({ done, total, accountId }) => {
          process.stderr.write(`scanned ${accountId} (${done}/${total})\n`);
        },
      },
    );
  } finally {
    clients.destroy();
  }
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('trailguard')
    .description(
      'CloudTrail SSE-KMS encryption: scan accounts, analyze key policies',
    )
    .exitOverride()
    .configureOutput({ writeErr: s => process.stderr.write(s) });

  program
    .command('scan')
    .description('Scan AWS accounts and print one report per account')
    .option(
      '--account <id...>',
      'account ids (default: aws.accounts from the config)',
    )
    .option('--config <file...>', 'app-config files', ['app-config.yaml'])
    .option('--format <format>', 'json or table', 'table')
    .action(async opts => {
      const reports = await runScan(opts);
      process.stdout.write(
        opts.format === 'json'
          ? `${JSON.stringify(reports, null, 2)}\n`
          : formatTable(reports),
      );
    });

  program
    .command('analyze-policy')
    .description('Evaluate a KMS key policy for a trail')
    .requiredOption('--policy <file>', 'key policy JSON file')
    .requiredOption('--trail-arn <arn>', 'the trail that uses the key')
    .option(
      '--key-arn <arn>',
      'the key (defaults to a key in the trail account and Region)',
    )
    .option(
      '--organization-id <id>',
      'your AWS Organization (o-…): decides aws:PrincipalOrgID and related conditions',
    )
    .option(
      '--trusted-account <id>',
      'an account whose decrypt access is not cross-account (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action(async opts => {
      let text: string;
      try {
        text = await readFile(resolve(userDir(), opts.policy), 'utf8');
      } catch (e) {
        throw new UsageError(
          `Cannot read --policy ${opts.policy}: ${(e as Error).message}`,
        );
      }
      const result = analyzePolicy(text, opts.trailArn, opts.keyArn, {
        organizationId: opts.organizationId,
        trustedAccountIds: opts.trustedAccount,
      });
      if ('usage' in result) throw new UsageError(result.usage);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`trailguard: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`trailguard: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
