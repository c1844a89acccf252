import type { Config } from '@backstage/config';

/** The sandbox's well-known static access key: never a production identity. */
const SANDBOX_ACCESS_KEY_PREFIX = 'AKIASANDBOX';

/**
 * True when this process runs the production configuration: NODE_ENV is
 * production (as in the container image) or the configuration says so
 * (app-config.production.yaml sets trailguard.environment).
 */
export function isProduction(config: Config): boolean {
  return (
    process.env.NODE_ENV === 'production' ||
    config.getOptionalString('trailguard.environment') === 'production'
  );
}

interface Required {
  key: string;
  /** The variable app-config.production.yaml reads it from. */
  env?: string;
}

const REQUIRED: Required[] = [
  { key: 'app.baseUrl', env: 'APP_BASE_URL' },
  { key: 'backend.baseUrl', env: 'BACKEND_BASE_URL' },
  { key: 'backend.database.connection.host', env: 'POSTGRES_HOST' },
  { key: 'backend.database.connection.user', env: 'POSTGRES_USER' },
  { key: 'backend.database.connection.password', env: 'POSTGRES_PASSWORD' },
  { key: 'aws.accountDefaults.roleName', env: 'TRAILGUARD_SCAN_ROLE_NAME' },
];

function isSet(config: Config, key: string): boolean {
  // A parent of another type (a connection string where an object is
  // expected) leaves the key unset rather than failing the check.
  let value: unknown;
  try {
    value = config.getOptional(key);
  } catch {
    return false;
  }
  return value !== undefined && value !== null && String(value).trim() !== '';
}

/** pg also takes one connection string instead of host, user and password. */
function hasConnectionString(config: Config): boolean {
  const connection = config.getOptional('backend.database.connection');
  return typeof connection === 'string' && connection.trim() !== '';
}

/**
 * What keeps a configuration from running in production: required settings
 * that are missing and development-only settings that are present. Empty
 * when it may start.
 */
export function productionConfigProblems(config: Config): string[] {
  const problems: string[] = [];
  const connectionString = hasConnectionString(config);
  for (const { key, env } of REQUIRED) {
    if (connectionString && key.startsWith('backend.database.connection.')) {
      continue;
    }
    if (!isSet(config, key)) {
      problems.push(
        `${key} is not set${env ? ` (environment variable ${env})` : ''}`,
      );
    }
  }
  const client = config.getOptionalString('backend.database.client');
  if (client !== 'pg') {
    problems.push(
      `backend.database.client must be pg in production, not ${
        client ?? 'unset'
      }`,
    );
  }
  const developmentOnly: Array<[key: string, why: string]> = [
    ['trailguardSandbox.enabled', 'starts the local AWS sandbox'],
    ['auth.providers.guest', 'lets anyone sign in as a guest'],
    ['cloudtrailEncryption.aws.endpoint', 'sends every AWS call elsewhere'],
  ];
  for (const [key, why] of developmentOnly) {
    const value = config.getOptional(key);
    if (value !== undefined && value !== false) {
      problems.push(`${key} is development-only (it ${why}); remove it`);
    }
  }
  const accessKey = config.getOptionalString('aws.mainAccount.accessKeyId');
  if (accessKey?.startsWith(SANDBOX_ACCESS_KEY_PREFIX)) {
    problems.push(
      'aws.mainAccount.accessKeyId is the AWS sandbox key; use the backend’s own AWS identity',
    );
  }
  if (config.getOptionalBoolean('permission.enabled') !== true) {
    problems.push('permission.enabled must be true in production');
  }
  return problems;
}

/** Throws one error naming every problem, so an operator fixes them in one go. */
export function assertProductionReady(config: Config): void {
  if (!isProduction(config)) return;
  const problems = productionConfigProblems(config);
  if (problems.length > 0) {
    throw new Error(
      `TrailGuard refuses to start with this production configuration:\n${problems
        .map(p => `  - ${p}`)
        .join('\n')}\nSee docs/install.md, "Production configuration".`,
    );
  }
}
