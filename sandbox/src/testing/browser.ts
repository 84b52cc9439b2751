/** A real Chromium signed in to a running sandbox as the smoke user, for the sandbox's page tests. */
import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { resolveChromium } from '../../../src/browser.ts';
import type { RunningSandbox } from '../index.ts';

export async function signedInBrowser(sandbox: RunningSandbox): Promise<{ browser: Browser; context: BrowserContext }> {
  const { executablePath, args } = resolveChromium();
  const browser = await chromium.launch({ ...(executablePath && { executablePath }), args });
  const context = await browser.newContext({ baseURL: sandbox.baseUrl });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill(sandbox.env.SMOKE_USER_EMAIL);
  await page.getByLabel('Password').fill(sandbox.env.SMOKE_USER_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.close();
  return { browser, context };
}
