import { Command, CommanderError } from 'commander';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { analyzePolicy } from './analyzePolicy';
import { registerAnalyzeReadersCommand } from './analyzeReaders';
import { UsageError, userDir } from './appConfig';
import { EXIT } from './exitCode';
import { registerScanCommand } from './scanCommand';

/** @public */
export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('trailguard')
    .description(
      'CloudTrail SSE-KMS encryption: scan accounts, analyze key policies and log readers',
    )
    .exitOverride()
    .configureOutput({ writeErr: s => process.stderr.write(s) });

  registerScanCommand(program);

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

  registerAnalyzeReadersCommand(program);

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`trailguard: ${error.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    // Not a finding: whatever went wrong, nothing was decided.
    process.stderr.write(`trailguard: ${(error as Error).message}\n`);
    process.exitCode = EXIT.undecided;
  }
}
