import { TestDatabases } from '@backstage/backend-test-utils';

/**
 * SQLite in memory and the local PostgreSQL (127.0.0.1:5432, trust auth);
 * another server can be given with BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING.
 */
export function createTestDatabases(): TestDatabases {
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??=
    'postgresql://postgres@127.0.0.1:5432/postgres';
  return TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
}
