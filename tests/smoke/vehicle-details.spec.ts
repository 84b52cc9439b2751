/**
 * The promotion log's Vehicle Details Test: a vehicle opened from the list shows its details, every tab, the
 * documents the API holds for it, and a map that the maps loader did not refuse once the page has settled.
 */
import type { Page } from '@playwright/test';
import { appProfile } from '../../src/config/app-profile.ts';
import { testSection } from '../../src/log-annotations.ts';
import { describeError } from '../../src/supabase.ts';
import { attachScreenshot, CheckFailed, expect, gotoSignedIn, measured, test } from './fixtures.ts';

interface DocumentRow {
  kind: string;
  number: string;
}

test('Vehicle Details Test', { annotation: testSection('Vehicle Details Test') }, async ({ signedInPage: page, smokeApi }, testInfo) => {
  const { paths, labels } = appProfile;
  // Evidence from the maps loader and the console, collected from the first navigation on.
  const authFailures: string[] = [];
  const consoleErrors: string[] = [];
  await page.exposeFunction('__smokeGmAuthFailure', () => authFailures.push(new Date().toISOString()));
  await page.addInitScript(watchGmAuthFailure);
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));

  await measured(testInfo, async () => {
    // The vehicle with the most documents, so the Documents tab has something to prove.
    const docs = await smokeApi.client.from('vehicle_documents').select('vehicle_id, kind, number');
    if (docs.error) throw new CheckFailed(`vehicle_documents unreadable: ${describeError(docs.error, docs.status)}`);
    const byVehicle = new Map<string, DocumentRow[]>();
    for (const d of docs.data ?? []) byVehicle.set(d.vehicle_id as string, [...(byVehicle.get(d.vehicle_id as string) ?? []), d as DocumentRow]);
    const [vehicleId, expected] = [...byVehicle].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
    if (!vehicleId || !expected) throw new CheckFailed('the smoke tenant has no vehicle with documents (0 rows visible)');
    const vehicle = await smokeApi.client.from('vehicles').select('plate').eq('id', vehicleId).single();
    if (vehicle.error) throw new CheckFailed(`vehicle ${vehicleId} unreadable: ${describeError(vehicle.error, vehicle.status)}`);
    const plate = vehicle.data.plate as string;
    const tablist = page.getByRole('tablist', { name: labels.vehicleTabs });

    await test.step(`Open ${plate} from ${paths.vehicles}`, async () => {
      await gotoSignedIn(page, paths.vehicles);
      const link = page.getByRole('table', { name: labels.vehiclesTable }).getByRole('link', { name: plate, exact: true });
      await link.click();
      await page.waitForURL((url) => url.pathname !== paths.vehicles, { timeout: 10_000 });
      if (new URL(page.url()).pathname === paths.login) throw new CheckFailed(`session lost: opening ${plate} redirected to ${paths.login}`);
    });

    await test.step('Verify details load', async () => {
      await expect(page.getByRole('heading', { level: 1 }), 'the details heading is the plate').toHaveText(plate);
    });

    await test.step('Verify every tab is present', async () => {
      await tablist.waitFor({ timeout: 10_000 }).catch(() => {
        throw new CheckFailed(`no tablist "${labels.vehicleTabs}" on ${plate}'s page`);
      });
      const missing: string[] = [];
      for (const name of appProfile.vehicleTabs) {
        if (!(await tablist.getByRole('tab', { name, exact: true }).isVisible())) missing.push(name);
      }
      if (missing.length > 0) throw new CheckFailed(`tab${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}`);
    });

    await test.step('Verify Documents tab lists the vehicle documents', async () => {
      await openTab(page, 'Documents');
      const table = page.getByRole('tabpanel', { name: 'Documents' }).getByRole('table', { name: labels.documentsTable });
      await table.waitFor({ timeout: 10_000 }).catch(() => {
        throw new CheckFailed(`Documents tab shows no "${labels.documentsTable}" table (the API holds ${expected.length})`);
      });
      const shown = (await table.getByRole('row').filter({ has: page.getByRole('cell') }).evaluateAll((trs) =>
        trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (c) => (c.textContent ?? '').trim())),
      )).map((cells) => `${cells[0]} ${cells[1]}`).sort();
      const want = expected.map((d) => `${d.kind} ${d.number}`).sort();
      if (JSON.stringify(shown) !== JSON.stringify(want)) {
        throw new CheckFailed(`Documents tab shows ${shown.length} documents [${shown.join(', ')}], the API holds ${want.length} [${want.join(', ')}]`);
      }
    });

    await test.step('Verify Maps tab shows a map without errors', async () => {
      await openTab(page, 'Maps');
      const panel = page.getByRole('tabpanel', { name: 'Maps' });
      await panel.getByRole('img', { name: labels.map }).waitFor({ timeout: 10_000 }).catch(() => {
        throw new CheckFailed('Maps tab shows no map');
      });
      // Google's loader checks the key after drawing; judge only once the page has settled.
      await page.waitForTimeout(appProfile.mapsSettleMs);
      if (authFailures.length > 0) throw new CheckFailed('maps loader refused the key (gm_authFailure called)');
      const overlay = page.getByText(labels.mapsErrorText);
      if (await overlay.count()) throw new CheckFailed(`Maps tab shows "${(await overlay.first().innerText()).trim()}"`);
      const alerts = (await panel.getByRole('alert').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
      if (alerts.length > 0) throw new CheckFailed(`Maps tab shows an error: "${alerts[0]}"`);
      if (consoleErrors.length > 0) throw new CheckFailed(`console error on the vehicle page: ${consoleErrors[0]!.split('\n')[0]}`);
    });

    return `${plate}: details, ${appProfile.vehicleTabs.length} tabs, ${expected.length} documents as in the API, map drawn and quiet after ${appProfile.mapsSettleMs} ms`;
  }).finally(() => attachScreenshot(page, testInfo));
});

/** Clicks a tab until it is selected (clicks before the page's script has hydrated are lost). */
async function openTab(page: Page, name: string): Promise<void> {
  const tab = page.getByRole('tablist', { name: appProfile.labels.vehicleTabs }).getByRole('tab', { name, exact: true });
  await expect(async () => {
    await tab.click({ timeout: 2_000 });
    await expect(tab).toHaveAttribute('aria-selected', 'true', { timeout: 500 });
  }, `the ${name} tab opens`).toPass({ timeout: 10_000 });
}

/**
 * Runs in the page before its scripts: whatever function the app installs as `window.gm_authFailure` (the
 * hook Google's loader calls when it refuses the key), a call to it is reported to the test first.
 */
function watchGmAuthFailure(): void {
  let installed: unknown;
  const report = (...args: unknown[]) => {
    void (window as unknown as { __smokeGmAuthFailure?: () => void }).__smokeGmAuthFailure?.();
    return typeof installed === 'function' ? (installed as (...a: unknown[]) => unknown)(...args) : undefined;
  };
  Object.defineProperty(window, 'gm_authFailure', {
    configurable: true,
    get: () => report,
    set: (fn: unknown) => {
      installed = fn;
    },
  });
}
