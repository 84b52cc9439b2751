/**
 * The main job end to end: `pnpm test:smoke` against the embedded sandbox fills the promotion log, and the
 * sandbox's faults make exactly the checks they break fail, with the reason in the log.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectAllPassed, runScript, section, tableRow, tempDir } from './run-cli.ts';

const TABLE_ROWS = [
  'Database Connection',
  'Vehicles Table',
  'Handshakes Table',
  'Inspections Table',
  'Alerts Table',
  'Audit Logs',
  'Branches Table',
  'Corporates Table',
  'API Health',
  'Authentication',
];

function smoke(args: string[], env: NodeJS.ProcessEnv = {}) {
  const dir = tempDir('smoke-proof');
  const log = path.join(dir, 'promotion-log.md');
  return runScript('scripts/test-smoke.ts', [`--log=${log}`, ...args], { env: { SMOKE_OUTPUT_DIR: path.join(dir, 'test-results'), ...env } }).then(
    (r) => ({ ...r, log, dir, text: existsSync(log) ? readFileSync(log, 'utf8') : '' }),
  );
}

describe('pnpm test:smoke on the embedded sandbox', () => {
  it('passes every check on a clean sandbox and fills the log; a rerun replaces its results', async () => {
    const first = await smoke([]);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    for (const row of TABLE_ROWS) {
      const cells = tableRow(first.text, row);
      expect(cells, row).toBeDefined();
      expect(cells![1], `${row}: ${cells!.join(' | ')}`).toBe('✅');
      expect(cells![2]).toMatch(/^\d+ms$/);
    }
    expectAllPassed(first.text);
    expect(first.text).toMatch(/\*\*Overall Status\*\*: ✅ PASSED/);
    for (const heading of ['Login Test', 'Vehicles List Test']) {
      const body = section(first.text, heading);
      expect(body, heading).toMatch(/\*\*Status\*\*: ✅ PASSED/);
      expect(body).not.toContain('[Pending execution]');
      const link = /\*\*Screenshot\*\*: \[[^\]]*\]\(([^)]+)\)/.exec(body)?.[1];
      expect(link, `${heading} screenshot link`).toBeDefined();
      const png = readFileSync(path.resolve(path.dirname(first.log), decodeURI(link!)));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    }
    expect(first.stdout + first.stderr).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./);

    // Rerun on the same file: results replaced in place, nothing appended.
    const again = await runScript('scripts/test-smoke.ts', [`--log=${first.log}`], { env: { SMOKE_OUTPUT_DIR: path.join(first.dir, 'test-results') } });
    expect(again.code, again.stderr).toBe(0);
    const second = readFileSync(first.log, 'utf8');
    expect(second.split('\n')).toHaveLength(first.text.split('\n').length);
    expect(second.match(/\| \*\*Total\*\*/g)).toHaveLength(1);
  });

  it('bad_password: Authentication and Login fail with the reason; exit 1', async () => {
    const run = await smoke([], { SANDBOX_FAULTS: 'bad_password' });
    expect(run.code, run.stderr).toBe(1);
    const auth = tableRow(run.text, 'Authentication');
    expect(auth?.[1]).toBe('❌');
    expect(auth?.[3]).toMatch(/invalid login credentials/i);
    expect(section(run.text, 'Login Test')).toMatch(/\*\*Status\*\*: ❌ FAILED/);
    expect(section(run.text, 'Login Test')).toMatch(/Invalid login credentials/);
    expect(run.text).toMatch(/\*\*Overall Status\*\*: ❌ FAILED/);
    expect(tableRow(run.text, 'API Health')?.[1]).toBe('✅');
  });

  it('rls_hide=vehicles: the Vehicles Table shows "0 rows visible" and the Vehicles List fails; exit 1', async () => {
    const run = await smoke([], { SANDBOX_FAULTS: 'rls_hide=vehicles' });
    expect(run.code, run.stderr).toBe(1);
    const vehicles = tableRow(run.text, 'Vehicles Table');
    expect(vehicles?.[1]).toBe('❌');
    expect(vehicles?.[3]).toBe('0 rows visible');
    expect(section(run.text, 'Vehicles List Test')).toMatch(/\*\*Status\*\*: ❌ FAILED/);
    expect(tableRow(run.text, 'Branches Table')?.[1]).toBe('✅');
    expect(section(run.text, 'Login Test')).toMatch(/\*\*Status\*\*: ✅ PASSED/);
  });
});

describe('pnpm test:smoke refuses bad input with exit 2 and one line', () => {
  it.each([
    [['--env=nope'], /--env=nope: no such environment/],
    [['--evn=prod'], /Unknown option '--evn'/],
  ])('%j', async (args, message) => {
    const run = await runScript('scripts/test-smoke.ts', args);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it('names every missing variable of an environment', async () => {
    const dir = tempDir('smoke-env');
    writeFileSync(path.join(dir, '.env.partial'), 'BASE_URL=https://fleet.example.com\nSMOKE_USER_PASSWORD=hunter2-secret\n');
    const run = await runScript('scripts/test-smoke.ts', ['--env=partial', `--log=${path.join(dir, 'log.md')}`], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('test:smoke: --env=partial: missing required variables: SUPABASE_URL, SUPABASE_ANON_KEY, SMOKE_USER_EMAIL');
    expect(run.stderr).not.toContain('hunter2');
  });

  it('leaves a file that is not a promotion log untouched', async () => {
    const dir = tempDir('smoke-notlog');
    const file = path.join(dir, 'notes.md');
    writeFileSync(file, '# Shopping list\n\n- milk\n');
    const run = await runScript('scripts/test-smoke.ts', [`--log=${file}`]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/not a promotion log/i);
    expect(readFileSync(file, 'utf8')).toBe('# Shopping list\n\n- milk\n');
  });
});
