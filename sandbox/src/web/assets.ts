import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import type { ActiveFaults } from '../faults.ts';
import type { KeyRing } from '../keys.ts';

/** Where the page loads the app's browser code from, after the page itself (see html.ts). */
export const APP_BUNDLE_PATH = '/_next/static/chunks/app.js';
export const SUPABASE_BUNDLE_PATH = '/assets/supabase.js';
/** The public runtime configuration every page loads with a `<script src>` (see html.ts), as next-runtime-env serves it. */
export const ENV_CONFIG_PATH = '/_next/static/chunks/env-config.js';
/** The maps API key the pages send to the maps loader; a made-up key in Google's format. */
export const MAPS_KEY = 'AIzaSyMarsanaFleetSandbox000000000000';

const require = createRequire(import.meta.url);
const once = <T,>(load: () => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
};
const clientFile = (name: string) => once(() => readFile(new URL(`./client/${name}`, import.meta.url), 'utf8'));
const appSource = clientFile('app.js');
const mapsSource = clientFile('maps.js');
// supabase-js' browser build from node_modules (the UMD bundle defines window.supabase).
const supabaseSource = once(() => readFile(require.resolve('@supabase/supabase-js/dist/umd/supabase.js'), 'utf8'));

/**
 * The app's bundle as a broken release ships it: the lines that wire a feature (marked in app.js with a trailing
 * comment) are left out when its fault is on; the markers never reach the browser.
 */
export function appBundle(source: string, faults: ActiveFaults): string {
  const dropped = new Set<string>();
  if (faults.isOn('search_broken')) dropped.add('search');
  if (faults.isOn('filter_broken')) dropped.add('filters');
  return source
    .split('\n')
    .filter((line) => {
      const marker = /\/\*(\w+)\*\/\s*$/.exec(line)?.[1];
      return !marker || !dropped.has(marker);
    })
    .map((line) => line.replace(/\s*\/\*\w+\*\/\s*$/, ''))
    .join('\n');
}

/**
 * The app's NEXT_PUBLIC_ variables as the browser gets them. Fault `service_key_exposed`: the deployment also has
 * NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY set, so the key that bypasses row-level security ships to every visitor.
 */
export function envConfigScript(keys: KeyRing, faults: ActiveFaults): string {
  const env: Record<string, string> = { NEXT_PUBLIC_SUPABASE_ANON_KEY: keys.anonKey };
  if (faults.isOn('service_key_exposed')) env['NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY'] = keys.serviceRoleKey;
  return `self.__ENV = ${JSON.stringify(env)};\n`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const JS = { 'Content-Type': 'text/javascript; charset=utf-8' };

/** Static scripts: the runtime config, the app bundle, supabase-js for the browser, and the offline maps loader. */
export function assetRoutes(faults: ActiveFaults, keys: KeyRing): Hono {
  const app = new Hono();

  // no-store: the keys change at every start, and so may the deployment's variables.
  app.get(ENV_CONFIG_PATH, (c) => c.body(envConfigScript(keys, faults), 200, { ...JS, 'Cache-Control': 'no-store' }));

  app.get(APP_BUNDLE_PATH, async (c) => {
    // hydration_delay: the bundle arrives late, so the page stays inert that long after it loaded.
    const delay = faults.numberOf('hydration_delay');
    if (delay) await sleep(delay);
    return c.body(appBundle(await appSource(), faults), 200, { ...JS, 'Cache-Control': 'no-store' });
  });

  app.get(SUPABASE_BUNDLE_PATH, async (c) => c.body(await supabaseSource(), 200, { ...JS, 'Cache-Control': 'public, max-age=3600' }));

  app.get('/maps/api/js', async (c) => c.body(await mapsSource(), 200, { ...JS, 'Cache-Control': 'no-store' }));

  // The key check the loader makes once a map is drawn: [1] accepted, [0] refused (maps_auth_failure).
  app.get('/maps/api/js/AuthenticationService.Authenticate', (c) =>
    c.json([faults.isOn('maps_auth_failure') || c.req.query('key') !== MAPS_KEY ? 0 : 1]),
  );

  return app;
}
