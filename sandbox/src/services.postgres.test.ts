import { describe } from 'vitest';
import { SKIP_POSTGRES, startOnTestDatabase } from './testing/fixtures.ts';
import { defineServicesSuite } from './testing/services-suite.ts';

if (SKIP_POSTGRES) {
  describe.skip('sandbox services on PostgreSQL (SKIP_POSTGRES_TESTS=1)', () => {});
} else {
  defineServicesSuite('PostgreSQL', startOnTestDatabase);
}
