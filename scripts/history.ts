// `pnpm history`: see src/synthetic/synthetic-command.ts.
import { runHistory } from '../src/synthetic/synthetic-command.ts';

process.exitCode = runHistory(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
});
