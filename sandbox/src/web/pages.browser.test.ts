/**
 * The pages in a real browser (Chromium through Playwright's library API): accessible names, the app's browser
 * code (filters, tabs, maps, forms that write as the user, live updates) and the faults that only show in a page.
 * One sandbox and one browser for the file; faults are switched between tests.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SEED, SEED_PASSWORDS } from '../db/seed-data.ts';
import { startSandbox, type RunningSandbox } from '../index.ts';
import { signedInBrowser } from '../testing/browser.ts';
import { client } from '../testing/fixtures.ts';

let sandbox: RunningSandbox;
let browser: Browser;
let context: BrowserContext;
let admin: SupabaseClient;

const synthetic = SEED.tenants.find((t) => t.isSynthetic)!;
const VEHICLES = synthetic.vehicleCount;

beforeAll(async () => {
  sandbox = await startSandbox();
  admin = client(sandbox.env, 'service_role');
  ({ browser, context } = await signedInBrowser(sandbox));
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.stop();
});

afterEach(async () => {
  await sandbox.faults.replace('');
});

/** A signed-in page at `path`, once the app's code has run (unless told not to wait). */
async function open(path: string, hydrated = true): Promise<Page> {
  const page = await context.newPage();
  await page.goto(path);
  if (hydrated) await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
  return page;
}

const table = (page: Page, name: string) => page.getByRole('table', { name });
const dataRows = (page: Page, name: string) => table(page, name).getByRole('row').filter({ has: page.getByRole('cell') });

describe('/login and /dashboard', () => {
  it('labels Email and Password, says why sign-in failed in an alert, and shows the Dashboard heading', async () => {
    const visitor = await browser.newContext({ baseURL: sandbox.baseUrl });
    const page = await visitor.newPage();
    await page.goto('/dashboard');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Email').fill(sandbox.env.SMOKE_USER_EMAIL);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').innerText()).toBe('Invalid login credentials');
    await page.getByLabel('Password').fill(sandbox.env.SMOKE_USER_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(await page.getByRole('table', { name: 'Vehicles by status' }).isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts()).toEqual(['Dashboard', 'Vehicles', 'Handshakes', 'Inspections']);
    await visitor.close();
  });
});

