// `pnpm test:smoke`: see src/run/smoke-command.ts.
import { runSmoke } from '../src/run/smoke-command.ts';

process.exitCode = await runSmoke(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
});
