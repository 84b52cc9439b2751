// `pnpm release:tag`: see src/gate/release-tag-command.ts.
import { runReleaseTag } from '../src/gate/release-tag-command.ts';

process.exitCode = await runReleaseTag(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
});
