/**
 * Bad input never looks like a bad release, and never costs the team their log. Every case runs the command the
 * way a user does and asserts: exit 2, exactly one line on stderr (no stack trace, no secret), within 10 s, and
 * the promotion log's bytes untouched with nothing left beside it. Most cases stop before a browser or a sandbox
 * starts; the ones that need a target share one sandbox, and local servers play the broken targets: one that
 * accepts connections and never answers, a deployment-protection wall that answers 401, and one that redirects
 * to a "login host" which records everything it receives (so we can show no key or password ever reached it).
 *
 * Then Ctrl-C and SIGTERM in the middle of runs: cleanup runs (synthetic rows and vehicles removed, the sandbox
 * stopped, no browser or other process of the run left), the log holds what was measured, the exit is 130/143.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../sandbox/src/index.ts';
import { checkPromotionLog, TEMPLATE_PATH } from '../../reporters/promotion-log/log-file.ts';
import { makeClient } from '../../src/supabase.ts';
import { processTree, runScript, startScript, tempDir, type CliResult } from './run-cli.ts';

const BOUND_MS = 10_000;
const SYNTHETIC_TENANT = 'c0000000-0000-4000-8000-000000000003';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface LocalServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** An HTTP server that records every request before `answer` replies to it. */
async function recordingServer(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<LocalServer> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((r) => server.close(() => r()) && server.closeAllConnections()),
  };
}

/** Accepts connections and never answers: the target that hangs. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** A port nothing listens on. */
async function refusedUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

let sandbox: RunningSandbox;
let dir: string;
let loginHost: LocalServer;
let appWall: LocalServer;
let appProtected: LocalServer;
let apiProxy: LocalServer;
let hang: Awaited<ReturnType<typeof silentServer>>;
let refused: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = tempDir('robustness');
  loginHost = await recordingServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Log in to continue</h1>'));
  // Vercel deployment protection: the app's host sends browsers to a login host, or answers 401 itself.
  appWall = await recordingServer((req, res) =>
    res.writeHead(307, { location: `${loginHost.url}/sso-api?url=${encodeURIComponent(req.url ?? '/')}` }).end(),
  );
  appProtected = await recordingServer((_req, res) => res.writeHead(401, { 'content-type': 'text/html' }).end('<h1>Authentication Required</h1>'));
  apiProxy = await recordingServer((req, res) => res.writeHead(302, { location: `${loginHost.url}/login?next=${encodeURIComponent(req.url ?? '/')}` }).end());
  hang = await silentServer();
  refused = await refusedUrl();
  writeEnv('good', {});
}, 120_000);

afterAll(async () => {
  await Promise.all([loginHost, appWall, appProtected, apiProxy, hang].map((s) => s?.close()));
  await sandbox?.stop();
});

const secrets = () => [sandbox.env.SUPABASE_ANON_KEY, sandbox.env.SUPABASE_SERVICE_ROLE_KEY, sandbox.env.SMOKE_USER_PASSWORD];

function writeEnv(name: string, overrides: Record<string, string | undefined>): void {
  const vars = { ...sandbox.env, ...overrides };
  const text = Object.entries(vars)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  writeFileSync(path.join(dir, `.env.${name}`), `${text}\n`, { mode: 0o600 });
}

/** A fresh copy of the template as the case's log; returns its path and its exact bytes. */
function freshLog(name: string): { log: string; folder: string; bytes: Buffer } {
  const folder = path.join(dir, `log-${name}`);
  mkdirSync(folder, { recursive: true });
  const log = path.join(folder, 'promotion-log.md');
  copyFileSync(TEMPLATE_PATH, log);
  return { log, folder, bytes: readFileSync(log) };
}

