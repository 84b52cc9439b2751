import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxConfigError } from './config-error.ts';
import { SEED_PASSWORDS } from './db/seed-data.ts';
import { FAULTS, FaultSwitchboard, parseFaults } from './faults.ts';
import { startSandbox, type RunningSandbox } from './index.ts';
import { client, signedIn } from './testing/fixtures.ts';

describe('parseFaults', () => {
  it('accepts nothing, flags, values and repeats', () => {
    expect(parseFaults(undefined).isOn('bad_password')).toBe(false);
    expect(parseFaults('').isOn('rls_hide')).toBe(false);
    const faults = parseFaults(' bad_password , rls_hide=vehicles,rls_hide=alerts');
    expect(faults.isOn('bad_password')).toBe(true);
    expect(faults.valuesOf('rls_hide')).toEqual(['vehicles', 'alerts']);
    expect(faults.valuesOf('bad_password')).toEqual([]);
  });

  it.each([
    ['nope', /unknown fault "nope" \(known faults: bad_password, rls_hide, rls_off, /],
    ['bad_password=1', /fault "bad_password" takes no value/],
    ['rls_hide', /fault "rls_hide" needs a value: rls_hide=<table>/],
    ['rls_hide=', /fault "rls_hide" needs a value/],
    ['rls_hide=auth.users', /fault "rls_hide" does not accept "auth.users"/],
    ['api_slow=fast', /fault "api_slow" needs an integer from 0 to 600000, not "fast"/],
    ['api_slow=-5', /fault "api_slow" needs an integer/],
    ['api_errors=101', /fault "api_errors" needs an integer from 0 to 100, not "101"/],
    ['session_expiry=0', /fault "session_expiry" needs an integer from 1 to 86400/],
    ['tab_missing=Gallery', /fault "tab_missing" does not accept "Gallery" \(one of: overview, documents, maps, inspections, history\)/],
    ['health_down=1', /fault "health_down" takes no value/],
  ])('rejects %j with a one-line message naming the problem', (spec, message) => {
    const error = (() => {
      try {
        parseFaults(spec);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SandboxConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('types values per fault: integers for durations and percentages, names for tables and tabs', () => {
    const faults = parseFaults('api_slow=0250, api_errors=25, session_expiry=90, tab_missing=Maps, table_missing=alerts, api_slow=300');
    expect(faults.numberOf('api_slow')).toBe(300);
    expect(faults.valuesOf('api_slow')).toEqual(['250', '300']);
    expect(faults.numberOf('api_errors')).toBe(25);
    expect(faults.numberOf('session_expiry')).toBe(90);
    expect(faults.numberOf('hydration_delay')).toBeUndefined();
    expect(faults.valuesOf('tab_missing')).toEqual(['maps']);
    expect(faults.valuesOf('table_missing')).toEqual(['alerts']);
    expect(faults.describe()).toBe('api_slow=250,api_slow=300,api_errors=25,session_expiry=90,tab_missing=maps,table_missing=alerts');
  });

  it('a switchboard replaces its whole set, tells its listeners, and keeps the old set on a bad spec', async () => {
    const board = new FaultSwitchboard('bad_password');
    const seen: string[] = [];
    const stop = board.onFaultsChanged((faults) => void seen.push(faults.describe()));
    await board.applyAll();
    const generation = board.generation;
    await board.replace('api_slow=10,health_down');
    expect(board.isOn('bad_password')).toBe(false);
    expect(board.isOn('health_down')).toBe(true);
    expect(board.generation).toBe(generation + 1);
    await expect(board.replace('health_down,nope')).rejects.toThrow(/unknown fault "nope"/);
    expect(board.describe()).toBe('api_slow=10,health_down');
    stop();
    await board.replace('');
    expect(seen).toEqual(['bad_password', 'api_slow=10,health_down']);
    expect(board.describe()).toBe('');
  });

  it('startSandbox refuses an unknown fault before starting anything', async () => {
    await expect(startSandbox({ faults: 'drop_everything' })).rejects.toThrow(SandboxConfigError);
    await expect(startSandbox({ faults: 'drop_everything' })).rejects.toThrow(/unknown fault "drop_everything"/);
  });

  it('every fault is documented in the README', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    for (const name of Object.keys(FAULTS)) expect(readme).toContain(`\`${name}`);
  });
});

describe('fault bad_password (given through SANDBOX_FAULTS, as the CLI and the suite set it)', () => {
  let sandbox: RunningSandbox;
  const previous = process.env['SANDBOX_FAULTS'];

  beforeAll(async () => {
    process.env['SANDBOX_FAULTS'] = 'bad_password';
    try {
      sandbox = await startSandbox();
    } finally {
      if (previous === undefined) delete process.env['SANDBOX_FAULTS'];
      else process.env['SANDBOX_FAULTS'] = previous;
    }
  });
  afterAll(() => sandbox?.stop());

  it('valid credentials fail like wrong ones on the API', async () => {
    const { data, error } = await client(sandbox.env).auth.signInWithPassword({
      email: sandbox.env.SMOKE_USER_EMAIL,
      password: sandbox.env.SMOKE_USER_PASSWORD,
    });
    expect(data.session).toBeNull();
    expect(error).toMatchObject({ status: 400, code: 'invalid_credentials', message: 'Invalid login credentials' });
  });

  it('the login page says "Invalid login credentials" and sets no cookie', async () => {
    const response = await fetch(`${sandbox.baseUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'admin@marsana.test', password: SEED_PASSWORDS.staff }).toString(),
    });
    expect(response.status).toBe(400);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await response.text()).toContain('<p role="alert">Invalid login credentials</p>');
  });

  it('nothing in the answers says that a fault is on', async () => {
    const response = await fetch(`${sandbox.baseUrl}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: sandbox.env.SUPABASE_ANON_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ email: sandbox.env.SMOKE_USER_EMAIL, password: sandbox.env.SMOKE_USER_PASSWORD }),
    });
    const health = await fetch(`${sandbox.baseUrl}/api/health`);
    const seen = [response, health].map((r) => JSON.stringify([...r.headers])).join('') + (await response.text()) + (await health.text());
    expect(seen).not.toMatch(/fault|bad_password|sandbox_faults/i);
  });
});

describe('fault rls_hide=vehicles', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ faults: 'rls_hide=vehicles' });
  });
  afterAll(() => sandbox?.stop());

  it("a user's reads of vehicles return an empty list and no error", async () => {
    const smoke = await signedIn(sandbox.env, sandbox.env.SMOKE_USER_EMAIL, sandbox.env.SMOKE_USER_PASSWORD);
    const vehicles = await smoke.from('vehicles').select('*', { count: 'exact' });
    expect(vehicles).toMatchObject({ data: [], error: null, count: 0, status: 200 });
    // Only that table is affected, and the rows are still there (the service role bypasses row-level security).
    const branches = await smoke.from('branches').select('id');
    expect(branches.data!.length).toBeGreaterThan(0);
    const all = await client(sandbox.env, 'service_role').from('vehicles').select('*', { count: 'exact', head: true });
    expect(all.count).toBeGreaterThan(0);
  });

  it('the vehicles page shows "No vehicles"', async () => {
    const login = await fetch(`${sandbox.baseUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: sandbox.env.SMOKE_USER_EMAIL, password: sandbox.env.SMOKE_USER_PASSWORD }).toString(),
    });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const html = await (await fetch(`${sandbox.baseUrl}/vehicles`, { headers: { cookie } })).text();
    expect(html).toContain('<p>No vehicles</p>');
    expect(html).not.toContain('<tr data-search=');
  });
});
