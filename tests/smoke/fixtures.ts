/**
 * Fixtures of the smoke suite. The target comes from the environment the CLI prepared; the smoke user signs
 * in once per worker (API and UI), and a check that cannot run because that sign-in failed is skipped with
 * the reason, so the one real failure (Authentication, Login) is not drowned in copies of itself.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect, type Page, type TestInfo, type BrowserContext } from '@playwright/test';
import type { SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import lockfile from 'proper-lockfile';
import { appProfile } from '../../src/config/app-profile.ts';
import { parseTargetEnv, writeRefusal, writesAllowed, type TargetEnv } from '../../src/config/target-env.ts';
import { loadSchemaManifest, type SchemaManifest } from '../../src/db-checks/schema-manifest.ts';
import { MEASUREMENT_ATTACHMENT, type Measurement } from '../../src/log-annotations.ts';
import { describeError, makeClient } from '../../src/supabase.ts';
import { smokeTag } from '../../src/synthetic/smoke-leftovers.ts';

export type ApiSession =
  | { ok: true; client: SupabaseClient; userId: string; tenantId?: string; tenantProblem?: string }
  | { ok: false; reason: string };

export type UiSession = { ok: true; storageState: Awaited<ReturnType<BrowserContext['storageState']>> } | { ok: false; reason: string };

/** A direct connection to the target's database (SUPABASE_DB_URL), for the catalog and integrity checks. */
export type DbSession =
  | { ok: true; client: pg.Client; manifest: SchemaManifest }
  | { ok: false; configured: boolean; reason: string };

interface WorkerFixtures {
  target: TargetEnv;
  apiSession: ApiSession;
  uiSession: UiSession;
  dbSession: DbSession;
}

interface TestFixtures {
  /** The smoke user's signed-in API client; skips the test when the user could not sign in. */
  smokeApi: Extract<ApiSession, { ok: true }>;
  /** A page signed in as the smoke user; skips the test when the UI sign-in failed. */
  signedInPage: Page;
  /**
   * The database connection; skips the test when SUPABASE_DB_URL is not set (a check that could not look is
   * never reported as passed), fails it when it is set but the database cannot be reached.
   */
  database: Extract<DbSession, { ok: true }>;
  /**
   * Held while a test reads or changes vehicle statuses: the Vehicles List Test compares what it read with what
   * its filters show, so a write flow must not change a vehicle under it (one lock per run, across workers).
   */
  vehiclesLock: void;
  /**
   * Synthetic data of a write flow: everything it creates carries the run id and is the smoke tenant's, and is
   * deleted after the test, passed or failed. Skips the test in read-only mode.
   */
  synthetic: Synthetic;
}

export const READ_ONLY_REASON = 'read-only mode (SMOKE_ALLOW_WRITES is not 1)';

/** The run's id (set by `pnpm test:smoke`), written into everything a write flow creates. */
// Without one (Playwright run directly), the runner's pid: the same in every worker of the run, so the vehicles
// lock still spans them.
export const RUN_ID = process.env.SMOKE_RUN_ID || `local-${process.ppid}`;

export interface Synthetic {
  runId: string;
  /** This test's own mark (the run id and a suffix), in everything `tag` makes: cleanup matches it. */
  mark: string;
  client: SupabaseClient;
  userId: string;
  tenantId: string;
  /** When the test's writes began (for time windows: emails, notifications). */
  startedAt: Date;
  /** Text carrying the run id, for notes columns. */
  tag(text: string): string;
  /** Puts the vehicle's status back after the test. */
  restoreVehicleStatus(vehicleId: string, status: string): void;
  /** Deletes the notifications to the smoke user with this subject created during the test. */
  removeNotifications(subject: string): void;
  /** Removes, after the test, objects of this storage folder whose name carries the run id. */
  watchPhotoFolder(folder: string): void;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  target: [
    async ({}, use) => {
      await use(parseTargetEnv(process.env, 'smoke suite environment'));
    },
    { scope: 'worker' },
  ],

  apiSession: [
    async ({ target }, use) => {
      const client = makeClient(target.SUPABASE_URL, target.SUPABASE_ANON_KEY);
      const { data, error } = await client.auth.signInWithPassword({
        email: target.SMOKE_USER_EMAIL,
        password: target.SMOKE_USER_PASSWORD,
      });
      if (error || !data.session) {
        await use({ ok: false, reason: `smoke user cannot sign in (${describeError(error)})` });
        return;
      }
      const userId = data.user.id;
      const { profiles } = appProfile;
      const own = await client.from(profiles.table).select(profiles.tenantColumn).eq(profiles.idColumn, userId);
      const row = own.data?.[0] as Record<string, unknown> | undefined;
      const tenantId = typeof row?.[profiles.tenantColumn] === 'string' ? (row[profiles.tenantColumn] as string) : undefined;
      const tenantProblem = own.error
        ? `smoke user's profile unreadable (${describeError(own.error, own.status)})`
        : tenantId
          ? undefined
          : `smoke user's own ${profiles.table} row not visible (0 rows)`;
      await use({ ok: true, client, userId, tenantId, tenantProblem });
      await client.auth.signOut({ scope: 'local' }).catch(() => undefined);
    },
    { scope: 'worker' },
  ],