describe('/vehicles', () => {
  it('has the accessible names the smoke specs use, and search, status and branch filters narrow the list', async () => {
    const page = await open('/vehicles');
    await expect(page.getByRole('heading', { name: 'Vehicles' }).isVisible()).resolves.toBe(true);
    expect(await table(page, 'Vehicles').getByRole('columnheader').allInnerTexts()).toEqual(['Plate', 'Make', 'Model', 'Status', 'Branch']);
    expect(await dataRows(page, 'Vehicles').count()).toBe(VEHICLES);
    expect(await page.getByLabel('Status').locator('option').first().innerText()).toBe('All statuses');

    await page.getByRole('searchbox', { name: 'Search vehicles' }).fill('SYN-0003');
    await expect.poll(() => dataRows(page, 'Vehicles').count()).toBe(1);
    await page.getByRole('searchbox', { name: 'Search vehicles' }).fill('');
    await page.getByRole('combobox', { name: 'Status' }).selectOption('IN_SERVICE');
    await expect.poll(() => dataRows(page, 'Vehicles').count()).toBe(2);
    await page.getByRole('combobox', { name: 'Status' }).selectOption('');
    await page.getByRole('combobox', { name: 'Branch' }).selectOption({ label: 'Synthetic Branch A' });
    await expect.poll(() => dataRows(page, 'Vehicles').count()).toBeLessThan(VEHICLES);
    const branches = await dataRows(page, 'Vehicles').evaluateAll((rows) => rows.map((r) => (r as HTMLTableRowElement).cells[4]!.textContent));
    expect(new Set(branches)).toEqual(new Set(['Synthetic Branch A']));
    await page.close();
  });

  it('search_broken: typing in the search box changes nothing', async () => {
    await sandbox.faults.replace('search_broken');
    const page = await open('/vehicles');
    await page.getByRole('searchbox', { name: 'Search vehicles' }).fill('SYN-0003');
    await page.waitForTimeout(300);
    expect(await dataRows(page, 'Vehicles').count()).toBe(VEHICLES);
    // The filters still work.
    await page.getByRole('combobox', { name: 'Status' }).selectOption('IN_SERVICE');
    await expect.poll(() => dataRows(page, 'Vehicles').count()).toBe(2);
    expect(await page.content()).not.toMatch(/fault|broken/i);
    await page.close();
  });

  it('filter_broken: the status and branch filters are ignored', async () => {
    await sandbox.faults.replace('filter_broken');
    const page = await open('/vehicles');
    await page.getByRole('combobox', { name: 'Status' }).selectOption('IN_SERVICE');
    await page.getByRole('combobox', { name: 'Branch' }).selectOption({ label: 'Synthetic Branch A' });
    await page.waitForTimeout(300);
    expect(await dataRows(page, 'Vehicles').count()).toBe(VEHICLES);
    await page.getByRole('searchbox', { name: 'Search vehicles' }).fill('SYN-0003');
    await expect.poll(() => dataRows(page, 'Vehicles').count()).toBe(1);
    await page.close();
  });

  it('shows changes live, without a reload, over Realtime', async () => {
    const page = await open('/vehicles');
    await page.locator('table[data-live="SUBSCRIBED"]').waitFor({ timeout: 15_000 });
    const { data: vehicle } = await admin.from('vehicles').select('id, plate, status').eq('plate', 'SYN-0001').single();
    const next = vehicle!.status === 'OUT_OF_SERVICE' ? 'AVAILABLE' : 'OUT_OF_SERVICE';
    await admin.from('vehicles').update({ status: next }).eq('id', vehicle!.id).throwOnError();
    const row = dataRows(page, 'Vehicles').filter({ hasText: 'SYN-0001' });
    await expect.poll(() => row.getByRole('cell').nth(3).innerText(), { timeout: 10_000 }).toBe(next);
    await admin.from('vehicles').update({ status: vehicle!.status }).eq('id', vehicle!.id).throwOnError();

    const { data: template } = await admin.from('vehicles').select('corporate_id, branch_id').eq('plate', 'SYN-0001').single();
    const { data: added } = await admin
      .from('vehicles')
      .insert({ ...template, plate: 'SYN-LIVE', make: 'Kia', model: 'Sportage', year: 2024 })
      .select('id')
      .single()
      .throwOnError();
    await expect.poll(() => dataRows(page, 'Vehicles').count(), { timeout: 10_000 }).toBe(VEHICLES + 1);
    expect(await dataRows(page, 'Vehicles').filter({ hasText: 'SYN-LIVE' }).getByRole('link').getAttribute('href')).toBe(`/vehicles/${added!.id}`);
    await admin.from('vehicles').delete().eq('id', added!.id).throwOnError();
    await expect.poll(() => dataRows(page, 'Vehicles').count(), { timeout: 10_000 }).toBe(VEHICLES);
    await page.close();
  });
});

