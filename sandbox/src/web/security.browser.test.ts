/**
 * The security headers and the env-config script in a real browser (Chromium through Playwright's library API):
 * the headers' CSP must not stop the pages' scripts, and what service_key_exposed leaks is what any visitor's
 * browser holds. Keys are compared, never printed.
 */
import type { Browser, BrowserContext } from '@playwright/test';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../index.ts';
import { signedInBrowser } from '../testing/browser.ts';
import { ENV_CONFIG_PATH } from './assets.ts';

let sandbox: RunningSandbox;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  sandbox = await startSandbox({ faults: '' });
  ({ browser, context } = await signedInBrowser(sandbox));
});
afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
});
afterEach(async () => {
  await sandbox.faults.replace('');
});

/** /vehicles once hydrated: the response's headers, the env-config script's body, and what the page holds in window.__ENV. */
async function visitVehicles() {
  const page = await context.newPage();
  const config = page.waitForResponse((r) => new URL(r.url()).pathname === ENV_CONFIG_PATH);
  const response = await page.goto('/vehicles');
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
  await page.locator('table[data-live="SUBSCRIBED"]').waitFor();
  const script = await (await config).text();
  const env = await page.evaluate(() => (globalThis as unknown as { __ENV?: Record<string, string> }).__ENV ?? null);
  await page.close();
  return { headers: response!.headers(), script, env };
}

describe('security headers and env-config in a browser', () => {
  it("by default: the headers are on, the page's scripts still run (CSP is frame-ancestors only), only the anon key ships", async () => {
    const { headers, script, env } = await visitVehicles();
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['content-security-policy']).toBe("frame-ancestors 'none'");
    expect(Object.keys(env!)).toEqual(['NEXT_PUBLIC_SUPABASE_ANON_KEY']);
    expect(env!['NEXT_PUBLIC_SUPABASE_ANON_KEY'] === sandbox.env.SUPABASE_ANON_KEY).toBe(true);
    expect(script.includes(sandbox.env.SUPABASE_SERVICE_ROLE_KEY)).toBe(false);
  });

  it('service_key_exposed with headers_missing: the browser holds the service-role key and gets no headers; then clean again', async () => {
    await sandbox.faults.replace('service_key_exposed,headers_missing');
    const exposed = await visitVehicles();
    expect(exposed.headers['x-frame-options']).toBeUndefined();
    expect(exposed.headers['strict-transport-security']).toBeUndefined();
    expect(exposed.script.includes(sandbox.env.SUPABASE_SERVICE_ROLE_KEY)).toBe(true);
    expect(exposed.env!['NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY'] === sandbox.env.SUPABASE_SERVICE_ROLE_KEY).toBe(true);

    await sandbox.faults.replace('');
    const clean = await visitVehicles();
    expect(clean.headers['x-frame-options']).toBe('DENY');
    expect(clean.script.includes(sandbox.env.SUPABASE_SERVICE_ROLE_KEY)).toBe(false);
    expect(Object.keys(clean.env!)).toEqual(['NEXT_PUBLIC_SUPABASE_ANON_KEY']);
  });
});
