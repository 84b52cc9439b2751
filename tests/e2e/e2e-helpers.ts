/** Steps several e2e tests share: a pending handshake made through the API, an inspection saved in the page, a vehicle's tab, a live list. */
import type { Locator, Page } from '@playwright/test';
import { appProfile } from '../../src/config/app-profile.ts';
import { describeError } from '../../src/supabase.ts';
import { openForm, pendingHandshake as createPending, pollFor, readTable, submitAndWaitForReload, type FleetVehicle } from '../smoke/flow-helpers.ts';
import { CheckFailed, expect, gotoSignedIn, type E2e } from './fixtures.ts';

/** A PENDING handshake of `vehicle` to another branch, made through the API for this test; returns its id. */
export const pendingHandshake = (e2e: E2e, vehicle: FleetVehicle, notes: string) => createPending(e2e.synthetic, vehicle, e2e.branches, notes);

/** A handshake's or vehicle's status, read back through the API as the smoke user. */
export async function statusOf(e2e: E2e, table: 'handshakes' | 'vehicles', id: string): Promise<string> {
  const { data, error, status } = await e2e.synthetic.client.from(table).select('status').eq('id', id).single();
  if (error) throw new CheckFailed(`${table} row unreadable: ${describeError(error, status)}`);
  return data.status as string;
}

/** Saves an inspection of `plate` with `result` (the radio's label) and `notes` through /inspections. */
export async function saveInspection(page: Page, plate: string, result: string, notes: string): Promise<void> {
  const { paths, labels } = appProfile;
  await gotoSignedIn(page, paths.inspections);
  const form = page.getByRole('form', { name: labels.inspectionForm });
  await openForm(page.getByRole('button', { name: labels.createInspection }), form, `form "${labels.inspectionForm}"`);
  await form.getByLabel(labels.inspectionVehicle).selectOption({ label: plate });
  await form.getByRole('radio', { name: result, exact: true }).check();
  await form.getByLabel(labels.inspectionNotes).fill(notes);
  await submitAndWaitForReload(page, form.getByRole('button', { name: labels.inspectionSubmit }), `saving the "${result}" inspection`);
}

/** Opens `plate` from the vehicles list and selects its `tab`; returns the tab's panel. */
export async function openVehicleTab(page: Page, plate: string, tab: string): Promise<Locator> {
  const { paths, labels } = appProfile;
  await gotoSignedIn(page, paths.vehicles);
  await page.getByRole('table', { name: labels.vehiclesTable }).getByRole('link', { name: plate, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 }), 'the details heading is the plate').toHaveText(plate);
  const button = page.getByRole('tablist', { name: labels.vehicleTabs }).getByRole('tab', { name: tab, exact: true });
  if ((await button.count()) === 0) throw new CheckFailed(`tab missing: ${tab} (on ${plate}'s page)`);
  // A click before the page hydrated is lost: click until the tab says it is selected.
  await expect(async () => {
    if ((await button.getAttribute('aria-selected')) !== 'true') await button.click({ timeout: 2_000 });
    await expect(button).toHaveAttribute('aria-selected', 'true', { timeout: 1_000 });
  }, `tab ${tab} opens`).toPass({ timeout: 10_000 });
  return page.getByRole('tabpanel', { name: tab });
}

/** The rows of the table named `name` inside `within`, keyed by header text; none when the table is absent. */
export async function tableRows(page: Page, within: Locator, name: string): Promise<Record<string, string>[]> {
  const table = within.getByRole('table', { name });
  if ((await table.count()) === 0) return [];
  return readTable(page, table);
}

/** Opens the vehicles list and waits until its live channel has joined; marks the page so a reload shows. */
export async function openLiveList(page: Page, who: string): Promise<Locator> {
  const { paths, labels, e2e } = appProfile;
  await gotoSignedIn(page, paths.vehicles);
  const table = page.getByRole('table', { name: labels.vehiclesTable });
  await expect(table, `${who}'s vehicles list goes live`)
    .toHaveAttribute(e2e.liveList.attribute, e2e.liveList.joined, { timeout: 15_000 })
    .catch(async () => {
      const state = await table.getAttribute(e2e.liveList.attribute).catch(() => null);
      throw new CheckFailed(`${who}'s vehicles list did not go live (${e2e.liveList.attribute}="${state ?? ''}")`);
    });
  await page.evaluate(() => ((window as unknown as { __e2eSamePage: boolean }).__e2eSamePage = true));
  return table;
}

/**
 * Waits until the live list shows `plate` with `status`, without a reload. Fails naming what it still shows.
 */
export async function expectLiveStatus(page: Page, table: Locator, plate: string, status: string, who: string, after: string): Promise<void> {
  const { vehicleColumns: col, e2e } = appProfile;
  const shown = async () => (await readTable(page, table)).find((r) => r[col.plate] === plate)?.[col.status];
  let last: string | undefined;
  const arrived = await pollFor(async () => ((last = await shown()) === status ? last : undefined), e2e.waitMs);
  if (!arrived) {
    throw new CheckFailed(`${who}'s vehicles list still shows ${plate} ${last ?? '(not listed)'} ${e2e.waitMs / 1000} s after ${after} (no live update)`);
  }
  const samePage = await page.evaluate(() => (window as unknown as { __e2eSamePage?: boolean }).__e2eSamePage === true);
  if (!samePage) throw new CheckFailed(`${who}'s vehicles list was reloaded: ${plate} ${status} did not arrive live`);
}
