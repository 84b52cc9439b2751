import { startSandbox } from './index.ts';
import { defineServicesSuite } from './testing/services-suite.ts';

defineServicesSuite('PGlite', async () => ({ sandbox: await startSandbox({ faults: '' }) }));