  uiSession: [
    async ({ browser, target }, use) => {
      const context = await browser.newContext({ baseURL: target.BASE_URL });
      const page = await context.newPage();
      let session: UiSession;
      try {
        await signInThroughUi(page, target);
        session = { ok: true, storageState: await context.storageState() };
      } catch (e) {
        session = { ok: false, reason: `smoke user cannot sign in through the UI (${firstLine(e)})` };
      } finally {
        await context.close();
      }
      await use(session);
    },
    { scope: 'worker' },
  ],

  dbSession: [
    async ({ target }, use) => {
      if (!target.SUPABASE_DB_URL) {
        await use({ ok: false, configured: false, reason: 'SUPABASE_DB_URL not set: the catalog checks need a direct database connection' });
        return;
      }
      // The CLI validated the manifest before the run; a direct Playwright run meets its error here.
      const manifest = loadSchemaManifest(process.env.SMOKE_SCHEMA_MANIFEST);
      const client = new pg.Client({ connectionString: target.SUPABASE_DB_URL, connectionTimeoutMillis: 10_000, statement_timeout: 15_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
      } catch (e) {
        await use({ ok: false, configured: true, reason: `database unreachable over SUPABASE_DB_URL (${firstLine(e)})` });
        return;
      }
      await use({ ok: true, client, manifest });
      await client.end().catch(() => undefined);
    },
    { scope: 'worker' },
  ],

  database: async ({ dbSession }, use) => {
    if (!dbSession.ok && !dbSession.configured) test.skip(true, dbSession.reason);
    if (!dbSession.ok) throw new CheckFailed(dbSession.reason);
    await use(dbSession);
  },

  smokeApi: async ({ apiSession }, use) => {
    if (!apiSession.ok) test.skip(true, `blocked: ${apiSession.reason}`);
    await use(apiSession as Extract<ApiSession, { ok: true }>);
  },

  signedInPage: async ({ browser, uiSession, target }, use) => {
    if (!uiSession.ok) test.skip(true, `blocked: ${uiSession.reason}`);
    const { storageState } = uiSession as Extract<UiSession, { ok: true }>;
    const context = await browser.newContext({ baseURL: target.BASE_URL, storageState });
    const page = await context.newPage();
    await use(page);
    await context.close();
  },

  vehiclesLock: async ({}, use) => {
    const file = path.join(os.tmpdir(), `smoke-vehicles-${RUN_ID.replace(/[^A-Za-z0-9_-]/g, '_')}`);
    const release = await lockfile.lock(file, { realpath: false, stale: 30_000, retries: { retries: 600, minTimeout: 50, maxTimeout: 100 } });
    try {
      await use();
    } finally {
      await release().catch(() => undefined);
    }
  },

  synthetic: async ({ target, smokeApi }, use) => {
    if (!writesAllowed(target)) test.skip(true, READ_ONLY_REASON);
    if (!smokeApi.tenantId) throw new CheckFailed(smokeApi.tenantProblem ?? 'smoke tenant unknown');
    const refusal = writeRefusal(target, process.env.SMOKE_ENV, smokeApi.tenantId);
    if (refusal) test.skip(true, refusal);
    const { client, userId, tenantId } = smokeApi;
    const restores = new Map<string, string>();
    const subjects = new Set<string>();
    const folders = new Set<string>();
    const startedAt = new Date(Date.now() - 2_000);
    // The run id, then this test's own mark: a flow cleans up only its own rows, never a parallel flow's.
    const mark = `${RUN_ID}#${randomBytes(4).toString('hex')}`;
    try {
      await use({
        runId: RUN_ID,
        mark,
        client,
        userId,
        tenantId,
        startedAt,
        tag: (text) => smokeTag(text, mark),
        restoreVehicleStatus: (id, status) => {
          if (!restores.has(id)) restores.set(id, status);
        },
        removeNotifications: (subject) => subjects.add(subject),
        watchPhotoFolder: (folder) => folders.add(folder),
      });
    } finally {
      await removeSyntheticData(client, { mark, tenantId, userId, startedAt, restores, subjects, folders });
    }
  },
});

