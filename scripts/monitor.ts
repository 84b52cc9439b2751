// `pnpm monitor`: see src/monitor/monitor-command.ts.
import { runMonitor } from '../src/monitor/monitor-command.ts';

process.exitCode = await runMonitor(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
});
// realtime-js 2.119's disconnect() leaves a 10-second timer behind (phoenix/socketAdapter.js); everything of ours
// is closed by now, so don't make the user wait for it. Unref'd: when nothing else is pending we exit at once.
setTimeout(() => process.exit(), 200).unref();