describe('/vehicles/:id', () => {
  const vehicleId = async () => (await admin.from('vehicles').select('id').eq('plate', 'SYN-0002').single()).data!.id as string;

  it('has tabs Overview, Documents, Maps, Inspections, History; Documents lists expiries, History audit rows', async () => {
    const page = await open(`/vehicles/${await vehicleId()}`);
    const tabs = page.getByRole('tablist', { name: 'Vehicle details' }).getByRole('tab');
    expect(await tabs.allInnerTexts()).toEqual(['Overview', 'Documents', 'Maps', 'Inspections', 'History']);
    expect(await page.getByRole('tab', { name: 'Overview' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('tab', { name: 'Documents' }).click();
    const documents = page.getByRole('tabpanel', { name: 'Documents' });
    expect(await documents.getByRole('table', { name: 'Documents' }).getByRole('columnheader').allInnerTexts()).toEqual(['Document', 'Number', 'Expires', 'State']);
    expect(await page.getByRole('tabpanel', { name: 'Overview' }).count()).toBe(0);
    await page.getByRole('tab', { name: 'History' }).click();
    expect(await page.getByRole('table', { name: 'History' }).getByRole('row').count()).toBeGreaterThan(1);
    await page.close();
  });

  it('Maps draws the vehicle and its geofence offline; maps_auth_failure: gm_authFailure and the error overlay after it appeared', async () => {
    const id = await vehicleId();
    let page = await open(`/vehicles/${id}`);
    await page.getByRole('tab', { name: 'Maps' }).click();
    const map = page.getByRole('img', { name: 'Map' });
    await map.waitFor();
    expect(await map.locator('circle title').count()).toBeGreaterThan(0);
    await page.waitForTimeout(1_200);
    expect(await page.getByText("This page can't load Google Maps correctly.").count()).toBe(0);
    await page.close();

    await sandbox.faults.replace('maps_auth_failure');
    page = await open(`/vehicles/${id}`);
    await page.evaluate(() => {
      const w = window as unknown as { authFailures: number; gm_authFailure?: () => void };
      w.authFailures = 0;
      // Count Google's callback while keeping the app's own handler.
      Object.defineProperty(window, 'gm_authFailure', {
        configurable: true,
        set(handler: () => void) {
          Object.defineProperty(window, 'gm_authFailure', { configurable: true, writable: true, value: () => (w.authFailures++, handler()) });
        },
      });
    });
    await page.getByRole('tab', { name: 'Maps' }).click();
    await page.getByRole('img', { name: 'Map' }).waitFor();
    expect(await page.getByText("This page can't load Google Maps correctly.").count()).toBe(0);
    await page.getByText("This page can't load Google Maps correctly.").waitFor({ timeout: 5_000 });
    expect(await page.evaluate(() => (window as unknown as { authFailures: number }).authFailures)).toBe(1);
    expect(await page.getByRole('alert').filter({ hasText: 'The map could not be loaded.' }).isVisible()).toBe(true);
    await page.close();
  });

  it('tab_missing=documents: the Documents tab is absent, the others work', async () => {
    await sandbox.faults.replace('tab_missing=documents');
    const page = await open(`/vehicles/${await vehicleId()}`);
    expect(await page.getByRole('tab').allInnerTexts()).toEqual(['Overview', 'Maps', 'Inspections', 'History']);
    expect(await page.getByRole('tab', { name: 'Documents' }).count()).toBe(0);
    await page.getByRole('tab', { name: 'Inspections' }).click();
    expect(await page.getByRole('tabpanel', { name: 'Inspections' }).isVisible()).toBe(true);
    await page.close();
  });

  it('hydration_delay=MS: clicks do nothing until MS after load, then work', async () => {
    await sandbox.faults.replace('hydration_delay=2000');
    const page = await open(`/vehicles/${await vehicleId()}`, false);
    const loadedAt = Date.now();
    await page.getByRole('tab', { name: 'Documents' }).click();
    await page.waitForTimeout(300);
    expect(await page.getByRole('tab', { name: 'Documents' }).getAttribute('aria-selected')).toBe('false');
    await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 10_000 });
    expect(Date.now() - loadedAt).toBeGreaterThanOrEqual(1_500);
    await page.getByRole('tab', { name: 'Documents' }).click();
    expect(await page.getByRole('tab', { name: 'Documents' }).getAttribute('aria-selected')).toBe('true');
    await page.close();
  });
});

describe('/handshakes', () => {
  it('creates a handshake through the form, then accepts one and rejects another as the user', async () => {
    const page = await open('/handshakes');
    expect(await page.getByRole('heading', { name: 'Handshakes' }).isVisible()).toBe(true);
    const before = await dataRows(page, 'Handshakes').count();
    await page.getByRole('button', { name: 'Create Handshake' }).click();
    const form = page.getByRole('form', { name: 'Create handshake' });
    await form.getByLabel('Vehicle').selectOption({ label: 'SYN-0004' });
    const { data: moving } = await admin.from('vehicles').select('branch:branches(name)').eq('plate', 'SYN-0004').single();
    const from = (moving as unknown as { branch: { name: string } }).branch.name;
    await form.getByLabel('To branch').selectOption({ label: from === 'Synthetic Branch A' ? 'Synthetic Branch B' : 'Synthetic Branch A' });
    await form.getByLabel('Notes').fill('browser test transfer');
    await Promise.all([page.waitForEvent('load', { timeout: 5_000 }), form.getByRole('button', { name: 'Create' }).click()]).catch(async (error) => {
      throw new Error(`no reload after Create: ${await page.locator('#handshake-error').innerText()} (${(error as Error).message})`);
    });
    await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
    expect(await dataRows(page, 'Handshakes').count()).toBe(before + 1);

    const { data: created } = await admin.from('handshakes').select('id, status, notes, requested_by, vehicle_id').eq('notes', 'browser test transfer').single();
    expect(created).toMatchObject({ status: 'PENDING' });
    const { data: smokeProfile } = await admin.from('profiles').select('id').eq('email', sandbox.env.SMOKE_USER_EMAIL).single();
    expect(created!.requested_by).toBe(smokeProfile!.id);

    const row = dataRows(page, 'Handshakes').filter({ has: page.locator(`button[data-id="${created!.id}"]`) });
    await Promise.all([page.waitForEvent('load'), row.getByRole('button', { name: /^Accept/ }).click()]);
    const { data: accepted } = await admin.from('handshakes').select('status, accepted_by').eq('id', created!.id).single();
    expect(accepted).toEqual({ status: 'ACCEPTED', accepted_by: smokeProfile!.id });

    await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
    const pending = dataRows(page, 'Handshakes').filter({ hasText: 'PENDING' }).first();
    const pendingId = await pending.getByRole('button', { name: /^Reject/ }).getAttribute('data-id');
    await Promise.all([page.waitForEvent('load'), pending.getByRole('button', { name: /^Reject/ }).click()]);
    expect((await admin.from('handshakes').select('status').eq('id', pendingId!).single()).data!.status).toBe('REJECTED');
    await page.close();

    // The database's handshake trigger (domain rules) moves an accepted handshake's vehicle to IN_TRANSIT.
    const { data: vehicle } = await admin.from('vehicles').select('status').eq('id', created!.vehicle_id).single();
    expect(vehicle!.status).toBe('IN_TRANSIT');
  });
});

describe('/inspections', () => {
  it('creates an inspection with a checklist, a result and a photo uploaded to inspection-photos', async () => {
    const page = await open('/inspections');
    expect(await page.getByRole('heading', { name: 'Inspections' }).isVisible()).toBe(true);
    const before = await dataRows(page, 'Inspections').count();
    await page.getByRole('button', { name: 'Create Inspection' }).click();
    const form = page.getByRole('form', { name: 'Create inspection' });
    await form.getByLabel('Vehicle').selectOption({ label: 'SYN-0005' });
    await form.getByRole('checkbox', { name: 'Tyres' }).check();
    await form.getByRole('checkbox', { name: 'Brakes' }).check();
    await form.getByRole('radio', { name: 'Damage' }).check();
    await form.getByLabel('Photo').setInputFiles({ name: 'scratch.png', mimeType: 'image/png', buffer: Buffer.from('89504e470d0a1a0a', 'hex') });
    await form.getByLabel('Notes').fill('browser test inspection');
    await Promise.all([page.waitForEvent('load'), form.getByRole('button', { name: 'Save inspection' }).click()]);
    expect(await dataRows(page, 'Inspections').count()).toBe(before + 1);
    const { data } = await admin.from('inspections').select('result, checklist, photo_path').eq('notes', 'browser test inspection').single();
    expect(data).toMatchObject({ result: 'DAMAGE', checklist: { Tyres: true, Brakes: true, Lights: false } });
    await page.close();
    expect(data!.photo_path).toMatch(/-scratch\.png$/);
    const photo = await admin.storage.from('inspection-photos').download(data!.photo_path as string);
    expect(photo.error).toBeNull();
    expect(Buffer.from(await photo.data!.arrayBuffer()).toString('hex')).toBe('89504e470d0a1a0a');
  });
});

describe('roles', () => {
  /** What `email` (a Marsana Logistics user) is offered on /handshakes and /inspections. */
  async function offered(email: string) {
    const own = await browser.newContext({ baseURL: sandbox.baseUrl });
    try {
      const page = await own.newPage();
      await page.goto('/login');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(SEED_PASSWORDS.staff);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await page.goto('/handshakes');
      const pending = await dataRows(page, 'Handshakes').filter({ hasText: 'PENDING' }).count();
      const createHandshake = await page.getByRole('button', { name: 'Create Handshake' }).count();
      const decide = await page.getByRole('button', { name: /^(Accept|Reject) / }).count();
      await page.goto('/inspections');
      const createInspection = await page.getByRole('button', { name: 'Create Inspection' }).count();
      return { pending, createHandshake, decide: decide > 0 ? 1 : 0, createInspection };
    } finally {
      await own.close();
    }
  }

  it('managers and admins run transfers, inspectors inspect, drivers only look; roles_ignored offers everything to everyone', async () => {
    expect(await offered('manager@marsana.test')).toEqual({ pending: 1, createHandshake: 1, decide: 1, createInspection: 1 });
    expect(await offered('admin@marsana.test')).toEqual({ pending: 1, createHandshake: 1, decide: 1, createInspection: 1 });
    expect(await offered('inspector@marsana.test')).toEqual({ pending: 1, createHandshake: 0, decide: 0, createInspection: 1 });
    expect(await offered('driver@marsana.test')).toEqual({ pending: 1, createHandshake: 0, decide: 0, createInspection: 0 });
    await sandbox.faults.replace('roles_ignored');
    expect(await offered('driver@marsana.test')).toEqual({ pending: 1, createHandshake: 1, decide: 1, createInspection: 1 });
  });
});
