/** The promotion log's Login Test, step for step. */
import { appProfile } from '../../src/config/app-profile.ts';
import { CHECKBOX, testSection } from '../../src/log-annotations.ts';
import { describeError, makeClient } from '../../src/supabase.ts';
import { attachScreenshot, CheckFailed, expect, measured, test } from './fixtures.ts';
import { sessionFromCookies } from './session-cookie.ts';

test('Login Test', { annotation: [testSection('Login Test'), CHECKBOX.productionUrl] }, async ({ page, target }, testInfo) => {
  const { paths, labels } = appProfile;
  await measured(testInfo, async () => {
    await test.step(`Navigate to ${paths.login}`, async () => {
      const res = await page.goto(paths.login);
      if (!res || !res.ok()) throw new CheckFailed(`${paths.login} answered HTTP ${res?.status() ?? 'nothing'}`);
    });
    await test.step('Enter test credentials', async () => {
      await page.getByLabel(labels.email).fill(target.SMOKE_USER_EMAIL);
      await page.getByLabel(labels.password).fill(target.SMOKE_USER_PASSWORD);
    });
    await test.step('Click login', async () => {
      await page.getByRole('button', { name: labels.signIn }).click();
    });
    await test.step('Verify redirect to dashboard', async () => {
      try {
        await page.waitForURL((url) => url.pathname === paths.dashboard, { timeout: 10_000 });
      } catch {
        const alert = await page.getByRole('alert').first().textContent({ timeout: 1_000 }).catch(() => null);
        throw new CheckFailed(
          `no redirect to ${paths.dashboard} (at ${new URL(page.url()).pathname}${alert ? `; the page says "${alert.trim()}"` : ''})`,
        );
      }
      await expect(page.getByRole('heading', { name: labels.dashboardHeading })).toBeVisible();
    });
    await test.step('Verify session created', async () => {
      const session = sessionFromCookies(await page.context().cookies(), appProfile.sessionCookie);
      if (!session) throw new CheckFailed('no Supabase session cookie after login');
      // The cookie's token must be one the auth server accepts for the smoke user.
      const { data, error } = await makeClient(target.SUPABASE_URL, target.SUPABASE_ANON_KEY).auth.getUser(session.access_token);
      if (error) throw new CheckFailed(`session cookie rejected by /auth/v1/user: ${describeError(error)}`);
      if (data.user.email?.toLowerCase() !== target.SMOKE_USER_EMAIL.toLowerCase()) {
        throw new CheckFailed('session cookie belongs to another user');
      }
    });
    return `signed in, redirected to ${paths.dashboard}, session accepted by the auth server`;
  }).finally(() => attachScreenshot(page, testInfo));
});
