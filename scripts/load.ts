// `pnpm load`: see src/load/load-command.ts.
import { runLoad } from '../src/load/load-command.ts';

process.exitCode = await runLoad(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
});
