import { parseArgs } from 'node:util';
import { generateOrganization } from './scenario/generate';
import { MAX_GENERATED_ACCOUNTS } from './server/admin';
import { startSandbox } from './sandbox';

const USAGE = `Usage: aws-sandbox [options]

Local AWS endpoint (STS, IAM, Organizations, CloudTrail, KMS, S3) for TrailGuard.

Options:
  --scenario <name|file>  bundled scenario name or YAML file (default: demo)
  --accounts <n>          generate an organization with n member accounts instead
                          (at most ${MAX_GENERATED_ACCOUNTS})
  --seed <n>              seed for --accounts (default: 1)
  --regions <list>        comma-separated Regions for --accounts
  --port <n>              port on 127.0.0.1 (default: 4599, 0 for any free port)
  --latency <ms>          add this latency to every call
  -h, --help              show this help
`;

function int(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} must be a whole number`);
  return n;
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      accounts: { type: 'string' },
      seed: { type: 'string' },
      regions: { type: 'string' },
      port: { type: 'string' },
      latency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const accounts = int(values.accounts, 'accounts');
  if (accounts !== undefined && accounts > MAX_GENERATED_ACCOUNTS) {
    throw new Error(`--accounts must be at most ${MAX_GENERATED_ACCOUNTS}`);
  }
  const latency = int(values.latency, 'latency');
  const scenario =
    accounts !== undefined
      ? generateOrganization({
          accounts,
          seed: int(values.seed, 'seed'),
          regions: values.regions
            ?.split(',')
            .map(r => r.trim())
            .filter(Boolean),
        })
      : values.scenario ?? 'demo';
  const sandbox = await startSandbox({
    port: int(values.port, 'port') ?? 4599,
    scenario,
    faults: latency ? { latency } : undefined,
    logger: { error: msg => process.stderr.write(`${msg}\n`) },
  });
  const c = sandbox.credentials;
  const s = sandbox.scenario;
  process.stdout.write(
    [
      `AWS sandbox listening on ${sandbox.endpoint}`,
      `scenario: ${s.name} (${s.accounts.length} accounts, ${
        s.trails?.length ?? 0
      } trails, ${s.keys?.length ?? 0} keys)`,
      '',
      'Credentials (act as the management account):',
      `  export AWS_ACCESS_KEY_ID=${c.accessKeyId}`,
      `  export AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}`,
      `  export AWS_ENDPOINT_URL=${sandbox.endpoint}`,
      `  account: ${c.accountId}`,
      '',
      'Roles to assume in member accounts: TrailGuardReadOnly (read-only), TrailGuardRemediation',
      `Admin API: ${sandbox.endpoint}/_sandbox/counters, /_sandbox/faults, /_sandbox/state`,
      `  token (new at each start): ${sandbox.adminToken}`,
      `  send it as: authorization: Bearer ${sandbox.adminToken}`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
