/**
 * The promotion log's Vehicles List Test: rows load, search narrows, the status filter filters, and a vehicle
 * added through the API while the page is open appears without a reload (its commit-to-screen latency measured).
 * The live step writes, so in read-only mode it is left out and said so; only a run that saw the change arrive
 * claims "Real-time subscriptions active".
 */
import type { Locator, Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { appProfile } from '../../src/config/app-profile.ts';
import { writeRefusal } from '../../src/config/target-env.ts';
import { CHECKBOX, testSection } from '../../src/log-annotations.ts';
import { describeError } from '../../src/supabase.ts';
import { smokeTag } from '../../src/synthetic/smoke-leftovers.ts';
import { attachScreenshot, CheckFailed, expect, gotoSignedIn, measured, RUN_ID, test, type ApiSession } from './fixtures.ts';

type SmokeApi = Extract<ApiSession, { ok: true }>;

interface VehicleRow {
  plate: string;
  status: string;
}

test('Vehicles List Test', { annotation: testSection('Vehicles List Test') }, async ({ signedInPage: page, vehiclesLock: _lock, smokeApi, target }, testInfo) => {
  const { paths, labels } = appProfile;
  await measured(testInfo, async () => {
    const refusal = writeRefusal(target, process.env.SMOKE_ENV, smokeApi.tenantId);
    let live = `live update not checked: ${refusal}`;
    let latencyMs: number | undefined;
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

    const searched = all[Math.min(1, all.length - 1)]!;
    await test.step('Verify search works', async () => {
      const search = page.getByLabel(labels.search);
      await search.fill(searched.plate);
      const expected = all.filter((v) => v.plate.toLowerCase().includes(searched.plate.toLowerCase())).length;
      await expect
        .poll(async () => (await readRows(page, table)).map((v) => v.plate), {
          message: `search for "${searched.plate}" shows only matching vehicles`,
          timeout: 10_000,
        })
        .toEqual(all.filter((v) => v.plate.toLowerCase().includes(searched.plate.toLowerCase())).map((v) => v.plate));
      if (expected === all.length && all.length > 1) throw new CheckFailed('search did not narrow the list');
      await search.fill('');
      await expect.poll(async () => (await readRows(page, table)).length, { timeout: 10_000 }).toBe(all.length);
    });

    await test.step('Verify filters work', async () => {
      // Filter by a status that some but not all visible vehicles have, so a filter that ignores its input fails.
      const counts = new Map<string, number>();
      for (const v of all) counts.set(v.status, (counts.get(v.status) ?? 0) + 1);
      const status = [...counts.keys()].find((s) => counts.get(s)! < all.length) ?? searched.status;
      const filter = page.getByLabel(labels.statusFilter);
      await filter.selectOption(status);
      await expect
        .poll(async () => (await readRows(page, table)).map((v) => v.status), {
          message: `status filter "${status}" shows exactly the ${counts.get(status)} ${status} vehicles`,
          timeout: 10_000,
        })
        .toEqual(all.filter((v) => v.status === status).map((v) => v.status));
      await filter.selectOption({ index: 0 });
      await expect.poll(async () => (await readRows(page, table)).length, { timeout: 10_000 }).toBe(all.length);
    });

    if (!refusal) {
      // Claimed only now: a read-only run says nothing about Realtime, so it must not tick (or clear) the box.
      testInfo.annotations.push(CHECKBOX.realtime);
      await test.step('Verify a vehicle added through the API appears without a reload', async () => {
        latencyMs = await liveChange(page, table, smokeApi);
        live = `a vehicle added through the API appeared without a reload ${latencyMs} ms after the write was sent`;
      });
    }

    return {
      notes: `${all.length} vehicles listed; search and status filter narrowed correctly; ${live}`,
      ...(latencyMs !== undefined && { samplesMs: [latencyMs] }),
    };
  }).finally(() => attachScreenshot(page, testInfo));
});

/**
 * Adds a probe vehicle of the smoke tenant through the API while the list is open and live, and returns the
 * commit-to-screen latency, bounded from above: from sending the insert (the commit is inside that request; the
 * target's own clock is never read, so a skewed server clock cannot distort it) to the moment the page's DOM showed
 * the new row, stamped in the page by a MutationObserver (the browser and this process share one wall clock). The probe is
 * tagged with the run id, so a run killed before it deletes the probe has it swept by the next run.
 */
async function liveChange(page: Page, table: Locator, api: SmokeApi): Promise<number> {
  const { liveList } = appProfile.e2e;
  await expect(table, `the vehicles list says its live channel is ${liveList.joined}`)
    .toHaveAttribute(liveList.attribute, liveList.joined, { timeout: 10_000 })
    .catch(() => {
      throw new CheckFailed(`the vehicles list never joined its live channel (no ${liveList.attribute}="${liveList.joined}")`);
    });
  if (!api.tenantId) throw new CheckFailed(api.tenantProblem ?? 'smoke tenant unknown');
  const branch = await api.client.from('branches').select('id').eq('corporate_id', api.tenantId).limit(1).single();
  if (branch.error) throw new CheckFailed(`the smoke tenant's branches unreadable: ${describeError(branch.error, branch.status)}`);
  const plate = `SYN-LIVE-${randomBytes(3).toString('hex').toUpperCase()}`;
  await table.evaluate(
    (el, { plate, plateColumn }) => {
      const column = Array.from(el.querySelectorAll('th'), (th) => (th.textContent ?? '').trim()).indexOf(plateColumn);
      const shows = () => Array.from((el as HTMLTableElement).rows).some((tr) => tr.cells[column]?.textContent?.trim() === plate);
      const w = window as unknown as { __smokeLiveSeenAt?: number };
      delete w.__smokeLiveSeenAt;
      const observer = new MutationObserver(() => {
        if (!shows()) return;
        w.__smokeLiveSeenAt = performance.timeOrigin + performance.now();
        observer.disconnect();
      });
      observer.observe(el, { subtree: true, childList: true, characterData: true });
    },
    { plate, plateColumn: appProfile.vehicleColumns.plate },
  );
  const row = { corporate_id: api.tenantId, branch_id: branch.data.id, plate, make: 'Smoke', model: smokeTag('live probe', `${RUN_ID}#live`), year: 2024 };
  const sentAt = Date.now();
  const created = await api.client.from('vehicles').insert(row).select('id');
  try {
    if (created.error || created.data?.length !== 1) {
      throw new CheckFailed(`could not add the probe vehicle ${plate}: ${created.error ? describeError(created.error, created.status) : '0 rows'}`);
    }
    const seenAt = await page
      .waitForFunction(() => (window as unknown as { __smokeLiveSeenAt?: number }).__smokeLiveSeenAt, undefined, { timeout: appProfile.e2e.waitMs })
      .then((h) => h.jsonValue() as Promise<number>)
      .catch(() => undefined);
    if (seenAt === undefined) {
      throw new CheckFailed(`no live update: ${plate}, added through the API, is not in the list ${appProfile.e2e.waitMs / 1000} s later`);
    }
    return Math.round(seenAt - sentAt);
  } finally {
    await api.client.from('vehicles').delete().eq('plate', plate);
  }
}

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
