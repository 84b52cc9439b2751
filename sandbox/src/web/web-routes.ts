import { Hono, type Context } from 'hono';
import { AuthApiError } from '../auth/auth-error.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { UserJson } from '../auth/users.ts';
import { asIdentity, type Database, type Sql } from '../db/database.ts';
import type { ActiveFaults } from '../faults.ts';
import type { KeyRing } from '../keys.ts';
import { dataTable, escapeHtml, page } from './html.ts';
import { clearSessionCookie, readSessionCookie, writeSessionCookie } from './session-cookie.ts';
import { vehiclesPageBody, type VehicleListRow } from './vehicles-page.ts';

interface Viewer {
  user: UserJson;
  accessToken: string;
  claims: Record<string, unknown>;
}

type WebEnv = { Variables: { viewer: Viewer } };

export interface WebDependencies {
  db: Database;
  auth: AuthService;
  faults: ActiveFaults;
  keys: KeyRing;
}

const formatTime = (value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 16).replace('T', ' ') : '');

function loginForm(email = '', error?: string): string {
  return page({
    title: 'Sign in',
    body: `<div class="card"><h1>Sign in</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
  <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}">
  <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
  <p><button type="submit">Sign in</button></p>
</form></div>`,
  });
}

/** The Marsana Fleet pages, rendered on the server; data is read as the signed-in user, so row-level security applies. */
export function webRoutes({ db, auth }: WebDependencies): Hono<WebEnv> {
  const app = new Hono<WebEnv>();

  /** The cookie's session, checked with the auth server like the app's middleware does; refreshed when expired. */
  async function viewerOf(c: Context): Promise<Viewer | undefined> {
    const stored = readSessionCookie(c);
    if (!stored) return undefined;
    try {
      const { user, claims } = await auth.authenticate(stored.access_token);
      return { user, claims, accessToken: stored.access_token };
    } catch (error) {
      if (!(error instanceof AuthApiError)) throw error;
      // The auth server is unreachable: no user for this request, but the session is kept for when it is back.
      if (error.status >= 500) return undefined;
    }
    try {
      const session = await auth.refresh(stored.refresh_token);
      writeSessionCookie(c, session);
      const { user, claims } = await auth.authenticate(session.access_token);
      return { user, claims, accessToken: session.access_token };
    } catch (error) {
      if (!(error instanceof AuthApiError)) throw error;
      if (error.status < 500) clearSessionCookie(c);
      return undefined;
    }
  }

  const asViewer = <T,>(viewer: Viewer, fn: (sql: Sql) => Promise<T>) =>
    asIdentity(db, { role: 'authenticated', claims: viewer.claims }, fn);

  app.get('/', async (c) => c.redirect((await viewerOf(c)) ? '/dashboard' : '/login', 303));

  app.get('/login', async (c) => ((await viewerOf(c)) ? c.redirect('/dashboard', 303) : c.html(loginForm())));

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const email = typeof form['email'] === 'string' ? form['email'] : '';
    const password = typeof form['password'] === 'string' ? form['password'] : '';
    try {
      writeSessionCookie(c, await auth.signInWithPassword(email, password));
      return c.redirect('/dashboard', 303);
    } catch (error) {
      if (!(error instanceof AuthApiError)) throw error;
      return c.html(loginForm(email, error.message), error.status >= 500 ? 503 : 400);
    }
  });

  app.post('/logout', async (c) => {
    const stored = readSessionCookie(c);
    if (stored) await auth.logout(stored.access_token, 'local').catch(() => undefined);
    clearSessionCookie(c);
    return c.redirect('/login', 303);
  });

  for (const path of ['/dashboard', '/vehicles', '/handshakes', '/inspections']) {
    app.use(path, async (c, next) => {
      const viewer = await viewerOf(c);
      if (!viewer) return c.redirect('/login', 303);
      c.set('viewer', viewer);
      await next();
    });
  }

  app.get('/dashboard', async (c) => {
    const viewer = c.get('viewer');
    const { byStatus, openAlerts } = await asViewer(viewer, async (sql) => ({
      byStatus: (await sql.query<{ status: string; count: number }>(
        `select status, count(*)::int as count from public.vehicles group by status order by status`,
      )).rows,
      openAlerts: (await sql.query<{ count: number }>(`select count(*)::int as count from public.alerts where not resolved`)).rows[0]!.count,
    }));
    const summary = dataTable('Vehicles by status', ['Status', 'Vehicles'], byStatus.map((r) => [r.status, r.count]));
    return c.html(
      page({
        title: 'Dashboard',
        current: '/dashboard',
        signedInAs: viewer.user.email,
        body: `<h1>Dashboard</h1><p>Signed in as ${escapeHtml(viewer.user.email)}</p>
<h2>Fleet</h2>${summary}<p>Open alerts: ${openAlerts}</p>`,
      }),
    );
  });

  app.get('/vehicles', async (c) => {
    const viewer = c.get('viewer');
    const { rows } = await asViewer(viewer, (sql) =>
      sql.query<VehicleListRow>(
        `select v.plate, v.make, v.model, v.status, b.name as branch
           from public.vehicles v left join public.branches b on b.id = v.branch_id
          order by v.plate`,
      ),
    );
    return c.html(page({ title: 'Vehicles', current: '/vehicles', signedInAs: viewer.user.email, body: vehiclesPageBody(rows) }));
  });

  app.get('/handshakes', async (c) => {
    const viewer = c.get('viewer');
    const { rows } = await asViewer(viewer, (sql) =>
      sql.query<{ plate: string; origin: string; destination: string; status: string; requested_at: Date }>(
        `select v.plate, f.name as origin, t.name as destination, h.status, h.requested_at
           from public.handshakes h
           left join public.vehicles v on v.id = h.vehicle_id
           left join public.branches f on f.id = h.from_branch_id
           left join public.branches t on t.id = h.to_branch_id
          order by h.requested_at desc`,
      ),
    );
    const table = dataTable(
      'Handshakes',
      ['Vehicle', 'From', 'To', 'Status', 'Requested'],
      rows.map((r) => [r.plate, r.origin, r.destination, r.status, formatTime(r.requested_at)]),
    );
    return c.html(page({ title: 'Handshakes', current: '/handshakes', signedInAs: viewer.user.email, body: `<h1>Handshakes</h1>${table}` }));
  });

  app.get('/inspections', async (c) => {
    const viewer = c.get('viewer');
    const { rows } = await asViewer(viewer, (sql) =>
      sql.query<{ plate: string; result: string; inspector: string | null; inspected_at: Date }>(
        `select v.plate, i.result, p.full_name as inspector, i.inspected_at
           from public.inspections i
           left join public.vehicles v on v.id = i.vehicle_id
           left join public.profiles p on p.id = i.inspector_id
          order by i.inspected_at desc`,
      ),
    );
    const table = dataTable(
      'Inspections',
      ['Vehicle', 'Result', 'Inspector', 'Inspected'],
      rows.map((r) => [r.plate, r.result, r.inspector ?? '', formatTime(r.inspected_at)]),
    );
    return c.html(page({ title: 'Inspections', current: '/inspections', signedInAs: viewer.user.email, body: `<h1>Inspections</h1>${table}` }));
  });

  return app;
}
