/**
 * The promotion log's Handshake Accept Test: a pending handshake this test created (through the API, as the smoke
 * user, tagged with the run id) is accepted in the page; the API then reads it ACCEPTED and its vehicle IN_TRANSIT,
 * and the requester's email went out: seen by the sandbox's mail catcher, or elsewhere as a SENT notification.
 */
import { appProfile } from '../../src/config/app-profile.ts';
import type { TargetEnv } from '../../src/config/target-env.ts';
import { testSection } from '../../src/log-annotations.ts';
import { describeError } from '../../src/supabase.ts';
import { attachScreenshot, CheckFailed, gotoSignedIn, measured, test, type Synthetic } from './fixtures.ts';
import { CREATE_VEHICLE_INDEX, fleet, INSPECTION_VEHICLE_INDEX, otherBranch, pollFor, visibleAlert, type FleetVehicle } from './flow-helpers.ts';

interface CaughtMail {
  to: string[];
  subject: string;
  date: string;
  messageId: string;
}

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
        const { vehicles, branches } = await fleet(synthetic.client);
        const pending = await synthetic.client.from('handshakes').select('vehicle_id').eq('status', 'PENDING');
        if (pending.error) throw new CheckFailed(`handshakes unreadable: ${describeError(pending.error, pending.status)}`);
        const busy = new Set((pending.data ?? []).map((h) => h.vehicle_id as string));
        // Not a vehicle another flow uses, not already in transit (else IN_TRANSIT proves nothing), one Accept button.
        const reserved = new Set([CREATE_VEHICLE_INDEX, INSPECTION_VEHICLE_INDEX].map((i) => vehicles[i % vehicles.length]!.id));
        vehicle = [...vehicles].reverse().find((v) => !reserved.has(v.id) && v.status !== 'IN_TRANSIT' && !busy.has(v.id));
        if (!vehicle) throw new CheckFailed('no vehicle of the smoke tenant is free for a handshake (all in transit or pending)');
        synthetic.restoreVehicleStatus(vehicle.id, vehicle.status);
        synthetic.removeNotifications(appProfile.email.subject(vehicle.plate));
        const created = await synthetic.client
          .from('handshakes')
          .insert({
            corporate_id: synthetic.tenantId,
            vehicle_id: vehicle.id,
            from_branch_id: vehicle.branch_id,
            to_branch_id: otherBranch(branches, vehicle).id,
            requested_by: synthetic.userId,
            notes: synthetic.tag('Smoke test handshake to accept'),
          })
          .select('id')
          .single();
        if (created.error) throw new CheckFailed(`creating the pending handshake failed: ${describeError(created.error, created.status)}`);
        handshakeId = created.data.id as string;
      });
      const v = vehicle!;
      const mailBefore = emailCheck === 'catcher' ? new Set((await readMail(target)).map((m) => m.messageId)) : new Set<string>();

      await test.step(`Accept it in ${paths.handshakes}`, async () => {
        await gotoSignedIn(page, paths.handshakes);
        const accept = page.getByRole('button', { name: labels.acceptHandshake(v.plate), exact: true });
        await accept.waitFor({ timeout: 10_000 }).catch(() => {
          throw new CheckFailed(`no "${labels.acceptHandshake(v.plate)}" button on ${paths.handshakes}`);
        });
        // The app reloads the page once the accept is stored; a click before hydration is lost, so click again.
        // The app disables the button while it stores the accept, then reloads the page. A click before the page
        // hydrated is lost (the button stays enabled): only then click again, never twice on a live button.
        const deadline = Date.now() + 15_000;
        while (await accept.isVisible()) {
          const alert = await visibleAlert(page);
          if (alert) throw new CheckFailed(`accepting: the page says "${alert}"`);
          if (Date.now() > deadline) throw new CheckFailed(`"${labels.acceptHandshake(v.plate)}" still shown 15 s after clicking it`);
          if (await accept.isEnabled().catch(() => false)) await accept.click({ timeout: 2_000 }).catch(() => undefined);
          await accept.waitFor({ state: 'hidden', timeout: 1_000 }).catch(() => undefined);
        }
        await page.waitForLoadState('domcontentloaded');
        const alert = await visibleAlert(page);
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
        emailEvidence = await verifyEmail(emailCheck, target, synthetic, v.plate, mailBefore);
      });

      return `${v.plate}: handshake ACCEPTED, vehicle IN_TRANSIT, ${emailEvidence}`;
    }).finally(() => attachScreenshot(page, testInfo));
  },
);

function emailCheckMode(target: TargetEnv): 'catcher' | 'notification' {
  const wanted = process.env.SMOKE_EMAIL_CHECK ?? appProfile.email.check;
  if (wanted === 'notification') return 'notification';
  if (wanted === 'catcher' && !target.SUPABASE_SERVICE_ROLE_KEY) throw new CheckFailed('SMOKE_EMAIL_CHECK=catcher needs SUPABASE_SERVICE_ROLE_KEY');
  return target.SUPABASE_SERVICE_ROLE_KEY ? 'catcher' : 'notification';
}

async function readMail(target: TargetEnv): Promise<CaughtMail[]> {
  const key = target.SUPABASE_SERVICE_ROLE_KEY!;
  const res = await fetch(new URL(appProfile.paths.mailCatcher, target.BASE_URL), { headers: { apikey: key, Authorization: `Bearer ${key}` } });
  if (!res.ok) throw new CheckFailed(`${appProfile.paths.mailCatcher} answered HTTP ${res.status}`);
  return (await res.json()) as CaughtMail[];
}

/** The email to the requester (the smoke user) about this vehicle, new since the accept; fails fast on a FAILED notification. */
async function verifyEmail(mode: 'catcher' | 'notification', target: TargetEnv, synthetic: Synthetic, plate: string, seen: Set<string>): Promise<string> {
  const subject = appProfile.email.subject(plate);
  const recipient = target.SMOKE_USER_EMAIL.toLowerCase();
  const found = await pollFor(async () => {
    const row = await synthetic.client
      .from('notifications')
      .select('status, sent_at')
      .eq('recipient_id', synthetic.userId)
      .eq('subject', subject)
      .gte('created_at', synthetic.startedAt.toISOString())
      .order('created_at', { ascending: false })
      .limit(1);
    const status = row.data?.[0]?.status as string | undefined;
    if (status === 'FAILED') throw new CheckFailed(`email "${subject}" not sent: its notification is FAILED`);
    if (mode === 'notification') return status === 'SENT' ? 'notification SENT' : undefined;
    const mail = (await readMail(target)).find(
      (m) => !seen.has(m.messageId) && m.subject === subject && m.to.some((t) => t.toLowerCase().includes(recipient)),
    );
    return mail ? `email "${subject}" reached the mail catcher` : undefined;
  }, appProfile.email.waitMs);
  if (!found) {
    throw new CheckFailed(
      mode === 'catcher'
        ? `email "${subject}" to the requester did not reach the mail catcher within ${appProfile.email.waitMs / 1000} s`
        : `email "${subject}": no SENT notification within ${appProfile.email.waitMs / 1000} s`,
    );
  }
  return found;
}
