import { describe } from 'vitest';
import { SKIP_POSTGRES, startOnTestDatabase } from './testing/fixtures.ts';
import { defineApiSuite } from './testing/api-suite.ts';

if (SKIP_POSTGRES) {
  describe.skip('sandbox API on PostgreSQL (SKIP_POSTGRES_TESTS=1)', () => {});
} else {
  defineApiSuite('PostgreSQL', startOnTestDatabase);
}
