/**
 * CPU used by `pnpm monitor` over a window, against a sandbox running in another process (so the figure is the
 * monitor's own, not the sandbox's): user + system seconds from the shell's `times` of the monitor process.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface MonitorCpu {
  windowSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  /** CPU time over wall time, in % of one core. */
  cpuPct: number;
}

export function measureMonitorCpu(root: string, envDir: string, envName: string, windowSeconds: number, intervalSeconds: number): Promise<MonitorCpu> {
  // As package.json's monitor runs it: one node process with tsx's loader (an absolute URL: the cwd is envDir).
  const tsx = `${process.execPath} --import ${pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href}`;
  const monitor = `${tsx} ${path.join(root, 'scripts/monitor.ts')} --env=${envName} --duration=${windowSeconds}s --interval=${intervalSeconds}s --log=${path.join(envDir, 'bench-log.md')}`;
  // `times` prints the shell's own times, then its children's (the monitor alone). Not through a pipe: a pipeline
  // runs `times` in a subshell, which has no children.
  const script = `${monitor} >/dev/null 2>&1; times`;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let out = '';
    const child = spawn('bash', ['-c', script], { cwd: envDir, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', () => {
      const wall = (performance.now() - started) / 1000;
      const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s/.exec(out.trim().split('\n').at(-1) ?? '');
      if (!m) return reject(new Error(`bench: could not read the monitor's CPU time from "${out.trim()}"`));
      const user = Number(m[1]) * 60 + Number(m[2]);
      const system = Number(m[3]) * 60 + Number(m[4]);
      resolve({ windowSeconds: wall, userSeconds: user, systemSeconds: system, cpuPct: ((user + system) / wall) * 100 });
    });
  });
}
