/** Helpers shared by the write flows (handshakes, inspections): table reading, vehicle choice, form opening. */
import type { Locator, Page } from '@playwright/test';
import type { SupabaseClient } from '@supabase/supabase-js';
import { describeError } from '../../src/supabase.ts';
import { CheckFailed, expect, type Synthetic } from './fixtures.ts';

export interface FleetVehicle {
  id: string;
  plate: string;
  status: string;
  branch_id: string;
}

export interface FleetBranch {
  id: string;
  name: string;
}

/** The data rows of a table as records keyed by its column headers' text. */
export async function readTable(page: Page, table: Locator): Promise<Record<string, string>[]> {
  const headers = (await table.getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
  const rows = await table
    .getByRole('row')
    .filter({ has: page.getByRole('cell') })
    .evaluateAll((trs) => trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (c) => (c.textContent ?? '').trim())));
  return rows.filter((cells) => cells.length >= headers.length).map((cells) => Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? ''])));
}

/**
 * The smoke tenant's vehicles (by plate) and branches (by name), read as the smoke user. Filtered by the tenant, not
 * left to row-level security: with RLS broken, a write flow must still only ever touch the synthetic tenant's rows.
 */
export async function fleet(client: SupabaseClient, tenantId: string): Promise<{ vehicles: FleetVehicle[]; branches: FleetBranch[] }> {
  const [vehicles, branches] = await Promise.all([
    client.from('vehicles').select('id, plate, status, branch_id').eq('corporate_id', tenantId).order('plate'),
    client.from('branches').select('id, name').eq('corporate_id', tenantId).order('name'),
  ]);
  if (vehicles.error) throw new CheckFailed(`vehicles unreadable: ${describeError(vehicles.error, vehicles.status)}`);
  if (branches.error) throw new CheckFailed(`branches unreadable: ${describeError(branches.error, branches.status)}`);
  if (!vehicles.data?.length) throw new CheckFailed('the smoke tenant has no vehicles (0 rows visible)');
  if ((branches.data?.length ?? 0) < 2) throw new CheckFailed('the smoke tenant needs two branches for a handshake');
  return { vehicles: vehicles.data as FleetVehicle[], branches: branches.data as FleetBranch[] };
}

/** Another branch than the vehicle's, as the destination of a handshake. */
export function otherBranch(branches: FleetBranch[], vehicle: FleetVehicle): FleetBranch {
  return branches.find((b) => b.id !== vehicle.branch_id)!;
}

/** A PENDING handshake of `vehicle` to another branch, requested by the smoke user, its notes tagged; returns its id. */
export async function pendingHandshake(synthetic: Synthetic, vehicle: FleetVehicle, branches: FleetBranch[], notes: string): Promise<string> {
  const created = await synthetic.client
    .from('handshakes')
    .insert({
      corporate_id: synthetic.tenantId,
      vehicle_id: vehicle.id,
      from_branch_id: vehicle.branch_id,
      to_branch_id: otherBranch(branches, vehicle).id,
      requested_by: synthetic.userId,
      notes: synthetic.tag(notes),
    })
    .select('id')
    .single();
  if (created.error) throw new CheckFailed(`creating the pending handshake failed: ${describeError(created.error, created.status)}`);
  return created.data.id as string;
}

/**
 * Vehicles are split so that flows running side by side never share one: the Handshake Create Test and the
 * Inspection Create Test take the first plates, the Handshake Accept Test the last ones.
 */
export const CREATE_VEHICLE_INDEX = 0;
export const INSPECTION_VEHICLE_INDEX = 1;

/** Clicks a button that discloses a form until the form shows (clicks before hydration are lost). */
export async function openForm(button: Locator, form: Locator, what: string): Promise<void> {
  await expect(async () => {
    if (!(await form.isVisible())) await button.click({ timeout: 2_000 });
    await expect(form).toBeVisible({ timeout: 1_000 });
  }, `${what} opens`).toPass({ timeout: 10_000 });
}

/** The page's error alert, if one is showing. */
export async function visibleAlert(page: Page): Promise<string | undefined> {
  const texts = (await page.getByRole('alert').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  return texts[0];
}

/**
 * Submits a form whose app reloads the page on success: waits for the reload, or fails with the page's alert.
 */
export async function submitAndWaitForReload(page: Page, submit: Locator, what: string): Promise<void> {
  let settled = false;
  const reloaded = page.waitForEvent('load', { timeout: 15_000 }).then(() => 'reloaded' as const);
  await submit.click();
  const alert = (async () => {
    while (!settled) {
      const text = await visibleAlert(page).catch(() => undefined);
      if (text) return text;
      await new Promise((r) => setTimeout(r, 100));
    }
    return 'reloaded' as const;
  })();
  const outcome = await Promise.race([reloaded, alert])
    .catch((e: unknown) => {
      throw new CheckFailed(`${what}: the page neither reloaded nor showed an error (${e instanceof Error ? e.message.split('\n')[0] : e})`);
    })
    .finally(() => {
      settled = true;
    });
  if (outcome !== 'reloaded') throw new CheckFailed(`${what}: the page says "${outcome}"`);
  await page.waitForLoadState('domcontentloaded');
}

/**
 * Clicks a button whose action reloads the page (Accept, Reject) until it is gone or the page shows an alert;
 * returns the alert's text, or undefined when the page reloaded without one. The app disables the button while it
 * stores the change; a click before the page hydrated is lost (the button stays enabled): only then click again,
 * never twice on a live button.
 */
export async function pressUntilDone(page: Page, button: Locator, name: string): Promise<string | undefined> {
  const deadline = Date.now() + 15_000;
  while (await button.isVisible()) {
    // The click may be navigating: a page that is being replaced has no alert to read yet.
    const alert = await visibleAlert(page).catch(() => undefined);
    if (alert) return alert;
    if (Date.now() > deadline) throw new CheckFailed(`"${name}" still shown 15 s after clicking it`);
    if (await button.isEnabled().catch(() => false)) await button.click({ timeout: 2_000 }).catch(() => undefined);
    await button.waitFor({ state: 'hidden', timeout: 1_000 }).catch(() => undefined);
  }
  await page.waitForLoadState('domcontentloaded');
  return visibleAlert(page);
}

/** Polls `read` until it returns a value, or gives up after `timeoutMs` with undefined. */
export async function pollFor<T>(read: () => Promise<T | undefined>, timeoutMs: number, everyMs = 200): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) return undefined;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The one row of `table` a write flow stored with these notes (which carry the run id), read back as the smoke user. */
export async function storedByNotes(client: SupabaseClient, table: string, columns: string, notes: string): Promise<Record<string, unknown>> {
  const { data, error, status } = await client.from(table).select(columns).eq('notes', notes);
  if (error) throw new CheckFailed(`${table} unreadable: ${describeError(error, status)}`);
  const rows = (data ?? []) as unknown as Record<string, unknown>[];
  if (rows.length !== 1) throw new CheckFailed(`${rows.length} stored ${table} rows carry this test's notes, expected 1`);
  return rows[0]!;
}
