import type { Config } from '@backstage/config';
import { isAwsAccountId } from '@trailguard/plugin-cloudtrail-encryption-common';
import { Option, type Command } from 'commander';
import { relative, resolve, sep } from 'node:path';
import { readEstateSettings } from '../estate/settings';
import { readScanSettings } from '../scan/config';
import { readAppConfig, UsageError, userDir } from './appConfig';
import {
  EXIT,
  FAIL_ON_VALUES,
  scanExitCode,
  undecidedAccounts,
  type FailOn,
} from './exitCode';
import { formatTable } from './format';
import { formatSarif } from './sarif';
import { scanFromConfig } from './scan';

export const SCAN_HELP = `
Exit codes:
  0  nothing at or above --fail-on, and every scanned account was decided
  1  a finding at or above --fail-on (default: an account is non-compliant)
  2  usage error: bad option, account id or configuration
  3  could not decide: the estate could not be read, or an account's scan
     failed or its status is unknown (0 instead with --allow-unknown)
A finding at or above the threshold wins over undecided accounts (1, not 3).
Accounts listed in the estate but not scanned (suspended, closing) change
nothing.

Examples:
  trailguard scan --config app-config.yaml --config app-config.production.yaml
  trailguard scan --account 100000000001 --fail-on critical --format json
  trailguard scan --format sarif > trailguard.sarif
`;

interface ScanOptions {
  account?: string[];
  config: string[];
  format: 'json' | 'table' | 'sarif';
  failOn: FailOn;
  allowUnknown?: boolean;
}

/** Configuration mistakes are usage errors: found before any AWS call. */
function checkSettings(config: Config) {
  try {
    readEstateSettings(config);
    readScanSettings(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The first config file, relative to the working directory, as SARIF wants it. */
function artifactUri(configFiles: string[]): string {
  const path = relative(userDir(), resolve(userDir(), configFiles[0]));
  return path.split(sep).join('/');
}

async function runScanCommand(options: ScanOptions): Promise<void> {
  for (const id of options.account ?? []) {
    if (!isAwsAccountId(id)) {
      throw new UsageError(
        `--account must be a 12-digit AWS account id, got "${id}"`,
      );
    }
  }
  const config = await readAppConfig(options.config);
  checkSettings(config);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { reports, estateError } = await scanFromConfig(config, {
    accountIds: options.account,
    log,
  });
  if (estateError) {
    log(`trailguard: nothing scanned: ${estateError}`);
    process.exitCode = EXIT.undecided;
    return;
  }
  if (reports.length === 0) {
    log('trailguard: the estate the configuration defines has no accounts');
  }
  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  } else if (options.format === 'sarif') {
    const sarif = formatSarif(reports, {
      artifactUri: artifactUri(options.config),
    });
    process.stdout.write(`${JSON.stringify(sarif, null, 2)}\n`);
  } else {
    process.stdout.write(formatTable(reports));
  }
  for (const r of undecidedAccounts(reports)) {
    log(
      `undecided: ${r.accountId} ${r.status}${r.error ? `: ${r.error}` : ''}`,
    );
  }
  process.exitCode = scanExitCode(reports, {
    failOn: options.failOn,
    allowUnknown: Boolean(options.allowUnknown),
  });
}

export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description(
      'Scan the estate the configuration defines (or the accounts given) and print one report per account',
    )
    .option(
      '--account <id...>',
      'scan only these account ids (repeatable); keys and buckets of other estate accounts are still read with their credentials',
    )
    .option('--config <file...>', 'app-config files', ['app-config.yaml'])
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'json', 'sarif'])
        .default('table'),
    )
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit 1 on a finding of this severity or worse; "blocking" exits 1 on a non-compliant account, "none" never',
      )
        .choices(FAIL_ON_VALUES)
        .default('blocking'),
    )
    .option(
      '--allow-unknown',
      'exit 0 rather than 3 when an account could not be scanned or decided',
    )
    .addHelpText('after', SCAN_HELP)
    .action(runScanCommand);
}
