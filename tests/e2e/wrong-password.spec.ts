/** A wrong password is refused with the app's message: the login page stays, says why, and sets no session. */
import { randomBytes } from 'node:crypto';
import { appProfile } from '../../src/config/app-profile.ts';
import { sessionFromCookies } from '../smoke/session-cookie.ts';
import { attachScreenshot, CheckFailed, measured, test } from './fixtures.ts';

test('Wrong Password Test', async ({ page, target }, testInfo) => {
  const { paths, labels, e2e } = appProfile;
  await measured(testInfo, async () => {
    await test.step(`Navigate to ${paths.login}`, async () => {
      const res = await page.goto(paths.login);
      if (!res || !res.ok()) throw new CheckFailed(`${paths.login} answered HTTP ${res?.status() ?? 'nothing'}`);
    });
    await test.step('Enter the smoke user with a wrong password', async () => {
      await page.getByLabel(labels.email).fill(target.SMOKE_USER_EMAIL);
      await page.getByLabel(labels.password).fill(`wrong-${randomBytes(6).toString('hex')}`);
      await page.getByRole('button', { name: labels.signIn }).click();
    });
    let message = '';
    await test.step(`Verify the message "${e2e.wrongPasswordAlert}"`, async () => {
      const alert = page.getByRole('alert').filter({ hasText: /\S/ }).first();
      await alert.waitFor({ timeout: 10_000 }).catch(() => undefined);
      const at = new URL(page.url()).pathname;
      if (at !== paths.login) throw new CheckFailed(`a wrong password was not refused: the browser went to ${at}`);
      message = ((await alert.textContent({ timeout: 1_000 }).catch(() => null)) ?? '').trim();
      if (!message) throw new CheckFailed(`no message on ${paths.login} after a wrong password`);
      if (!message.includes(e2e.wrongPasswordAlert)) throw new CheckFailed(`login page says "${message}", expected "${e2e.wrongPasswordAlert}"`);
    });
    await test.step('Verify no session was created', async () => {
      if (sessionFromCookies(await page.context().cookies(), appProfile.sessionCookie)) throw new CheckFailed('a session cookie was set after a wrong password');
    });
    return `login page says "${message}", stays on ${paths.login}, no session cookie`;
  }).finally(() => attachScreenshot(page, testInfo));
});
