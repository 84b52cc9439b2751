/** An inspection saved with result Damage raises a DAMAGE_REPORTED alert on the vehicle and emails the managers. */
import { appProfile } from '../../src/config/app-profile.ts';
import { emailCheckMode, mailSeen, verifyEmail } from '../smoke/email-check.ts';
import { pollFor, storedByNotes } from '../smoke/flow-helpers.ts';
import { saveInspection } from './e2e-helpers.ts';
import { attachScreenshot, CheckFailed, measured, test } from './fixtures.ts';

test('Damage Inspection Alert Test', async ({ signedInPage: page, e2e, target }, testInfo) => {
  const { paths, e2e: profile } = appProfile;
  await measured(testInfo, async () => {
    const { synthetic } = e2e;
    const v = await e2e.claimVehicle('for a damage inspection');
    const kind = profile.alertKinds.damage;
    const alerts = await e2e.watchAlerts(v, kind);
    const notes = synthetic.tag('E2E damage: scratched rear door');
    const subject = profile.damageEmailSubject(v.plate);
    const emailCheck = emailCheckMode(target);
    const seen = await mailSeen(emailCheck, target);

    await test.step(`Save a "${profile.inspectionDamage}" inspection of ${v.plate} in ${paths.inspections}`, async () => {
      await saveInspection(page, v.plate, profile.inspectionDamage, notes);
      const row = await storedByNotes(synthetic.client, 'inspections', 'result, vehicle_id', notes);
      if (row.result !== 'DAMAGE' || row.vehicle_id !== v.id) throw new CheckFailed(`stored inspection is ${row.result} of another vehicle, expected DAMAGE of ${v.plate}`);
    });

    let alert = '';
    await test.step(`Verify a ${kind} alert`, async () => {
      const raised = await pollFor(async () => (await alerts.fresh())[0], profile.waitMs);
      if (!raised) throw new CheckFailed(`no ${kind} alert for ${v.plate} within ${profile.waitMs / 1000} s of the damage inspection`);
      alert = `${raised.severity} "${raised.message}"`;
    });

    let email = '';
    await test.step(`Verify the email "${subject}"`, async () => {
      email = await verifyEmail(emailCheck, target, synthetic, subject, seen);
    });

    return `${v.plate}: ${kind} ${alert}; ${email}`;
  }).finally(() => attachScreenshot(page, testInfo));
});
