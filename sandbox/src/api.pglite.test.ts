import { startSandbox } from './index.ts';
import { defineApiSuite } from './testing/api-suite.ts';

defineApiSuite('PGlite', async () => ({ sandbox: await startSandbox({ faults: '' }) }));
