import { Hono, type Context } from 'hono';
import { AuthApiError } from '../auth/auth-error.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { UserJson } from '../auth/users.ts';
import { asIdentity, type Database, type Sql } from '../db/database.ts';
import type { ActiveFaults } from '../faults.ts';
import type { KeyRing } from '../keys.ts';
import { dataTable, escapeHtml, page, timeText } from './html.ts';
import { assetRoutes, MAPS_KEY } from './assets.ts';
import { CHECKLIST, handshakesPageBody, inspectionsPageBody, type BranchChoice, type HandshakeRow, type InspectionRow, type VehicleChoice } from './forms-pages.ts';
import { permissionsOf } from './permissions.ts';
import { clearSessionCookie, readSessionCookie, SESSION_COOKIE, writeSessionCookie } from './session-cookie.ts';
import { vehiclePageBody, vehiclePageData } from './vehicle-page.ts';
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;


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
export function webRoutes({ db, auth, faults, keys }: WebDependencies): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  app.route('/', assetRoutes(faults, keys));

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

  for (const path of ['/dashboard', '/vehicles', '/vehicles/*', '/handshakes', '/inspections']) {
    app.use(path, async (c, next) => {
      const viewer = await viewerOf(c);
      if (!viewer) return c.redirect('/login', 303);
      c.set('viewer', viewer);
      await next();
    });
  }

  /** What the app's browser code needs: the public key (NEXT_PUBLIC_SUPABASE_ANON_KEY), the cookie's name, page data. */
  const appConfig = (viewer: Viewer, data: Record<string, unknown> = {}) => ({
    anonKey: keys.anonKey,
    cookie: SESSION_COOKIE,
    userId: viewer.user.id,
    ...data,
  });

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
    const { vehicles, branches } = await asViewer(viewer, async (sql) => ({
      vehicles: (await sql.query<VehicleListRow>(
        `select v.id, v.plate, v.make, v.model, v.status, v.branch_id, b.name as branch
           from public.vehicles v left join public.branches b on b.id = v.branch_id
          order by v.plate`,
      )).rows,
      branches: (await sql.query<BranchChoice>(`select id, name from public.branches order by name`)).rows,
    }));
    return c.html(
      page({
        title: 'Vehicles',
        current: '/vehicles',
        signedInAs: viewer.user.email,
        body: vehiclesPageBody(vehicles, branches),
        app: appConfig(viewer, { branches: Object.fromEntries(branches.map((b) => [b.id, b.name])) }),
      }),
    );
  });

  app.get('/vehicles/:id', async (c) => {
    const viewer = c.get('viewer');
    const id = c.req.param('id');
    const data = UUID.test(id) ? await asViewer(viewer, (sql) => vehiclePageData(sql, id)) : undefined;
    if (!data) return c.html(page({ title: 'Not found', signedInAs: viewer.user.email, body: '<h1>Vehicle not found</h1>' }), 404);
    return c.html(
      page({
        title: data.vehicle.plate,
        current: '/vehicles',
        signedInAs: viewer.user.email,
        body: vehiclePageBody(data, faults.valuesOf('tab_missing')),
        app: appConfig(viewer, { mapsKey: MAPS_KEY }),
      }),
    );
  });

  /** The signed-in user's tenant, the vehicles and the branches they may choose from in a form. */
  type FormChoices = Awaited<ReturnType<typeof formChoices>>;
  const formChoices = (sql: Sql) =>
    Promise.all([
      sql.query<{ id: string | null; role: string | null }>(
        `select public.current_corporate_id() as id, (select role from public.profiles where id = auth.uid()) as role`,
      ),
      sql.query<VehicleChoice>(`select id, plate, branch_id from public.vehicles order by plate`),
      sql.query<BranchChoice>(`select id, name from public.branches order by name`),
    ]).then(([viewer, vehicles, branches]) => ({
      corporateId: viewer.rows[0]?.id ?? null,
      may: permissionsOf(viewer.rows[0]?.role ?? null, faults),
      vehicles: vehicles.rows,
      branches: branches.rows,
    }));

  /** A list page with a create form: its rows and the form's choices, read as the user in one transaction. */
  function listWithForm<Row>(path: string, title: string, rowsSql: string, render: (rows: Row[], choices: FormChoices) => [body: string, data: Record<string, unknown>]) {
    app.get(path, async (c) => {
      const viewer = c.get('viewer');
      const { rows, choices } = await asViewer(viewer, async (sql) => ({ rows: (await sql.query<Row>(rowsSql)).rows, choices: await formChoices(sql) }));
      const [body, data] = render(rows, choices);
      return c.html(
        page({ title, current: path, signedInAs: viewer.user.email, body, app: appConfig(viewer, { corporateId: choices.corporateId, ...data }) }),
      );
    });
  }

  listWithForm<HandshakeRow>(
    '/handshakes',
    'Handshakes',
    `select h.id, v.plate, f.name as origin, t.name as destination, h.status, ${timeText('h.requested_at')} as requested_at
       from public.handshakes h
       left join public.vehicles v on v.id = h.vehicle_id
       left join public.branches f on f.id = h.from_branch_id
       left join public.branches t on t.id = h.to_branch_id
      order by h.requested_at desc, h.id`,
    (rows, choices) => [handshakesPageBody(rows, choices.vehicles, choices.branches, choices.may), { vehicles: choices.vehicles }],
  );

  listWithForm<InspectionRow>(
    '/inspections',
    'Inspections',
    `select v.plate, i.result, p.full_name as inspector, ${timeText('i.inspected_at')} as inspected_at, i.photo_path
       from public.inspections i
       left join public.vehicles v on v.id = i.vehicle_id
       left join public.profiles p on p.id = i.inspector_id
      order by i.inspected_at desc, i.id`,
    (rows, choices) => [inspectionsPageBody(rows, choices.vehicles, choices.may), { checklist: CHECKLIST }],
  );

  return app;
}
