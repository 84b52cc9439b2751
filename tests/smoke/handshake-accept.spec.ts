/**
 * The promotion log's Handshake Accept Test: a pending handshake this test created (through the API, as the smoke
 * user, tagged with the run id) is accepted in the page; the API then reads it ACCEPTED and its vehicle IN_TRANSIT,
 * and the requester's email went out: seen by the sandbox's mail catcher, or elsewhere as a SENT notification.
 */
import { appProfile } from '../../src/config/app-profile.ts';
import { testSection } from '../../src/log-annotations.ts';
import { describeError } from '../../src/supabase.ts';
import { VEHICLE_WAS } from '../../src/synthetic/smoke-leftovers.ts';
import { emailCheckMode, mailSeen, verifyEmail } from './email-check.ts';
import { attachScreenshot, CheckFailed, gotoSignedIn, measured, test } from './fixtures.ts';
import { CREATE_VEHICLE_INDEX, fleet, INSPECTION_VEHICLE_INDEX, pendingHandshake, pressUntilDone, type FleetVehicle } from './flow-helpers.ts';

test(
  'Handshake Accept Test',
  { annotation: testSection('Handshake Accept Test') },
  async ({ signedInPage: page, vehiclesLock: _lock, synthetic, target }, testInfo) => {
    const { paths, labels } = appProfile;
    await measured(testInfo, async () => {
      let vehicle: FleetVehicle | undefined;
      let handshakeId = '';
      const emailCheck = emailCheckMode(target);

      await test.step('Pick a pending handshake (created for this run)', async () => {
        const { vehicles, branches } = await fleet(synthetic.client, synthetic.tenantId);
        const pending = await synthetic.client.from('handshakes').select('vehicle_id').eq('status', 'PENDING');
        if (pending.error) throw new CheckFailed(`handshakes unreadable: ${describeError(pending.error, pending.status)}`);
        const busy = new Set((pending.data ?? []).map((h) => h.vehicle_id as string));
        // Not a vehicle another flow uses, not already in transit (else IN_TRANSIT proves nothing), one Accept button.
        const reserved = new Set([CREATE_VEHICLE_INDEX, INSPECTION_VEHICLE_INDEX].map((i) => vehicles[i % vehicles.length]!.id));
        vehicle = [...vehicles].reverse().find((v) => !reserved.has(v.id) && v.status !== 'IN_TRANSIT' && !busy.has(v.id));
        if (!vehicle) throw new CheckFailed('no vehicle of the smoke tenant is free for a handshake (all in transit or pending)');
        synthetic.restoreVehicleStatus(vehicle.id, vehicle.status);
        synthetic.removeNotifications(appProfile.email.subject(vehicle.plate));
        // The status it had, for a sweep after a killed run (src/synthetic/smoke-leftovers.ts).
        handshakeId = await pendingHandshake(synthetic, vehicle, branches, `Smoke test handshake to accept ${VEHICLE_WAS(vehicle.status)}`);
      });
      const v = vehicle!;
      const mailBefore = await mailSeen(emailCheck, target);

      await test.step(`Accept it in ${paths.handshakes}`, async () => {
        await gotoSignedIn(page, paths.handshakes);
        const accept = page.getByRole('button', { name: labels.acceptHandshake(v.plate), exact: true });
        await accept.waitFor({ timeout: 10_000 }).catch(() => {
          throw new CheckFailed(`no "${labels.acceptHandshake(v.plate)}" button on ${paths.handshakes}`);
        });
        const alert = await pressUntilDone(page, accept, labels.acceptHandshake(v.plate));
        if (alert) throw new CheckFailed(`accepting: the page says "${alert}"`);
      });

      await test.step('Verify status = ACCEPTED', async () => {
        const { data, error, status } = await synthetic.client.from('handshakes').select('status').eq('id', handshakeId).single();
        if (error) throw new CheckFailed(`handshake unreadable: ${describeError(error, status)}`);
        if (data.status !== 'ACCEPTED') throw new CheckFailed(`handshake status is ${data.status} after Accept, expected ACCEPTED`);
      });

      await test.step('Verify vehicle status = IN_TRANSIT', async () => {
        const { data, error, status } = await synthetic.client.from('vehicles').select('status').eq('id', v.id).single();
        if (error) throw new CheckFailed(`vehicle unreadable: ${describeError(error, status)}`);
        if (data.status !== 'IN_TRANSIT') throw new CheckFailed(`vehicle status of ${v.plate} is ${data.status} after Accept, expected IN_TRANSIT`);
      });

      let emailEvidence = '';
      await test.step(`Verify email sent (${emailCheck === 'catcher' ? 'mail catcher' : 'notification SENT'})`, async () => {
        emailEvidence = await verifyEmail(emailCheck, target, synthetic, appProfile.email.subject(v.plate), mailBefore);
      });

      return `${v.plate}: handshake ACCEPTED, vehicle IN_TRANSIT, ${emailEvidence}`;
    }).finally(() => attachScreenshot(page, testInfo));
  },
);
