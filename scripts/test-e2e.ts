// `pnpm test:e2e`: see src/run/e2e-command.ts.
import { runE2e } from '../src/run/e2e-command.ts';

process.exitCode = await runE2e(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
});
