/**
 * A status change the handshake rules forbid is refused with a clear error: Accept in a page opened while the
 * handshake was still pending, after it was rejected meanwhile (REJECTED → ACCEPTED), and REJECTED → PENDING
 * through the API. Nothing changes: the handshake stays REJECTED, the vehicle where it was.
 */
import { appProfile } from '../../src/config/app-profile.ts';
import { describeError } from '../../src/supabase.ts';
import { pressUntilDone } from '../smoke/flow-helpers.ts';
import { pendingHandshake, statusOf } from './e2e-helpers.ts';
import { attachScreenshot, CheckFailed, gotoSignedIn, measured, test } from './fixtures.ts';

test('Illegal Transition Test', async ({ signedInPage: page, e2e }, testInfo) => {
  const { paths, labels, e2e: profile } = appProfile;
  await measured(testInfo, async () => {
    const v = await e2e.claimVehicle('for a handshake to refuse', (vehicle, pending) => !pending.has(vehicle.id));
    // Should the refusal fail, the accept goes through and emails the requester.
    e2e.synthetic.removeNotifications(appProfile.email.subject(v.plate));
    const accept = page.getByRole('button', { name: labels.acceptHandshake(v.plate), exact: true });
    let id = '';
    let refusal = '';

    await test.step(`Open ${paths.handshakes} with a pending handshake of ${v.plate}`, async () => {
      id = await pendingHandshake(e2e, v, 'E2E handshake for an illegal transition');
      await gotoSignedIn(page, paths.handshakes);
      await accept.waitFor({ timeout: 10_000 }).catch(() => {
        throw new CheckFailed(`no "${labels.acceptHandshake(v.plate)}" button on ${paths.handshakes}`);
      });
    });

    await test.step('Meanwhile, reject it through the API', async () => {
      const { error, status } = await e2e.synthetic.client.from('handshakes').update({ status: 'REJECTED' }).eq('id', id);
      if (error) throw new CheckFailed(`rejecting through the API failed: ${describeError(error, status)}`);
    });

    await test.step('Accept it in the page: refused (REJECTED → ACCEPTED)', async () => {
      const alert = await pressUntilDone(page, accept, labels.acceptHandshake(v.plate));
      if (!alert) throw new CheckFailed(`Accept of a REJECTED handshake was not refused: it is now ${await statusOf(e2e, 'handshakes', id)}`);
      if (!profile.illegalTransition.test(alert)) throw new CheckFailed(`Accept of a REJECTED handshake: the page says "${alert}", not the illegal-transition refusal`);
      refusal = alert;
    });

    await test.step('Verify nothing changed', async () => {
      const status = await statusOf(e2e, 'handshakes', id);
      if (status !== 'REJECTED') throw new CheckFailed(`handshake is ${status} after the refused Accept, expected REJECTED`);
      const vehicleStatus = await statusOf(e2e, 'vehicles', v.id);
      if (vehicleStatus !== v.status) throw new CheckFailed(`${v.plate} became ${vehicleStatus} after the refused Accept, expected ${v.status}`);
    });

    let code = '';
    await test.step('REJECTED → PENDING through the API: refused', async () => {
      const back = await e2e.synthetic.client.from('handshakes').update({ status: 'PENDING' }).eq('id', id).select('status');
      if (!back.error) throw new CheckFailed(`REJECTED → PENDING through the API was not refused (${back.data?.[0]?.status ?? 'row not returned'})`);
      if (!profile.illegalTransition.test(back.error.message)) throw new CheckFailed(`REJECTED → PENDING refused for another reason: ${describeError(back.error, back.status)}`);
      code = `HTTP ${back.status} ${back.error.code}`;
    });

    return `${v.plate}: stale Accept refused ("${refusal}"), REJECTED → PENDING refused (${code}); still REJECTED, vehicle ${v.status}`;
  }).finally(() => attachScreenshot(page, testInfo));
});
