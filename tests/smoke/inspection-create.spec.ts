/**
 * The promotion log's Inspection Create Test: an inspection saved through the page (vehicle, full checklist, a
 * real PNG photo, PASS, notes with the run id) is stored as entered, and its photo comes back byte-identical
 * through Storage and is served as an image by a signed URL.
 */
import { appProfile } from '../../src/config/app-profile.ts';
import { testSection } from '../../src/log-annotations.ts';
import { describeError } from '../../src/supabase.ts';
import { attachScreenshot, CheckFailed, expect, gotoSignedIn, measured, test } from './fixtures.ts';
import { fleet, INSPECTION_VEHICLE_INDEX, openForm, storedByNotes, submitAndWaitForReload } from './flow-helpers.ts';

test('Inspection Create Test', { annotation: testSection('Inspection Create Test') }, async ({ signedInPage: page, synthetic }, testInfo) => {
  const { paths, labels } = appProfile;
  await measured(testInfo, async () => {
    const { vehicles } = await fleet(synthetic.client, synthetic.tenantId);
    const vehicle = vehicles[INSPECTION_VEHICLE_INDEX % vehicles.length]!;
    const notes = synthetic.tag('Smoke test inspection');
    const form = page.getByRole('form', { name: labels.inspectionForm });
    let photo: Buffer = Buffer.alloc(0);
    const photoName = `smoke-${synthetic.runId}.png`;
    synthetic.watchPhotoFolder(`${synthetic.tenantId}/${vehicle.id}`);

    await test.step(`Navigate to ${paths.inspections}`, async () => {
      await gotoSignedIn(page, paths.inspections);
      await expect(page.getByRole('heading', { name: labels.inspectionsHeading })).toBeVisible();
    });

    await test.step(`Click "${labels.createInspection}"`, async () => {
      await openForm(page.getByRole('button', { name: labels.createInspection }), form, `form "${labels.inspectionForm}"`);
    });

    await test.step(`Select vehicle ${vehicle.plate}`, async () => {
      await form.getByLabel(labels.inspectionVehicle).selectOption({ label: vehicle.plate });
    });

    await test.step('Complete checklist', async () => {
      for (const item of appProfile.inspectionChecklist) await form.getByRole('checkbox', { name: item, exact: true }).check();
    });

    await test.step('Upload photo', async () => {
      // A small real PNG: a corner of the page itself.
      photo = await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: 48, height: 32 } });
      await form.getByLabel(labels.inspectionPhoto).setInputFiles({ name: photoName, mimeType: 'image/png', buffer: photo });
    });

    await test.step('Select result: PASS', async () => {
      await form.getByRole('radio', { name: labels.inspectionPass, exact: true }).check();
      await form.getByLabel(labels.inspectionNotes).fill(notes);
    });

    await test.step('Submit', async () => {
      await submitAndWaitForReload(page, form.getByRole('button', { name: labels.inspectionSubmit }), 'saving the inspection');
    });

    let photoPath = '';
    await test.step('Verify inspection stored', async () => {
      const row = await storedByNotes(synthetic.client, 'inspections', 'result, checklist, notes, photo_path, vehicle_id, corporate_id', notes);
      if (row.result !== 'PASS') throw new CheckFailed(`stored inspection result is ${row.result}, expected PASS`);
      const checklist = (row.checklist ?? {}) as Record<string, unknown>;
      const unticked = appProfile.inspectionChecklist.filter((item) => checklist[item] !== true);
      if (unticked.length > 0) throw new CheckFailed(`stored checklist lacks ${unticked.join(', ')}`);
      if (!String(row.notes).includes(synthetic.runId)) throw new CheckFailed('stored inspection notes lack the run id');
      if (row.vehicle_id !== vehicle.id || row.corporate_id !== synthetic.tenantId) throw new CheckFailed('stored inspection has another vehicle or tenant');
      if (!row.photo_path) throw new CheckFailed('stored inspection has no photo');
      photoPath = row.photo_path as string;
    });

    await test.step('Verify photo stored', async () => {
      const bucket = synthetic.client.storage.from(appProfile.inspectionPhotosBucket);
      const downloaded = await bucket.download(photoPath);
      if (downloaded.error) throw new CheckFailed(`photo download failed: ${describeError(downloaded.error)}`);
      const bytes = Buffer.from(await downloaded.data.arrayBuffer());
      if (!bytes.equals(photo)) throw new CheckFailed(`downloaded photo differs from the upload (${bytes.length} vs ${photo.length} bytes)`);
      const signed = await bucket.createSignedUrl(photoPath, 60);
      if (signed.error) throw new CheckFailed(`photo signed URL refused: ${describeError(signed.error)}`);
      const res = await fetch(signed.data.signedUrl);
      const type = res.headers.get('content-type') ?? '';
      if (!res.ok || !type.startsWith('image/')) throw new CheckFailed(`signed URL answered HTTP ${res.status} ${type || 'without a content type'}`);
    });

    return `${vehicle.plate}: PASS with ${appProfile.inspectionChecklist.length} checklist items stored; ${photo.length}-byte photo downloads identical, signed URL serves an image`;
  }).finally(() => attachScreenshot(page, testInfo));
});
