import { startSandbox } from './index.ts';
import { defineMigrationFaultsSuite } from './testing/migration-faults-suite.ts';

defineMigrationFaultsSuite('PGlite', async () => ({ sandbox: await startSandbox({ faults: '' }) }));
