// `pnpm synthetic`: see src/synthetic/synthetic-command.ts.
import { runSynthetic } from '../src/synthetic/synthetic-command.ts';

process.exitCode = await runSynthetic(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
});
