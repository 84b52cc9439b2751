/** The promotion log's Vehicles List Test: rows load, search narrows, the status filter filters. */
import type { Locator, Page } from '@playwright/test';
import { appProfile } from '../../src/config/app-profile.ts';
import { testSection } from '../../src/log-annotations.ts';
import { attachScreenshot, CheckFailed, expect, gotoSignedIn, measured, test } from './fixtures.ts';

interface VehicleRow {
  plate: string;
  status: string;
}

test('Vehicles List Test', { annotation: testSection('Vehicles List Test') }, async ({ signedInPage: page, vehiclesLock: _lock }, testInfo) => {
  const { paths, labels } = appProfile;
  await measured(testInfo, async () => {
    const table = page.getByRole('table', { name: labels.vehiclesTable });
    let all: VehicleRow[] = [];

    await test.step(`Navigate to ${paths.vehicles}`, async () => {
      await gotoSignedIn(page, paths.vehicles);
      await expect(page.getByRole('heading', { name: labels.vehiclesHeading })).toBeVisible();
    });

    await test.step('Verify vehicles load', async () => {
      await table.waitFor({ timeout: 10_000 }).catch(() => {
        throw new CheckFailed(`no table named "${labels.vehiclesTable}" on ${paths.vehicles}`);
      });
      all = await readRows(page, table);
      if (all.length === 0) throw new CheckFailed('0 rows visible in the vehicles list');
    });

    const target = all[Math.min(1, all.length - 1)]!;
    await test.step('Verify search works', async () => {
      const search = page.getByLabel(labels.search);
      await search.fill(target.plate);
      const expected = all.filter((v) => v.plate.toLowerCase().includes(target.plate.toLowerCase())).length;
      await expect
        .poll(async () => (await readRows(page, table)).map((v) => v.plate), {
          message: `search for "${target.plate}" shows only matching vehicles`,
          timeout: 10_000,
        })
        .toEqual(all.filter((v) => v.plate.toLowerCase().includes(target.plate.toLowerCase())).map((v) => v.plate));
      if (expected === all.length && all.length > 1) throw new CheckFailed('search did not narrow the list');
      await search.fill('');
      await expect.poll(async () => (await readRows(page, table)).length, { timeout: 10_000 }).toBe(all.length);
    });

    await test.step('Verify filters work', async () => {
      // Filter by a status that some but not all visible vehicles have, so a filter that ignores its input fails.
      const counts = new Map<string, number>();
      for (const v of all) counts.set(v.status, (counts.get(v.status) ?? 0) + 1);
      const status = [...counts.keys()].find((s) => counts.get(s)! < all.length) ?? target.status;
      const filter = page.getByLabel(labels.statusFilter);
      await filter.selectOption(status);
      await expect
        .poll(async () => (await readRows(page, table)).map((v) => v.status), {
          message: `status filter "${status}" shows exactly the ${counts.get(status)} ${status} vehicles`,
          timeout: 10_000,
        })
        .toEqual(all.filter((v) => v.status === status).map((v) => v.status));
      await filter.selectOption({ index: 0 });
    });

    return `${all.length} vehicles listed; search and status filter narrowed correctly`;
  }).finally(() => attachScreenshot(page, testInfo));
});

/** The visible data rows of the table, read by the column headers' names. */
async function readRows(page: Page, table: Locator): Promise<VehicleRow[]> {
  const headers = (await table.getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
  const plateAt = headers.indexOf(appProfile.vehicleColumns.plate);
  const statusAt = headers.indexOf(appProfile.vehicleColumns.status);
  if (plateAt < 0 || statusAt < 0) {
    throw new CheckFailed(`vehicles table lacks the ${appProfile.vehicleColumns.plate} or ${appProfile.vehicleColumns.status} column`);
  }
  // Rows with data cells only (the header row has column headers); hidden rows are not in the accessibility tree.
  const rows = table.getByRole('row').filter({ has: page.getByRole('cell') });
  const texts = await rows.evaluateAll((trs) =>
    trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (c) => (c.textContent ?? '').trim())),
  );
  // A "no vehicles match" placeholder row spans the columns in one cell: it is not a vehicle.
  return texts
    .filter((cells) => cells.length >= headers.length)
    .map((cells) => ({ plate: cells[plateAt] ?? '', status: cells[statusAt] ?? '' }));
}
