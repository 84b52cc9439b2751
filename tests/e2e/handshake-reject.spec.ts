/**
 * Rejecting a pending handshake in the page: it is REJECTED, the vehicle stays where it was, the list offers no
 * more actions on it, and the audit trail (API and the vehicle's History tab) records who rejected it.
 */
import { appProfile } from '../../src/config/app-profile.ts';
import { describeError } from '../../src/supabase.ts';
import { pressUntilDone, readTable } from '../smoke/flow-helpers.ts';
import { pendingHandshake, openVehicleTab, statusOf, tableRows } from './e2e-helpers.ts';
import { attachScreenshot, CheckFailed, gotoSignedIn, measured, test } from './fixtures.ts';

test('Handshake Reject Test', async ({ signedInPage: page, e2e, target }, testInfo) => {
  const { paths, labels, handshakeColumns: col, e2e: profile } = appProfile;
  await measured(testInfo, async () => {
    const v = await e2e.claimVehicle('for a handshake to reject', (vehicle, pending) => !pending.has(vehicle.id));
    const reject = page.getByRole('button', { name: profile.rejectHandshake(v.plate), exact: true });
    let id = '';

    await test.step(`Create a pending handshake of ${v.plate} (API)`, async () => {
      id = await pendingHandshake(e2e, v, 'E2E handshake to reject');
    });

    await test.step(`Reject it in ${paths.handshakes}`, async () => {
      await gotoSignedIn(page, paths.handshakes);
      await reject.waitFor({ timeout: 10_000 }).catch(() => {
        throw new CheckFailed(`no "${profile.rejectHandshake(v.plate)}" button on ${paths.handshakes}`);
      });
      const alert = await pressUntilDone(page, reject, profile.rejectHandshake(v.plate));
      if (alert) throw new CheckFailed(`rejecting: the page says "${alert}"`);
    });

    await test.step('Verify status = REJECTED, vehicle unchanged', async () => {
      const status = await statusOf(e2e, 'handshakes', id);
      if (status !== 'REJECTED') throw new CheckFailed(`handshake status is ${status} after Reject, expected REJECTED`);
      const vehicleStatus = await statusOf(e2e, 'vehicles', v.id);
      if (vehicleStatus !== v.status) throw new CheckFailed(`${v.plate} became ${vehicleStatus} after Reject, expected it to stay ${v.status}`);
    });

    await test.step('Verify the list shows it REJECTED, with no Accept or Reject', async () => {
      const rows = await readTable(page, page.getByRole('table', { name: labels.handshakesTable }));
      if (!rows.some((r) => r[col.vehicle] === v.plate && r[col.status] === 'REJECTED')) throw new CheckFailed(`no REJECTED handshake of ${v.plate} listed after Reject`);
      const actions = (await reject.count()) + (await page.getByRole('button', { name: labels.acceptHandshake(v.plate), exact: true }).count());
      if (actions > 0) throw new CheckFailed(`${paths.handshakes} still offers Accept or Reject for ${v.plate}`);
    });

    await test.step('Verify the audit trail records the reject', async () => {
      const audit = await e2e.synthetic.client.from('audit_logs').select('action, actor_id, new_row').eq('table_name', 'handshakes').eq('record_id', id);
      if (audit.error) throw new CheckFailed(`audit_logs unreadable: ${describeError(audit.error, audit.status)}`);
      const recorded = (audit.data ?? []).some(
        (a) => a.action === 'UPDATE' && a.actor_id === e2e.synthetic.userId && (a.new_row as { status?: string } | null)?.status === 'REJECTED',
      );
      if (!recorded) throw new CheckFailed(`no audit row records the reject (handshakes UPDATE to REJECTED by the smoke user; ${audit.data?.length ?? 0} rows for it)`);
      const panel = await openVehicleTab(page, v.plate, profile.historyTab);
      const top = (await tableRows(page, panel, profile.historyTable))[0];
      const h = profile.historyColumns;
      const shown = top && top[h.action] === 'UPDATE' && top[h.record] === 'handshakes' && top[h.by]?.toLowerCase() === target.SMOKE_USER_EMAIL.toLowerCase() && top[h.changed]?.includes('status');
      if (!shown) throw new CheckFailed(`${v.plate}'s History does not show the reject first (top row: ${top ? Object.values(top).join(' | ') : 'none'})`);
    });

    return `${v.plate}: handshake REJECTED in the page, vehicle still ${v.status}, no actions left, audited and in History`;
  }).finally(() => attachScreenshot(page, testInfo));
});
