import { describe } from 'vitest';
import { startSandbox } from './index.ts';
import { defineApiSuite } from './testing/api-suite.ts';
import { createTestDatabase, SKIP_POSTGRES } from './testing/fixtures.ts';

if (SKIP_POSTGRES) {
  describe.skip('sandbox API on PostgreSQL (SKIP_POSTGRES_TESTS=1)', () => {});
} else {
  defineApiSuite('PostgreSQL', async () => {
    const database = await createTestDatabase();
    try {
      return { sandbox: await startSandbox({ databaseUrl: database.url, faults: '' }), cleanup: database.drop };
    } catch (error) {
      await database.drop();
      throw error;
    }
  });
}
