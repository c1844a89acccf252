import { ConfigReader } from '@backstage/config';
import {
  assertProductionReady,
  isProduction,
  productionConfigProblems,
} from './productionConfig';

const complete = {
  trailguard: { environment: 'production' },
  app: { baseUrl: 'https://trailguard.example.com' },
  backend: {
    baseUrl: 'https://trailguard.example.com',
    database: {
      client: 'pg',
      connection: { host: 'db', user: 'backstage', password: 'secret' },
    },
  },
  aws: { accountDefaults: { roleName: 'TrailGuardReadOnly' } },
  permission: { enabled: true },
};

const withOut = (path: string[]) => {
  const copy = JSON.parse(JSON.stringify(complete));
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  delete node[path[path.length - 1]];
  return new ConfigReader(copy);
};

describe('production configuration checks', () => {
  const savedNodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = savedNodeEnv;
  });

  it('accepts a complete production configuration', () => {
    expect(productionConfigProblems(new ConfigReader(complete))).toEqual([]);
    expect(() =>
      assertProductionReady(new ConfigReader(complete)),
    ).not.toThrow();
  });

  it.each([
    [
      ['app', 'baseUrl'],
      'app.baseUrl is not set (environment variable APP_BASE_URL)',
    ],
    [
      ['backend', 'baseUrl'],
      'backend.baseUrl is not set (environment variable BACKEND_BASE_URL)',
    ],
    [
      ['backend', 'database', 'connection', 'host'],
      'backend.database.connection.host is not set (environment variable POSTGRES_HOST)',
    ],
    [
      ['aws', 'accountDefaults', 'roleName'],
      'aws.accountDefaults.roleName is not set (environment variable TRAILGUARD_SCAN_ROLE_NAME)',
    ],
    [
      ['permission', 'enabled'],
      'permission.enabled must be true in production',
    ],
  ])('names a missing %j', (path, message) => {
    expect(productionConfigProblems(withOut(path as string[]))).toEqual([
      message,
    ]);
  });

  it('refuses every development-only setting at once', () => {
    const config = new ConfigReader({
      ...complete,
      backend: {
        ...complete.backend,
        database: { client: 'better-sqlite3', connection: ':memory:' },
      },
      auth: { providers: { guest: {} } },
      trailguardSandbox: { enabled: true },
      cloudtrailEncryption: { aws: { endpoint: 'http://127.0.0.1:4599' } },
      aws: {
        ...complete.aws,
        mainAccount: {
          accessKeyId: 'AKIASANDBOXMAIN00001',
          secretAccessKey: 'sandbox-secret',
        },
      },
    });
    const problems = productionConfigProblems(config);
    expect(problems).toEqual([
      'backend.database.client must be pg in production, not better-sqlite3',
      expect.stringMatching(/^trailguardSandbox\.enabled is development-only/),
      expect.stringMatching(/^auth\.providers\.guest is development-only/),
      expect.stringMatching(
        /^cloudtrailEncryption\.aws\.endpoint is development-only/,
      ),
      expect.stringMatching(
        /^aws\.mainAccount\.accessKeyId is the AWS sandbox key/,
      ),
    ]);
    expect(() => assertProductionReady(config)).toThrow(
      /refuses to start with this production configuration:\n {2}- /,
    );
  });

  it('takes a PostgreSQL connection string', () => {
    const config = new ConfigReader({
      ...complete,
      backend: {
        ...complete.backend,
        database: { client: 'pg', connection: 'postgresql://db/backstage' },
      },
    });
    expect(productionConfigProblems(config)).toEqual([]);
  });

  it('checks only production configurations', () => {
    process.env.NODE_ENV = 'development';
    const development = new ConfigReader({
      auth: { providers: { guest: {} } },
      trailguardSandbox: { enabled: true },
    });
    expect(isProduction(development)).toBe(false);
    expect(() => assertProductionReady(development)).not.toThrow();

    process.env.NODE_ENV = 'production';
    expect(isProduction(development)).toBe(true);
    expect(() => assertProductionReady(development)).toThrow(
      /trailguardSandbox\.enabled is development-only/,
    );
  });
});
