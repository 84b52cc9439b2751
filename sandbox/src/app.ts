import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { authRoutes } from './auth/auth-routes.ts';
import type { AuthService } from './auth/auth-service.ts';
import type { Database } from './db/database.ts';
import type { FaultSwitchboard } from './faults.ts';
import { CONTROL_PREFIX, failingApi, slowResponses, unreachableAuth } from './http/fault-middleware.ts';
import { faultSwitchRoutes } from './http/fault-switch.ts';
import type { TimingRecorder } from './http/timing-recorder.ts';
import { timingRoutes } from './http/timing-routes.ts';
import { requireApiKey } from './http/gateway.ts';
import { health } from './http/health.ts';
import type { KeyRing } from './keys.ts';
import type { MailCatcher } from './mail/mail-catcher.ts';
import { mailRoutes } from './mail/mail-routes.ts';
import type { Catalog } from './rest/catalog.ts';
import { restRoutes } from './rest/rest-routes.ts';
import { storageRoutes } from './storage/storage-routes.ts';
import { escapeHtml, page } from './web/html.ts';
import { securityHeaders } from './web/security-headers.ts';
import { webRoutes } from './web/web-routes.ts';

export interface AppDependencies {
  db: Database;
  keys: KeyRing;
  auth: AuthService;
  catalog: Catalog;
  /** read at request time: faults switched while the sandbox runs take effect at the next request */
  faults: FaultSwitchboard;
  /** the local mail relay, readable at /__sandbox/mail */
  mail: MailCatcher;
  /** the sandbox's own timing of what it serves, at /__sandbox/timings */
  timings: TimingRecorder;
  log: (line: string) => void;
}

/** What a browser on another origin may send to and read from the Supabase API (supabase-wire.md §1). */
const API_CORS = cors({
  origin: '*',
  allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: [
    'authorization', 'apikey', 'content-type', 'x-client-info', 'x-supabase-api-version', 'prefer',
    'accept-profile', 'content-profile', 'x-upsert', 'cache-control', 'x-retry-count',
  ],
  exposeHeaders: ['Content-Range', 'X-Supabase-Api-Version'],
  maxAge: 3600,
});

/** One origin for everything, as the brief's stand-in: the web pages, the Supabase API and the health check. */
export function createApp({ db, keys, auth, catalog, faults, mail, timings, log }: AppDependencies): Hono {
  const app = new Hono();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // The path only: query strings may carry an apikey.
    log(`${c.req.method} ${c.req.path} ${c.res.status} ${Math.round(performance.now() - started)}ms`);
  });

  // Outside every other middleware, so that the not-found and error pages get the headers too.
  app.use('*', securityHeaders(faults));
  app.route(CONTROL_PREFIX.slice(0, -1), faultSwitchRoutes(faults, keys));
  app.route(CONTROL_PREFIX.slice(0, -1), timingRoutes(timings, keys));
  app.use('*', slowResponses(faults));
  for (const prefix of ['/auth/v1/*', '/rest/v1/*']) {
    app.use(prefix, API_CORS);
    app.use(prefix, requireApiKey(keys));
  }
  app.use('*', failingApi(faults));
  app.use('/auth/v1/*', unreachableAuth(faults));
  app.route('/auth/v1', authRoutes(auth, keys, log));
  app.route('/rest/v1', restRoutes({ db, keys, catalog, log }));
  app.use('/storage/v1/*', API_CORS);
  app.route('/storage/v1', storageRoutes({ db, keys, faults, log }));
  app.route('/__sandbox/mail', mailRoutes(mail, keys));
  app.get('/api/health', (c) => health(c, db, faults));
  app.route('/', webRoutes({ db, auth, faults, keys }));

  app.notFound((c) => {
    if (c.req.path.startsWith('/auth/v1/')) return c.json({ code: 'not_found', message: 'Not Found' }, 404);
    if (c.req.path.startsWith('/rest/v1/') || c.req.path.startsWith('/api/')) {
      return c.json({ code: 'PGRST125', details: null, hint: null, message: `Invalid path specified in request URL` }, 404);
    }
    return c.html(page({ title: 'Not found', body: `<h1>Page not found</h1><p>${escapeHtml(c.req.path)} does not exist.</p>` }), 404);
  });
  app.onError((error, c) => {
    log(`unexpected error: ${error.stack ?? error.message}`);
    return c.html(page({ title: 'Error', body: '<h1>Something went wrong</h1>' }), 500);
  });
  return app;
}
