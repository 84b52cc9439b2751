/**
 * Fixtures of the smoke suite. The target comes from the environment the CLI prepared; the smoke user signs
 * in once per worker (API and UI), and a check that cannot run because that sign-in failed is skipped with
 * the reason, so the one real failure (Authentication, Login) is not drowned in copies of itself.
 */
import { test as base, expect, type Page, type TestInfo, type BrowserContext } from '@playwright/test';
import type { SupabaseClient } from '@supabase/supabase-js';
import { appProfile } from '../../src/config/app-profile.ts';
import { parseTargetEnv, type TargetEnv } from '../../src/config/target-env.ts';
import { MEASUREMENT_ATTACHMENT, type Measurement } from '../../src/log-annotations.ts';
import { describeError, makeClient } from '../../src/supabase.ts';

export type ApiSession =
  | { ok: true; client: SupabaseClient; userId: string; tenantId?: string; tenantProblem?: string }
  | { ok: false; reason: string };

export type UiSession = { ok: true; storageState: Awaited<ReturnType<BrowserContext['storageState']>> } | { ok: false; reason: string };

interface WorkerFixtures {
  target: TargetEnv;
  apiSession: ApiSession;
  uiSession: UiSession;
}

interface TestFixtures {
  /** The smoke user's signed-in API client; skips the test when the user could not sign in. */
  smokeApi: Extract<ApiSession, { ok: true }>;
  /** A page signed in as the smoke user; skips the test when the UI sign-in failed. */
  signedInPage: Page;
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
});

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

/**
 * Runs a check's body, timing only the body (not fixtures), and attaches the measurement the log reporter
 * writes: the evidence line on success, the reason on failure.
 */
export async function measured(testInfo: TestInfo, body: () => Promise<string>): Promise<void> {
  const started = performance.now();
  let measurement: Measurement;
  try {
    const notes = await body();
    measurement = { durationMs: Math.round(performance.now() - started), notes };
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
