/**
 * The Marsana Fleet sandbox: a local stand-in for the app and its Supabase project, speaking the real wire
 * protocols over embedded Postgres (PGlite) or a PostgreSQL server.
 */
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import { createApp } from './app.ts';
import { AuthService } from './auth/auth-service.ts';
import { SandboxConfigError } from './config-error.ts';
import { bootstrapDatabase } from './db/bootstrap.ts';
import type { ListeningDatabase } from './db/database.ts';
import { applyDbFaults } from './db/db-faults.ts';
import { openPglite } from './db/pglite-database.ts';
import { describePostgresUrl, openPostgres } from './db/postgres-database.ts';
import { hashSeedPasswords } from './db/seed.ts';
import { SEED, SMOKE_USER } from './db/seed-data.ts';
import { databaseFaultListener, restoreDetachedTables, restoreMigrationFaults } from './db/fault-effects.ts';
import { parseFaults, type FaultSwitchboard } from './faults.ts';
import { createKeyRing } from './keys.ts';
import { MailCatcher } from './mail/mail-catcher.ts';
import { MailSender } from './mail/mail-sender.ts';
import { RealtimeServer } from './realtime/realtime-server.ts';
import { CONTROL_PREFIX } from './http/fault-middleware.ts';
import { TimingRecorder } from './http/timing-recorder.ts';
import { loadCatalog } from './rest/catalog.ts';

export { SandboxConfigError } from './config-error.ts';
export { FAULTS, FaultSwitchboard, type ActiveFaults, type FaultName } from './faults.ts';
export { SEED, SEED_PASSWORDS, SMOKE_USER } from './db/seed-data.ts';

export interface SandboxOptions {
  /** 0 = a random free port (the default) */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** postgres://… uses that PostgreSQL server; undefined: PGlite in memory */
  databaseUrl?: string;
  /** SANDBOX_FAULTS syntax "name[=value],…"; default: process.env.SANDBOX_FAULTS */
  faults?: string;
  /** request and error lines; default: silent */
  log?: (line: string) => void;
  /** lifetime of access tokens in seconds (default 3600, as Supabase); the fault session_expiry overrides it */
  accessTokenTtl?: number;
}

export interface TargetEnv {
  BASE_URL: string;
  SUPABASE_URL: string;
  SUPABASE_ANON_KEY: string;
  SUPABASE_SERVICE_ROLE_KEY: string;
  /** the database itself, for catalog and integrity checks: DATABASE_URL, or PGlite's wire endpoint */
  SUPABASE_DB_URL: string;
  SMOKE_USER_EMAIL: string;
  SMOKE_USER_PASSWORD: string;
  SMOKE_ALLOW_WRITES: string;
}

export interface RunningSandbox {
  baseUrl: string;
  env: TargetEnv;
  /** milliseconds from startSandbox() until it answered requests */
  readyMs: number;
  /** the active faults; `faults.replace('api_slow=200')` switches them while the sandbox runs */
  faults: FaultSwitchboard;
  stop(): Promise<void>;
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SandboxConfigError(`port must be an integer from 0 to 65535, not ${port}`);
  }
  return port;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        error.code === 'EADDRINUSE' ? new SandboxConfigError(`port ${port} on ${host} is already in use`)
        : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' ? new SandboxConfigError(`cannot listen on host ${host}`)
        : error,
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** The URL people and clients use: a wildcard listen address is reached through loopback. */
function originFor(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const faults = parseFaults(opts.faults ?? process.env['SANDBOX_FAULTS']);
  const port = checkPort(opts.port ?? 0);
  const host = opts.host ?? '127.0.0.1';
  if (opts.databaseUrl !== undefined) describePostgresUrl(opts.databaseUrl);
  const accessTokenTtl = opts.accessTokenTtl;
  if (accessTokenTtl !== undefined && (!Number.isSafeInteger(accessTokenTtl) || accessTokenTtl < 1)) {
    throw new SandboxConfigError(`accessTokenTtl must be a positive whole number of seconds, not ${accessTokenTtl}`);
  }

  // Hashing runs on libuv's thread pool while the database starts; it is awaited only if the database is new.
  const passwordHashes = hashSeedPasswords(SEED.users);
  passwordHashes.catch(() => undefined);
  const keyRing = createKeyRing();

  const content = { seed: SEED, passwordHashes: () => passwordHashes };
  const db: ListeningDatabase = opts.databaseUrl
    ? await openPostgres(opts.databaseUrl, log)
    : await openPglite({ prepare: async (fresh) => void (await bootstrapDatabase(fresh, { ...content, hiddenTables: [] })), log });
  // Started services, stopped in reverse order (at stop, or when the start fails half-way).
  const services: (() => Promise<void>)[] = [];
  const stopServices = async () => {
    for (const stopService of services.reverse()) await stopService().catch((error: Error) => log(`stop: ${error.message}`));
  };
  try {
    // A table that fault table_missing moved away in a run that did not stop cleanly comes back first.
    if (db.kind === 'postgres') await db.transaction((sql) => restoreDetachedTables(sql));
    await bootstrapDatabase(db, { ...content, hiddenTables: [] });
    // Likewise dropped indexes, disabled audit triggers and the orphan row (bootstrap re-applied the policies).
    if (db.kind === 'postgres') await db.transaction((sql) => restoreMigrationFaults(sql));
    const catalog = await db.transaction((sql) => loadCatalog(sql));
    faults.onFaultsChanged(
      databaseFaultListener(db, async (sql) => {
        // PostgREST's schema cache reload: the routes hold this object, so it is updated in place.
        const fresh = await loadCatalog(sql);
        catalog.tables = fresh.tables;
        catalog.foreignKeys = fresh.foreignKeys;
      }),
    );
    // The trigger functions read the database-level faults from sandbox.faults.
    faults.onFaultsChanged((active) => applyDbFaults(db, active));
    const keys = await keyRing;
    const mail = new MailCatcher(faults, log);
    await mail.start();
    services.push(() => mail.stop());
    const mailSender = new MailSender(db, mail.port, log);
    await mailSender.start();
    services.push(() => mailSender.stop());
    let origin = '';
    const auth = new AuthService({ db, keys, faults, origin: () => origin, log, ...(accessTokenTtl !== undefined && { accessTokenTtlS: accessTokenTtl }) });
    const timings = new TimingRecorder();
    const app = createApp({ db, keys, auth, catalog, faults, mail, timings, log });
    await faults.applyAll();
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    timings.attach(server, CONTROL_PREFIX);
    const realtime = new RealtimeServer({ db, keys, faults, timings, log });
    await realtime.attach(server);
    services.push(() => realtime.close(server));
    const databaseUrl = await db.directUrl();
    const address = await listen(server, port, host);
    origin = originFor(host, address.port);
    log(`sandbox listening on ${origin} (${db.description})`);

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive connections would hold close() open until they time out.
        server.closeAllConnections();
        await closed;
        await stopServices();
        await db.close();
      })());

    return {
      baseUrl: origin,
      readyMs: Math.round(performance.now() - started),
      faults,
      stop,
      env: {
        BASE_URL: origin,
        SUPABASE_URL: origin,
        SUPABASE_ANON_KEY: keys.anonKey,
        SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
        SUPABASE_DB_URL: databaseUrl,
        SMOKE_USER_EMAIL: SMOKE_USER.email,
        SMOKE_USER_PASSWORD: SMOKE_USER.password,
        SMOKE_ALLOW_WRITES: 'true',
      },
    };
  } catch (error) {
    await stopServices();
    await db.close().catch(() => undefined);
    throw error;
  }
}
