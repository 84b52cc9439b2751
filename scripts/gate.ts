// `pnpm gate`: see src/gate/gate-command.ts.
import { runGate } from '../src/gate/gate-command.ts';

process.exitCode = await runGate(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
});
