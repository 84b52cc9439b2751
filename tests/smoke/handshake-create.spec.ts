/**
 * The promotion log's Handshake Create Test: a handshake created through the page (a vehicle of the smoke tenant,
 * another branch, notes carrying the run id) is listed, and stored as PENDING with those notes.
 */
import { appProfile } from '../../src/config/app-profile.ts';
import { testSection } from '../../src/log-annotations.ts';
import { attachScreenshot, CheckFailed, expect, gotoSignedIn, measured, test } from './fixtures.ts';
import { CREATE_VEHICLE_INDEX, fleet, openForm, otherBranch, readTable, storedByNotes, submitAndWaitForReload } from './flow-helpers.ts';

test('Handshake Create Test', { annotation: testSection('Handshake Create Test') }, async ({ signedInPage: page, synthetic }, testInfo) => {
  const { paths, labels, handshakeColumns: col } = appProfile;
  await measured(testInfo, async () => {
    const { vehicles, branches } = await fleet(synthetic.client, synthetic.tenantId);
    const vehicle = vehicles[CREATE_VEHICLE_INDEX % vehicles.length]!;
    const to = otherBranch(branches, vehicle);
    const notes = synthetic.tag('Smoke test handshake');
    const table = page.getByRole('table', { name: labels.handshakesTable });
    const form = page.getByRole('form', { name: labels.handshakeForm });
    const matching = async () =>
      (await readTable(page, table)).filter((r) => r[col.vehicle] === vehicle.plate && r[col.to] === to.name && r[col.status] === 'PENDING').length;
    let before = 0;

    await test.step(`Navigate to ${paths.handshakes}`, async () => {
      await gotoSignedIn(page, paths.handshakes);
      await expect(page.getByRole('heading', { name: labels.handshakesHeading })).toBeVisible();
      await table.waitFor({ timeout: 10_000 }).catch(() => {
        throw new CheckFailed(`no table named "${labels.handshakesTable}" on ${paths.handshakes}`);
      });
      before = await matching();
    });

    await test.step(`Click "${labels.createHandshake}"`, async () => {
      await openForm(page.getByRole('button', { name: labels.createHandshake }), form, `form "${labels.handshakeForm}"`);
    });

    await test.step('Fill test data', async () => {
      await form.getByLabel(labels.handshakeVehicle).selectOption({ label: vehicle.plate });
      await form.getByLabel(labels.handshakeToBranch).selectOption({ label: to.name });
      await form.getByLabel(labels.handshakeNotes).fill(notes);
    });

    await test.step('Submit', async () => {
      await submitAndWaitForReload(page, form.getByRole('button', { name: labels.handshakeSubmit, exact: true }), 'creating the handshake');
    });

    await test.step('Verify handshake appears in list', async () => {
      await table.waitFor({ timeout: 10_000 });
      await expect
        .poll(matching, { message: `a new PENDING handshake of ${vehicle.plate} to ${to.name} is listed`, timeout: 5_000 })
        .toBe(before + 1);
    });

    await test.step('Verify handshake stored', async () => {
      const row = await storedByNotes(synthetic.client, 'handshakes', 'id, status, notes, vehicle_id, to_branch_id, corporate_id', notes);
      if (row.status !== 'PENDING') throw new CheckFailed(`stored handshake is ${row.status}, expected PENDING`);
      if (!String(row.notes).includes(synthetic.runId)) throw new CheckFailed('stored handshake notes lack the run id');
      if (row.vehicle_id !== vehicle.id || row.to_branch_id !== to.id) throw new CheckFailed('stored handshake has another vehicle or branch');
      if (row.corporate_id !== synthetic.tenantId) throw new CheckFailed('stored handshake belongs to another tenant');
    });

    return `${vehicle.plate} → ${to.name}: listed and stored as PENDING with the run id`;
  }).finally(() => attachScreenshot(page, testInfo));
});