/** Deletes what a write flow created (tagged rows, their photos, notifications) and restores vehicle statuses. */
async function removeSyntheticData(
  client: SupabaseClient,
  w: { mark: string; tenantId: string; userId: string; startedAt: Date; restores: Map<string, string>; subjects: Set<string>; folders: Set<string> },
): Promise<void> {
  const problems: string[] = [];
  const note = (what: string, error: unknown) => error && problems.push(`${what}: ${describeError(error)}`);
  const tagged = `*${w.mark}*`;
  const bucket = client.storage.from(appProfile.inspectionPhotosBucket);

  const inspections = await client.from('inspections').select('id, photo_path').eq('corporate_id', w.tenantId).like('notes', tagged);
  note('reading tagged inspections', inspections.error);
  const paths = new Set((inspections.data ?? []).map((r) => r.photo_path as string | null).filter((p): p is string => !!p));
  for (const folder of w.folders) {
    const listed = await bucket.list(folder, { limit: 1000, search: RUN_ID });
    note(`listing ${folder}`, listed.error);
    for (const o of listed.data ?? []) if (o.name.includes(RUN_ID)) paths.add(`${folder}/${o.name}`);
  }
  if (paths.size > 0) note('removing photos', (await bucket.remove([...paths])).error);
  note('deleting inspections', (await client.from('inspections').delete().eq('corporate_id', w.tenantId).like('notes', tagged)).error);
  note('deleting handshakes', (await client.from('handshakes').delete().eq('corporate_id', w.tenantId).like('notes', tagged)).error);
  for (const [id, status] of w.restores) {
    note(`restoring vehicle ${id}`, (await client.from('vehicles').update({ status }).eq('id', id)).error);
  }
  for (const subject of w.subjects) {
    const removed = await client
      .from('notifications')
      .delete()
      .eq('recipient_id', w.userId)
      .eq('subject', subject)
      .gte('created_at', w.startedAt.toISOString());
    note('deleting notifications', removed.error);
  }
  if (problems.length > 0) throw new Error(`synthetic data not cleaned up: ${problems.join('; ')}`);
}

export { expect };

/** Fills the login form and waits for the dashboard; throws with the page's own error text when it stays on login. */
export async function signInThroughUi(page: Page, target: TargetEnv): Promise<void> {
  const { paths, labels } = appProfile;
  await page.goto(paths.login);
  await page.getByLabel(labels.email).fill(target.SMOKE_USER_EMAIL);
  await page.getByLabel(labels.password).fill(target.SMOKE_USER_PASSWORD);
  await page.getByRole('button', { name: labels.signIn }).click();
  await page.waitForURL((url) => url.pathname !== paths.login, { timeout: 10_000 }).catch(async () => {
    const alert = await page.getByRole('alert').first().textContent({ timeout: 1_000 }).catch(() => null);
    throw new Error(alert ? `login page says "${alert.trim()}"` : `still on ${paths.login} after submitting`);
  });
}

/** Navigates and fails with "session lost" when the app bounces the signed-in user to the login page. */
export async function gotoSignedIn(page: Page, path: string): Promise<void> {
  await page.goto(path);
  if (new URL(page.url()).pathname === appProfile.paths.login) {
    throw new Error(`session lost: ${path} redirected to ${appProfile.paths.login}`);
  }
}

/** What a check found: its evidence line, values for the log's detail lists, latencies it measured. */
export type Evidence = Pick<Measurement, 'notes' | 'details' | 'samplesMs'>;

/**
 * Runs a check's body, timing only the body (not fixtures), and attaches the measurement the log reporter
 * writes: the evidence line on success, the reason on failure.
 */
export async function measured(testInfo: TestInfo, body: () => Promise<string | Evidence>): Promise<void> {
  const started = performance.now();
  let measurement: Measurement;
  try {
    const result = await body();
    const evidence = typeof result === 'string' ? { notes: result } : result;
    measurement = { durationMs: Math.round(performance.now() - started), ...evidence };
  } catch (e) {
    measurement = { durationMs: Math.round(performance.now() - started), notes: firstLine(e) };
    await attachMeasurement(testInfo, measurement);
    throw e;
  }
  await attachMeasurement(testInfo, measurement);
}

async function attachMeasurement(testInfo: TestInfo, m: Measurement): Promise<void> {
  await testInfo.attach(MEASUREMENT_ATTACHMENT, { body: JSON.stringify(m), contentType: 'application/json' });
}

/** Saves the page as it ends (passed or failed) for the log's Screenshot field; never fails the test itself. */
export async function attachScreenshot(page: Page, testInfo: TestInfo): Promise<void> {
  const file = testInfo.outputPath('final.png');
  try {
    await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
    await testInfo.attach('screenshot', { path: file, contentType: 'image/png' });
  } catch {
    // A page that crashed has nothing to show; the failure itself is already reported.
  }
}

/** A check failure whose message is the one line the log shows. */
export class CheckFailed extends Error {
  override name = 'CheckFailed';
}

export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  // eslint-disable-next-line no-control-regex
  return (text.replace(/\u001b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim()) ?? text).trim();
}