async function timed(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult & { ms: number }> {
  const started = performance.now();
  const run = await runScript(script, args, { cwd: dir, env: { SMOKE_OUTPUT_DIR: path.join(dir, 'test-results'), ...env }, timeoutMs: 60_000 });
  return { ...run, ms: performance.now() - started };
}

function expectRefused(run: CliResult & { ms: number }, message: RegExp): void {
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(run.code, run.stderr + run.stdout).toBe(2);
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  for (const secret of secrets()) expect(run.stdout + run.stderr).not.toContain(secret);
  expect(run.ms, `${Math.round(run.ms)} ms`).toBeLessThan(BOUND_MS);
}

function expectUntouched(log: { log: string; folder: string; bytes: Buffer }): void {
  expect(readFileSync(log.log).equals(log.bytes)).toBe(true);
  // No backup, lock or temporary file: nothing was written at all.
  expect(readdirSync(log.folder)).toEqual(['promotion-log.md']);
}

const mintKey = async (claims: Record<string, unknown>, expiresAt: number) =>
  new SignJWT({ iss: 'supabase', ref: 'other', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(expiresAt - 3600)
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode('a-secret-that-is-not-the-sandbox-one-0123456789'));

/** Cases of a broken target: the .env to write, and the one line each command must print. */
async function targetCases(): Promise<Array<[string, Record<string, string | undefined>, RegExp]>> {
  const now = Math.floor(Date.now() / 1000);
  return [
    ['missing', { SUPABASE_URL: undefined, SUPABASE_ANON_KEY: undefined, SMOKE_USER_EMAIL: undefined, SMOKE_USER_PASSWORD: undefined, SUPABASE_SERVICE_ROLE_KEY: undefined }, /--env=missing: missing required variables: SUPABASE_URL, SUPABASE_ANON_KEY, SMOKE_USER_EMAIL, SMOKE_USER_PASSWORD$/],
    ['malformed', { BASE_URL: 'fleet.example.com', SMOKE_USER_EMAIL: 'smoke-at-example' }, /--env=malformed: invalid BASE_URL must be an http\(s\) URL; SMOKE_USER_EMAIL must be an email address$/],
    ['refused', { BASE_URL: refused, SUPABASE_URL: refused }, /--env=refused: BASE_URL http:\/\/127\.0\.0\.1:\d+: connection refused/],
    ['unresolvable', { BASE_URL: 'http://marsana-fleet.invalid', SUPABASE_URL: 'http://marsana-fleet.invalid' }, /--env=unresolvable: BASE_URL http:\/\/marsana-fleet\.invalid: host does not resolve$/],
    ['hanging', { BASE_URL: hang.url, SUPABASE_URL: hang.url }, /--env=hanging: BASE_URL http:\/\/127\.0\.0\.1:\d+: no answer within [\d.]+ s$/],
    ['hanging-api', { SUPABASE_URL: hang.url }, /--env=hanging-api: SUPABASE_URL http:\/\/127\.0\.0\.1:\d+: no answer within [\d.]+ s$/],
    ['wrong-password', { SMOKE_USER_PASSWORD: 'not-the-smoke-password' }, /--env=wrong-password: SMOKE_USER_EMAIL \/ SMOKE_USER_PASSWORD: the auth server refuses them \(400 invalid_credentials\)/],
    ['unknown-user', { SMOKE_USER_EMAIL: 'nobody@synthetic.marsana.test' }, /--env=unknown-user: SMOKE_USER_EMAIL \/ SMOKE_USER_PASSWORD: the auth server refuses them/],
    ['foreign-key', { SUPABASE_ANON_KEY: await mintKey({ role: 'anon' }, now + 3600) }, /--env=foreign-key: SUPABASE_ANON_KEY: the API refuses it \(401 "Invalid API key"\)/],
    ['expired-key', { SUPABASE_ANON_KEY: await mintKey({ role: 'anon' }, now - 60) }, /--env=expired-key: SUPABASE_ANON_KEY expired on \d{4}-\d\d-\d\dT/],
    ['service-key-as-anon', { SUPABASE_ANON_KEY: sandbox.env.SUPABASE_SERVICE_ROLE_KEY }, /--env=service-key-as-anon: SUPABASE_ANON_KEY is a "service_role" key, not an anon key$/],
    ['protected-401', { BASE_URL: appProtected.url }, /--env=protected-401: environment blocked: BASE_URL http:\/\/127\.0\.0\.1:\d+ answers 401 \(deployment protection/],
    ['protected-redirect', { BASE_URL: appWall.url }, /--env=protected-redirect: environment blocked: BASE_URL http:\/\/127\.0\.0\.1:\d+ redirects to http:\/\/127\.0\.0\.1:\d+ \(a login host/],
    ['api-redirect', { SUPABASE_URL: apiProxy.url }, /--env=api-redirect: environment blocked: SUPABASE_URL redirects to http:\/\/127\.0\.0\.1:\d+ \(a login host or a proxy in front of the API\); the key was not sent there/],
  ];
}

describe('pnpm test:smoke refuses a broken target: exit 2, one line, within 10 s, the log untouched', () => {
  it('for every kind of broken target', async () => {
    for (const [name, overrides, message] of await targetCases()) {
      writeEnv(name, overrides);
      const log = freshLog(`smoke-${name}`);
      const run = await timed('scripts/test-smoke.ts', [`--env=${name}`, `--log=${log.log}`]);
      expectRefused(run, new RegExp(`^test:smoke: ${message.source}`));
      expectUntouched(log);
    }
  }, 300_000);

  it('for an unknown --env', async () => {
    const log = freshLog('smoke-unknown-env');
    const run = await timed('scripts/test-smoke.ts', ['--env=staging', `--log=${log.log}`]);
    expectRefused(run, /^test:smoke: --env=staging: no such environment \(\.env\.staging not found\)$/);
    expectUntouched(log);
  });

  it('for a log path that cannot be written or is not a log', async () => {
    const readOnly = freshLog('read-only');
    chmodSync(readOnly.log, 0o444);
    const notALog = freshLog('not-a-log');
    writeFileSync(notALog.log, '# Shopping list\n\n- milk\n');
    notALog.bytes = readFileSync(notALog.log);
    const fileAsFolder = freshLog('file-as-folder');
    const cases: Array<[string, RegExp, typeof readOnly | undefined]> = [
      [readOnly.log, /is read-only \((EACCES|no write permission bit)\)$/, readOnly],
      [notALog.log, /not a promotion log: no "Smoke Tests" heading/, notALog],
      [dir, /is a directory, not a promotion log$/, undefined],
      [path.join(fileAsFolder.log, 'log.md'), /directory .*promotion-log\.md is not writable \(ENOTDIR\)$/, fileAsFolder],
      ['', /^test:smoke: --log needs a value$/, undefined],
    ];
    for (const [logArg, message, log] of cases) {
      const run = await timed('scripts/test-smoke.ts', ['--env=good', `--log=${logArg}`]);
      expectRefused(run, message);
      if (log) expectUntouched(log);
    }
  }, 120_000);
});

describe('monitor, load and gate refuse bad input the same way', () => {
  it('pnpm monitor', async () => {
    const cases = (await targetCases()).filter(([name]) => ['hanging', 'wrong-password', 'foreign-key', 'protected-redirect', 'api-redirect'].includes(name));
    for (const [name, , message] of cases) {
      const log = freshLog(`monitor-${name}`);
      const run = await timed('scripts/monitor.ts', [`--env=${name}`, '--duration=1m', '--interval=1m', `--log=${log.log}`]);
      expectRefused(run, new RegExp(`^monitor: ${message.source}`));
      expectUntouched(log);
    }
    const readOnly = freshLog('monitor-read-only');
    chmodSync(readOnly.log, 0o444);
    expectRefused(await timed('scripts/monitor.ts', ['--env=good', `--log=${readOnly.log}`]), /^monitor: .*is read-only/);
    expectUntouched(readOnly);
  }, 120_000);

  it('pnpm load', async () => {
    const cases = (await targetCases()).filter(([name]) => ['hanging', 'wrong-password', 'protected-401', 'protected-redirect'].includes(name));
    for (const [name, , message] of cases) {
      const run = await timed('scripts/load.ts', [`--env=${name}`, '--profile=read-mix', '--duration=1']);
      expectRefused(run, new RegExp(`^load: ${message.source}`));
    }
  }, 120_000);

  it('pnpm gate', async () => {
    const summary = path.join(dir, 'not-a-summary.json');
    writeFileSync(summary, JSON.stringify({ schema: 'something-else@1' }));
    expectRefused(await timed('scripts/gate.ts', [`--summary=${summary}`]), /^gate: .*not-a-summary\.json is not a smoke summary \(schema something-else@1\)$/);
    expectRefused(await timed('scripts/gate.ts', ['--log=']), /^gate: --log needs a value$/);
  }, 60_000);

  it('sent no key, token or password to a host the configuration did not name', () => {
    // The login host got the browser-less redirects' targets at most; the walls in front of the app got nothing secret.
    for (const [server, where] of [
      [loginHost, 'login host'],
      [appWall, 'protected app (redirecting)'],
      [appProtected, 'protected app (401)'],
    ] as const) {
      for (const r of server.received) {
        const seen = `${r.url} ${JSON.stringify(r.headers)} ${r.body}`;
        for (const secret of secrets()) expect(seen, `${where}: ${r.method} ${r.url}`).not.toContain(secret);
        expect(r.headers.authorization, where).toBeUndefined();
        expect(r.headers.apikey, where).toBeUndefined();
      }
    }
    expect(loginHost.received, 'nothing followed a redirect to the login host').toEqual([]);
    // The walls were asked (the probe reached them), so the absence above means something.
    expect(appWall.received.length).toBeGreaterThan(0);
    expect(appProtected.received.length).toBeGreaterThan(0);
    expect(apiProxy.received.length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Signals

/** Every process below `pid`, from /proc (Linux). */
/** The process's descendants (not itself). */
const descendants = (pid: number): number[] => processTree(pid).slice(1);

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts a command, collecting its output; `done` resolves with its exit. */
function start(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = startScript(script, args, { cwd: dir, env: { SMOKE_OUTPUT_DIR: path.join(dir, `results-${path.basename(script)}`), ...env } });
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out.stderr += c.toString()));
  const done = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, out, done };
}

const service = () => makeClient(sandbox.env.SUPABASE_URL, sandbox.env.SUPABASE_SERVICE_ROLE_KEY);

async function syntheticRows(runId: string): Promise<number> {
  let n = 0;
  for (const table of ['handshakes', 'inspections']) {
    const { count } = await service().from(table).select('id', { count: 'exact', head: true }).like('notes', `*${runId}*`);
    n += count ?? 0;
  }
  return n;
}

async function syntheticVehicles(): Promise<string> {
  const { data } = await service().from('vehicles').select('plate, status').eq('corporate_id', SYNTHETIC_TENANT).order('plate');
  return JSON.stringify(data);
}

/** The log after an interrupted run: still a promotion log, this run's results in it, the previous version kept. */
function expectInterruptedLog(log: { log: string; folder: string; bytes: Buffer }, runId: string): void {
  expect(() => checkPromotionLog(log.log)).not.toThrow();
  const text = readFileSync(log.log, 'utf8');
  expect(text).toContain(runId);
  expect(text).toMatch(/\*\*Overall Status\*\*: (⚠️ INTERRUPTED|❌ FAILED \(.*the run was interrupted\))/);
  expect(text).toMatch(/(interrupted|not run): the run was stopped before this check/);
  expect(readFileSync(`${log.log}.bak`).equals(log.bytes)).toBe(true);
  expect(readdirSync(log.folder).filter((f) => f.includes('.tmp-') || f.endsWith('.lock'))).toEqual([]);
}

describe('Ctrl-C and SIGTERM during a run', () => {
  it('SIGTERM during test:smoke against a running target: synthetic data removed, no process left, the log holds the results so far', async () => {
    writeEnv('signals', {});
    const vehiclesBefore = await syntheticVehicles();
    const log = freshLog('smoke-sigterm');
    const run = start('scripts/test-smoke.ts', ['--env=signals', `--log=${log.log}`]);
    const runId = await waitFor('the run id', () => /run (\S+) against/.exec(run.out.stderr)?.[1]);
    // A write flow has created its synthetic rows: the moment cleanup matters.
    await waitFor('synthetic rows of the run', async () => ((await syntheticRows(runId)) > 0 ? true : undefined));
    const tree = descendants(run.child.pid!);
    expect(tree.some((p) => /chrom/.test(commandOf(p))), 'a browser is running').toBe(true);
    run.child.kill('SIGTERM');
    const code = await run.done;

    expect(code, run.out.stderr).toBe(143);
    expect(run.out.stderr.trim().split('\n').at(-1)).toBe('test:smoke: interrupted by SIGTERM: the promotion log holds the checks that finished');
    expectInterruptedLog(log, runId);
    expect(await syntheticRows(runId)).toBe(0);
    expect(await syntheticVehicles()).toBe(vehiclesBefore);
    await waitFor('the run\'s processes to end', () => (tree.every((p) => !alive(p)) ? true : undefined), 10_000).catch(() => undefined);
    expect(tree.filter(alive).map(commandOf)).toEqual([]);
  }, 300_000);

  it('Ctrl-C during test:smoke on the embedded sandbox: the sandbox stops, no process left, exit 130', async () => {
    const log = freshLog('smoke-sigint');
    const run = start('scripts/test-smoke.ts', [`--log=${log.log}`]);
    const baseUrl = await waitFor('the sandbox', () => /sandbox ready at (\S+)/.exec(run.out.stderr)?.[1]);
    const runId = await waitFor('the run id', () => /run (\S+) against/.exec(run.out.stderr)?.[1]);
    const tree = await waitFor('a browser', () => {
      const t = descendants(run.child.pid!);
      return t.some((p) => /chrom/.test(commandOf(p))) ? t : undefined;
    });
    run.child.kill('SIGINT');
    const code = await run.done;

    expect(code, run.out.stderr).toBe(130);
    expect(run.out.stderr.trim().split('\n').at(-1)).toBe('test:smoke: interrupted by SIGINT: the promotion log holds the checks that finished');
    expectInterruptedLog(log, runId);
    const after = await fetch(new URL('/api/health', baseUrl)).then(
      () => 'answered',
      (e: { cause?: { code?: string } }) => e.cause?.code,
    );
    expect(after, 'the embedded sandbox is stopped').toBe('ECONNREFUSED');
    await waitFor('the run\'s processes to end', () => (tree.every((p) => !alive(p)) ? true : undefined), 10_000).catch(() => undefined);
    expect(tree.filter(alive).map(commandOf)).toEqual([]);
  }, 300_000);

  it('SIGTERM during pnpm monitor: the rows measured stay, the probe vehicle is removed, exit 143', async () => {
    const log = freshLog('monitor-sigterm');
    const thresholds = path.join(dir, 'calm.json');
    writeFileSync(thresholds, JSON.stringify({ apiP95Ms: { target: 3000, trigger: 6000 }, dbP95Ms: { target: 3000, trigger: 6000 }, realtimeMs: { target: 3000, trigger: 6000 } }));
    const run = start('scripts/monitor.ts', ['--env=signals', '--duration=60m', '--interval=10m', '--time-scale=600', '--samples=4', `--thresholds=${thresholds}`, `--log=${log.log}`]);
    await waitFor('the first measurement', () => (/^0 min:/m.test(run.out.stdout) ? true : undefined));
    expect((await service().from('vehicles').select('plate').like('plate', 'MON-%')).data).toHaveLength(1);
    run.child.kill('SIGTERM');
    const code = await run.done;

    expect(code, run.out.stderr).toBe(143);
    expect(run.out.stderr.trim().split('\n').at(-1)).toMatch(/^monitor: interrupted by SIGTERM after [1-6] of 7 measurements; the log holds those$/);
    expect(readFileSync(log.log, 'utf8')).toMatch(/^\| 0 min \| [\d.]+ms \(p95\) \|/m);
    expect((await service().from('vehicles').select('plate').like('plate', 'MON-%')).data).toEqual([]);
  }, 180_000);

  it('Ctrl-C during pnpm load: the figures so far are printed, the synthetic vehicle is removed, exit 130', async () => {
    const run = start('scripts/load.ts', ['--env=signals', '--profile=writes', '--duration=60', '--connections=2']);
    await waitFor('the load to start', () => (/load \S+: writes on signals/.test(run.out.stderr) ? true : undefined));
    expect((await service().from('vehicles').select('plate').like('plate', 'LOAD-%')).data).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1500));
    run.child.kill('SIGINT');
    const code = await run.done;

    expect(code, run.out.stderr).toBe(130);
    expect(run.out.stdout).toMatch(/^writes: [1-9]\d* requests/m);
    expect(run.out.stderr.trim().split('\n').at(-1)).toMatch(/^load: interrupted by SIGINT: the figures above cover the \d+ requests made until then$/);
    expect((await service().from('vehicles').select('plate').like('plate', 'LOAD-%')).data).toEqual([]);
  }, 180_000);
});
