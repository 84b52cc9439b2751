/**
 * The sandbox's API checks, driven through the real @supabase/supabase-js client (and plain fetch for the pages).
 * Defined once and run against each database backend (api.pglite.test.ts, api.postgres.test.ts).
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED, SEED_PASSWORDS } from '../db/seed-data.ts';
import type { RunningSandbox } from '../index.ts';
import { client, signedIn } from './fixtures.ts';

const MARSANA_ADMIN = 'admin@marsana.test';
const NORTHWIND_ADMIN = 'admin@northwind.test';
const marsana = SEED.tenants.find((t) => t.name === 'Marsana Logistics')!;
const northwind = SEED.tenants.find((t) => t.name === 'Northwind Rentals')!;
const synthetic = SEED.tenants.find((t) => t.isSynthetic)!;
const allVehicles = SEED.tenants.reduce((sum, t) => sum + t.vehicleCount, 0);

export function defineApiSuite(backend: string, start: () => Promise<{ sandbox: RunningSandbox; cleanup?: () => Promise<void> }>) {
  describe(`sandbox API on ${backend}`, () => {
    let sandbox: RunningSandbox;
    let cleanup: (() => Promise<void>) | undefined;
    let smoke: SupabaseClient;
    let admin: SupabaseClient;

    beforeAll(async () => {
      ({ sandbox, cleanup } = await start());
      console.log(`${backend} sandbox ready in ${sandbox.readyMs} ms`);
      smoke = await signedIn(sandbox.env, sandbox.env.SMOKE_USER_EMAIL, sandbox.env.SMOKE_USER_PASSWORD);
      admin = client(sandbox.env, 'service_role');
    });

    afterAll(async () => {
      await sandbox?.stop();
      await cleanup?.();
    });

    describe('health', () => {
      it('answers ok after querying the database', async () => {
        const response = await fetch(`${sandbox.baseUrl}/api/health`);
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ status: 'ok', database: 'ok' });
      });
    });

    describe('auth', () => {
      it('signs in with a password and returns a full session', async () => {
        const supabase = client(sandbox.env);
        const { data, error } = await supabase.auth.signInWithPassword({
          email: sandbox.env.SMOKE_USER_EMAIL,
          password: sandbox.env.SMOKE_USER_PASSWORD,
        });
        expect(error).toBeNull();
        expect(data.session).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
        expect(data.session!.access_token.split('.')).toHaveLength(3);
        expect(data.user).toMatchObject({ email: sandbox.env.SMOKE_USER_EMAIL, role: 'authenticated', aud: 'authenticated' });
        const claims = JSON.parse(Buffer.from(data.session!.access_token.split('.')[1]!, 'base64url').toString());
        expect(claims).toMatchObject({ sub: data.user!.id, role: 'authenticated', aud: 'authenticated', aal: 'aal1' });
        expect(typeof claims.session_id).toBe('string');
      });

      it('rejects a wrong password with 400 invalid_credentials', async () => {
        const { error } = await client(sandbox.env).auth.signInWithPassword({
          email: sandbox.env.SMOKE_USER_EMAIL,
          password: 'not-the-password',
        });
        expect(error).toMatchObject({ status: 400, code: 'invalid_credentials', message: 'Invalid login credentials' });
      });

      it('rejects an unknown email the same way', async () => {
        const { error } = await client(sandbox.env).auth.signInWithPassword({ email: 'nobody@marsana.test', password: 'x' });
        expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' });
      });

      it('getUser returns the signed-in user', async () => {
        const { data, error } = await smoke.auth.getUser();
        expect(error).toBeNull();
        expect(data.user?.email).toBe(sandbox.env.SMOKE_USER_EMAIL);
      });

      it('refreshes a session with its refresh token, once', async () => {
        const supabase = await signedIn(sandbox.env, MARSANA_ADMIN, SEED_PASSWORDS.staff);
        const before = (await supabase.auth.getSession()).data.session!;
        const { data, error } = await supabase.auth.refreshSession();
        expect(error).toBeNull();
        expect(data.session!.refresh_token).not.toBe(before.refresh_token);
        const reused = await client(sandbox.env).auth.refreshSession({ refresh_token: before.refresh_token });
        expect(reused.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
      });

      it('signOut ends the session on the server', async () => {
        const supabase = await signedIn(sandbox.env, MARSANA_ADMIN, SEED_PASSWORDS.staff);
        const token = (await supabase.auth.getSession()).data.session!.access_token;
        expect((await supabase.auth.signOut()).error).toBeNull();
        expect((await supabase.auth.getSession()).data.session).toBeNull();
        const response = await fetch(`${sandbox.baseUrl}/auth/v1/user`, {
          headers: { apikey: sandbox.env.SUPABASE_ANON_KEY, authorization: `Bearer ${token}` },
        });
        expect(response.status).toBe(403);
        expect(await response.json()).toMatchObject({ code: 'session_not_found' });
      });

      it('admin.createUser creates a user who can sign in and gets a tenant profile', async () => {
        const email = `created-${Date.now()}@synthetic.marsana.test`;
        const { data, error } = await admin.auth.admin.createUser({
          email,
          password: 'created-password',
          email_confirm: true,
          user_metadata: { corporate_id: synthetic.id, role: 'driver', full_name: 'Created Driver' },
        });
        expect(error).toBeNull();
        expect(data.user).toMatchObject({ email, aud: 'authenticated' });
        const created = await signedIn(sandbox.env, email, 'created-password');
        const { data: profile } = await created.from('profiles').select('email, role, corporate_id').eq('id', data.user!.id).single();
        expect(profile).toEqual({ email, role: 'driver', corporate_id: synthetic.id });
        const again = await admin.auth.admin.createUser({ email, password: 'created-password' });
        expect(again.error).toMatchObject({ status: 422, code: 'email_exists' });
        expect((await admin.auth.admin.deleteUser(data.user!.id)).error).toBeNull();
      });

      it('admin.createUser with the anon key is refused with 403 not_admin', async () => {
        const { error } = await client(sandbox.env).auth.admin.createUser({ email: 'x@marsana.test', password: 'secret-pw' });
        expect(error).toMatchObject({ status: 403, code: 'not_admin' });
      });

      it('requires an apikey, as the Supabase gateway does', async () => {
        const response = await fetch(`${sandbox.baseUrl}/rest/v1/vehicles`);
        expect(response.status).toBe(401);
      });
    });

    describe('rest reads', () => {
      it('selects columns with eq / neq / gt / gte / lt / lte', async () => {
        const eq = await smoke.from('vehicles').select('plate, status').eq('plate', 'SYN-0001');
        expect(eq.error).toBeNull();
        expect(eq.data).toEqual([{ plate: 'SYN-0001', status: 'AVAILABLE' }]);
        const neq = await smoke.from('vehicles').select('plate').neq('plate', 'SYN-0001');
        expect(neq.data).toHaveLength(synthetic.vehicleCount - 1);
        const range = await smoke.from('vehicles').select('plate').gte('plate', 'SYN-0002').lte('plate', 'SYN-0004').order('plate');
        expect(range.data!.map((v) => v.plate)).toEqual(['SYN-0002', 'SYN-0003', 'SYN-0004']);
        const open = await smoke.from('vehicles').select('plate').gt('plate', 'SYN-0006').lt('plate', 'SYN-0008');
        expect(open.data).toEqual([{ plate: 'SYN-0007' }]);
        const numeric = await smoke.from('vehicles').select('year').gte('year', 2018).lt('year', 2100);
        expect(numeric.data).toHaveLength(synthetic.vehicleCount);
      });

      it('filters with like, ilike, in and is', async () => {
        const like = await smoke.from('vehicles').select('plate').like('plate', 'SYN-000%');
        expect(like.data).toHaveLength(synthetic.vehicleCount);
        const ilike = await smoke.from('vehicles').select('plate, make').ilike('make', '%toyota%');
        expect(ilike.data!.length).toBeGreaterThan(0);
        expect(ilike.data!.every((v) => v.make === 'Toyota')).toBe(true);
        const inList = await smoke.from('vehicles').select('plate').in('plate', ['SYN-0002', 'SYN-0005']).order('plate');
        expect(inList.data).toEqual([{ plate: 'SYN-0002' }, { plate: 'SYN-0005' }]);
        const isNull = await smoke.from('handshakes').select('status').is('accepted_by', null);
        expect(isNull.data).toEqual([{ status: 'PENDING' }]);
        const notNull = await smoke.from('handshakes').select('status').not('accepted_by', 'is', null);
        expect(notNull.data).toHaveLength(2);
        const either = await smoke.from('vehicles').select('plate').or('plate.eq.SYN-0001,plate.eq.SYN-0003').order('plate');
        expect(either.data).toEqual([{ plate: 'SYN-0001' }, { plate: 'SYN-0003' }]);
      });

      it('orders, limits and ranges', async () => {
        const desc = await smoke.from('vehicles').select('plate').order('plate', { ascending: false }).limit(2);
        expect(desc.data).toEqual([{ plate: 'SYN-0008' }, { plate: 'SYN-0007' }]);
        const page = await smoke.from('vehicles').select('plate').order('plate').range(2, 4);
        expect(page.data!.map((v) => v.plate)).toEqual(['SYN-0003', 'SYN-0004', 'SYN-0005']);
        const twoKeys = await smoke.from('vehicles').select('status, plate').order('status').order('plate', { ascending: false }).limit(2);
        expect(twoKeys.data).toEqual([
          { status: 'AVAILABLE', plate: 'SYN-0005' },
          { status: 'AVAILABLE', plate: 'SYN-0001' },
        ]);
        const nulls = await smoke.from('handshakes').select('accepted_at').order('accepted_at', { ascending: true, nullsFirst: true });
        expect(nulls.data![0]!.accepted_at).toBeNull();
      });

      it('counts exactly, with rows and with head', async () => {
        const counted = await smoke.from('vehicles').select('plate', { count: 'exact' }).range(0, 1);
        expect(counted.count).toBe(synthetic.vehicleCount);
        expect(counted.data).toHaveLength(2);
        const head = await smoke.from('vehicles').select('*', { count: 'exact', head: true });
        expect(head).toMatchObject({ count: synthetic.vehicleCount, data: null, error: null });
        const none = await smoke.from('vehicles').select('*', { count: 'exact' }).eq('plate', 'NOPE-1');
        expect(none).toMatchObject({ count: 0, data: [] });
      });

      it('single() returns an object, or 406 PGRST116 when not exactly one row', async () => {
        const one = await smoke.from('vehicles').select('plate, make').eq('plate', 'SYN-0001').single();
        expect(one.data).toEqual({ plate: 'SYN-0001', make: 'Toyota' });
        const many = await smoke.from('vehicles').select('plate').single();
        expect(many.status).toBe(406);
        expect(many.error).toMatchObject({ code: 'PGRST116' });
        const maybe = await smoke.from('vehicles').select('plate').eq('plate', 'NOPE-1').maybeSingle();
        expect(maybe).toMatchObject({ data: null, error: null });
      });

      it('embeds related rows', async () => {
        const { data, error } = await smoke
          .from('handshakes')
          .select('status, vehicle:vehicles(plate), origin:branches!from_branch_id(name), inspections(result)')
          .eq('status', 'COMPLETED')
          .single();
        expect(error).toBeNull();
        expect(data).toEqual({
          status: 'COMPLETED',
          vehicle: { plate: 'SYN-0001' },
          origin: { name: 'Synthetic Branch A' },
          inspections: [{ result: 'PASS' }],
        });
        const ambiguous = await smoke.from('handshakes').select('*, branches(name)');
        expect(ambiguous.error).toMatchObject({ code: 'PGRST201' });
      });

      it('answers 404 PGRST205 for an unknown table and 400 42703 for an unknown column', async () => {
        const table = await smoke.from('no_such_table').select('*');
        expect(table.status).toBe(404);
        expect(table.error).toMatchObject({ code: 'PGRST205' });
        const column = await smoke.from('vehicles').select('no_such_column');
        expect(column.status).toBe(400);
        expect(column.error).toMatchObject({ code: '42703' });
      });

      it('answers 401 PGRST301 for a bad JWT', async () => {
        const response = await fetch(`${sandbox.baseUrl}/rest/v1/vehicles`, {
          headers: { apikey: sandbox.env.SUPABASE_ANON_KEY, authorization: 'Bearer not.a.jwt' },
        });
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ code: 'PGRST301' });
      });

      it('answers CORS preflights for browsers', async () => {
        const response = await fetch(`${sandbox.baseUrl}/rest/v1/vehicles`, {
          method: 'OPTIONS',
          headers: { origin: 'http://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'apikey,prefer' },
        });
        expect(response.status).toBeLessThan(300);
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
        expect(response.headers.get('access-control-allow-headers')).toContain('prefer');
      });
    });

    describe('tenant isolation (row-level security in Postgres)', () => {
      it('the smoke user sees only its synthetic tenant', async () => {
        const { data } = await smoke.from('vehicles').select('plate, corporate_id');
        expect(data).toHaveLength(synthetic.vehicleCount);
        expect(data!.every((v) => v.corporate_id === synthetic.id && v.plate.startsWith('SYN-'))).toBe(true);
        const corporates = await smoke.from('corporates').select('name');
        expect(corporates.data).toEqual([{ name: 'Marsana Synthetic Monitoring' }]);
      });

      it('a Marsana user sees no Northwind rows', async () => {
        const marsanaAdmin = await signedIn(sandbox.env, MARSANA_ADMIN, SEED_PASSWORDS.staff);
        const { data } = await marsanaAdmin.from('vehicles').select('plate, corporate_id');
        expect(data).toHaveLength(marsana.vehicleCount);
        expect(data!.some((v) => v.corporate_id === northwind.id)).toBe(false);
        const byId = await marsanaAdmin.from('branches').select('*').eq('corporate_id', northwind.id);
        expect(byId).toMatchObject({ data: [], error: null });
      });

      it('anon gets an empty list, quietly', async () => {
        const { data, error, status } = await client(sandbox.env).from('vehicles').select('*');
        expect({ data, error, status }).toEqual({ data: [], error: null, status: 200 });
      });

      it('the service role sees every tenant', async () => {
        const { count } = await admin.from('vehicles').select('*', { count: 'exact', head: true });
        expect(count).toBe(allVehicles);
      });

      it('seeding left audit rows for every tenant', async () => {
        const { data } = await admin.from('audit_logs').select('corporate_id').eq('action', 'INSERT');
        const tenants = new Set(data!.map((row) => row.corporate_id));
        for (const tenant of SEED.tenants) expect(tenants.has(tenant.id)).toBe(true);
      });
    });

    describe('rest writes', () => {
      it('inserts, updates and deletes with return=representation, audited with the actor', async () => {
        const smokeUser = (await smoke.auth.getUser()).data.user!;
        const [from, to] = synthetic.branchIds;
        const vehicle = (await smoke.from('vehicles').select('id').eq('plate', 'SYN-0004').single()).data!;
        const inserted = await smoke
          .from('handshakes')
          .insert({ corporate_id: synthetic.id, vehicle_id: vehicle.id, from_branch_id: from, to_branch_id: to, requested_by: smokeUser.id, notes: 'sandbox test' })
          .select()
          .single();
        expect(inserted.error).toBeNull();
        expect(inserted.status).toBe(201);
        expect(inserted.data).toMatchObject({ status: 'PENDING', notes: 'sandbox test' });
        const id = inserted.data!.id as string;

        const updated = await smoke.from('handshakes').update({ status: 'ACCEPTED', accepted_by: smokeUser.id }).eq('id', id).select('status').single();
        expect(updated).toMatchObject({ data: { status: 'ACCEPTED' }, error: null, status: 200 });

        const audit = await smoke.from('audit_logs').select('action, actor_id').eq('record_id', id).order('created_at');
        expect(audit.data).toEqual([
          { action: 'INSERT', actor_id: smokeUser.id },
          { action: 'UPDATE', actor_id: smokeUser.id },
        ]);

        const deleted = await smoke.from('handshakes').delete().eq('id', id).select('id');
        expect(deleted.data).toEqual([{ id }]);
      });

      it('refuses rows for another tenant (42501 → 403) and checks constraints', async () => {
        const vehicle = (await admin.from('vehicles').select('id, branch_id').eq('corporate_id', northwind.id).limit(1).single()).data!;
        const foreign = await smoke.from('alerts').insert({ corporate_id: northwind.id, vehicle_id: vehicle.id, kind: 'SPEEDING', severity: 'INFO', message: 'x' });
        expect(foreign.status).toBe(403);
        expect(foreign.error).toMatchObject({ code: '42501' });
        const badStatus = await smoke.from('vehicles').update({ status: 'FLYING' }).eq('plate', 'SYN-0001');
        expect(badStatus.error).toMatchObject({ code: '23514' });
        const duplicate = await admin.from('vehicles').insert({ corporate_id: synthetic.id, branch_id: synthetic.branchIds[0], plate: 'SYN-0001', make: 'X', model: 'Y', year: 2020 });
        expect(duplicate.status).toBe(409);
        expect(duplicate.error).toMatchObject({ code: '23505' });
      });

      it('bulk-inserts (columns=) and upserts (on_conflict, merge or ignore duplicates)', async () => {
        const rows = [1, 2].map((n) => ({
          corporate_id: synthetic.id,
          recipient_email: `bulk-${n}@synthetic.marsana.test`,
          subject: `Bulk ${n}`,
          body: 'sandbox test',
        }));
        const inserted = await smoke.from('notifications').insert(rows, { count: 'exact' }).select('id, status, subject');
        expect(inserted).toMatchObject({ error: null, status: 201, count: 2 });
        expect(inserted.data!.map((r) => [r.subject, r.status])).toEqual([['Bulk 1', 'QUEUED'], ['Bulk 2', 'QUEUED']]);
        const [first, second] = inserted.data!;

        const merged = await smoke
          .from('notifications')
          .upsert({ ...rows[0], id: first!.id, status: 'SENT' }, { onConflict: 'id' })
          .select('id, status')
          .single();
        expect(merged.data).toEqual({ id: first!.id, status: 'SENT' });
        const ignored = await smoke
          .from('notifications')
          .upsert({ ...rows[1], id: second!.id, status: 'FAILED' }, { onConflict: 'id', ignoreDuplicates: true })
          .select('id');
        expect(ignored).toMatchObject({ data: [], error: null });

        const removed = await smoke.from('notifications').delete({ count: 'exact' }).in('id', [first!.id, second!.id]);
        expect(removed).toMatchObject({ error: null, count: 2, status: 204 });
      });

      it('refuses anonymous writes with 401 42501', async () => {
        const { error, status } = await client(sandbox.env).from('alerts').insert({ corporate_id: synthetic.id, kind: 'SPEEDING', severity: 'INFO', message: 'x' });
        expect(status).toBe(401);
        expect(error).toMatchObject({ code: '42501' });
      });

      it('audit rows cannot be changed by users', async () => {
        const row = (await smoke.from('audit_logs').select('id, action').limit(1).single()).data!;
        const updated = await smoke.from('audit_logs').update({ action: 'DELETE' }).eq('id', row.id).select();
        expect(updated).toMatchObject({ data: [], error: null });
        const deleted = await smoke.from('audit_logs').delete().eq('id', row.id).select();
        expect(deleted).toMatchObject({ data: [], error: null });
        expect((await smoke.from('audit_logs').select('action').eq('id', row.id).single()).data).toEqual({ action: row.action });
      });

      it('refuses an update without filters, as pg-safeupdate does', async () => {
        const unfiltered = await fetch(`${sandbox.baseUrl}/rest/v1/vehicles`, {
          method: 'PATCH',
          headers: { apikey: sandbox.env.SUPABASE_SERVICE_ROLE_KEY, 'content-type': 'application/json' },
          body: JSON.stringify({ odometer_km: 1 }),
        });
        expect(unfiltered.status).toBe(400);
        expect(await unfiltered.json()).toMatchObject({ code: '21000' });
      });
    });

    describe('web pages', () => {
      const form = (fields: Record<string, string>) => ({
        method: 'POST',
        redirect: 'manual' as const,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });

      it('redirects a visitor without a session to /login', async () => {
        const response = await fetch(`${sandbox.baseUrl}/vehicles`, { redirect: 'manual' });
        expect(response.status).toBe(303);
        expect(response.headers.get('location')).toBe('/login');
      });

      it('shows the login form', async () => {
        const html = await (await fetch(`${sandbox.baseUrl}/login`)).text();
        expect(html).toContain('<h1>Sign in</h1>');
        expect(html).toMatch(/<label for="email">Email<\/label>/);
        expect(html).toMatch(/<label for="password">Password<\/label>/);
        expect(html).toMatch(/<button type="submit">Sign in<\/button>/);
      });

      it('re-renders the form with an alert on wrong credentials', async () => {
        const response = await fetch(`${sandbox.baseUrl}/login`, form({ email: sandbox.env.SMOKE_USER_EMAIL, password: 'wrong' }));
        expect(response.status).toBe(400);
        expect(await response.text()).toContain('<p role="alert">Invalid login credentials</p>');
      });

      it('signs in, sets the @supabase/ssr cookie, and shows the pages as that user', async () => {
        const response = await fetch(
          `${sandbox.baseUrl}/login`,
          form({ email: sandbox.env.SMOKE_USER_EMAIL, password: sandbox.env.SMOKE_USER_PASSWORD }),
        );
        expect(response.status).toBe(303);
        expect(response.headers.get('location')).toBe('/dashboard');
        const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('sb-sandbox-auth-token='))!;
        expect(setCookie).toMatch(/Path=\//);
        expect(setCookie).toMatch(/SameSite=Lax/);
        expect(setCookie).not.toMatch(/HttpOnly/i);
        const value = setCookie.split(';')[0]!.slice('sb-sandbox-auth-token='.length);
        expect(value.startsWith('base64-')).toBe(true);
        const session = JSON.parse(Buffer.from(value.slice(7), 'base64url').toString());
        expect(session).toMatchObject({ token_type: 'bearer', expires_in: 3600, user: { email: sandbox.env.SMOKE_USER_EMAIL } });
        const cookie = { cookie: setCookie.split(';')[0]! };

        const dashboard = await fetch(`${sandbox.baseUrl}/dashboard`, { headers: cookie });
        const dashboardHtml = await dashboard.text();
        expect(dashboardHtml).toContain('<h1>Dashboard</h1>');
        expect(dashboardHtml).toContain(`Signed in as ${sandbox.env.SMOKE_USER_EMAIL}`);

        const vehiclesHtml = await (await fetch(`${sandbox.baseUrl}/vehicles`, { headers: cookie })).text();
        expect(vehiclesHtml).toContain('<h1>Vehicles</h1>');
        expect(vehiclesHtml).toContain('aria-label="Vehicles"');
        expect(vehiclesHtml.match(/<tr data-search=/g)).toHaveLength(synthetic.vehicleCount);
        expect(vehiclesHtml).not.toContain('MRS-');

        const logout = await fetch(`${sandbox.baseUrl}/logout`, { method: 'POST', redirect: 'manual', headers: cookie });
        expect(logout.status).toBe(303);
        expect(logout.headers.getSetCookie().some((c) => /^sb-sandbox-auth-token=;/.test(c))).toBe(true);
        const after = await fetch(`${sandbox.baseUrl}/dashboard`, { headers: cookie, redirect: 'manual' });
        expect(after.status).toBe(303);
      });
    });
  });
}
