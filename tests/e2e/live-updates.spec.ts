/**
 * Two browsers, each signed in on its own, each with the vehicles list open: what one does in its pages shows up
 * in the other's list without a reload. Browser A accepts a handshake (its vehicle goes IN_TRANSIT); browser B
 * saves a "Service due" inspection (its vehicle goes IN_SERVICE, with a SERVICE_DUE alert).
 */
import { appProfile } from '../../src/config/app-profile.ts';
import { pollFor, pressUntilDone } from '../smoke/flow-helpers.ts';
import { expectLiveStatus, openLiveList, pendingHandshake, saveInspection, statusOf } from './e2e-helpers.ts';
import { attachScreenshot, CheckFailed, gotoSignedIn, measured, signInThroughUi, test } from './fixtures.ts';

test('Live Updates Test', async ({ signedInPage: pageA, browser, e2e, target }, testInfo) => {
  const { paths, labels, e2e: profile } = appProfile;
  const contextB = await browser.newContext({ baseURL: target.BASE_URL });
  const pageB = await contextB.newPage();
  try {
    await measured(testInfo, async () => {
      const { synthetic } = e2e;
      const x = await e2e.claimVehicle('to accept in browser A', (v, pending) => !pending.has(v.id) && v.status !== 'IN_TRANSIT');
      const y = await e2e.claimVehicle('to send for service in browser B', (v) => v.status !== 'IN_SERVICE');
      synthetic.removeNotifications(appProfile.email.subject(x.plate));
      const serviceAlerts = await e2e.watchAlerts(y, profile.alertKinds.serviceDue);
      await pendingHandshake(e2e, x, 'E2E handshake accepted live');

      const listA = await pageA.context().newPage();
      const listB = await contextB.newPage();
      let tableA = listA.getByRole('table');
      let tableB = listB.getByRole('table');
      await test.step(`Both browsers open ${paths.vehicles} and go live`, async () => {
        await signInThroughUi(pageB, target).catch((e: Error) => {
          throw new CheckFailed(`browser B cannot sign in: ${e.message}`);
        });
        tableA = await openLiveList(listA, 'browser A');
        tableB = await openLiveList(listB, 'browser B');
      });

      await test.step(`Browser A accepts the handshake of ${x.plate}`, async () => {
        await gotoSignedIn(pageA, paths.handshakes);
        const accept = pageA.getByRole('button', { name: labels.acceptHandshake(x.plate), exact: true });
        await accept.waitFor({ timeout: 10_000 }).catch(() => {
          throw new CheckFailed(`no "${labels.acceptHandshake(x.plate)}" button in browser A`);
        });
        const alert = await pressUntilDone(pageA, accept, labels.acceptHandshake(x.plate));
        if (alert) throw new CheckFailed(`accepting in browser A: the page says "${alert}"`);
      });

      await test.step(`Browser B's list shows ${x.plate} IN_TRANSIT without a reload`, async () => {
        await expectLiveStatus(listB, tableB, x.plate, 'IN_TRANSIT', 'browser B', `browser A accepted its handshake (stored: ${await statusOf(e2e, 'vehicles', x.id)})`);
      });

      await test.step(`Browser B saves a "${profile.inspectionServiceDue}" inspection of ${y.plate}`, async () => {
        await saveInspection(pageB, y.plate, profile.inspectionServiceDue, synthetic.tag('E2E service due, seen live'));
      });

      await test.step(`Browser A's list shows ${y.plate} IN_SERVICE without a reload`, async () => {
        await expectLiveStatus(listA, tableA, y.plate, 'IN_SERVICE', 'browser A', `browser B saved its inspection (stored: ${await statusOf(e2e, 'vehicles', y.id)})`);
      });

      await test.step(`Verify the ${profile.alertKinds.serviceDue} alert of ${y.plate}`, async () => {
        const raised = await pollFor(async () => (await serviceAlerts.fresh())[0], profile.waitMs);
        if (!raised) throw new CheckFailed(`no ${profile.alertKinds.serviceDue} alert for ${y.plate} within ${profile.waitMs / 1000} s of its inspection`);
      });

      return `browser B saw ${x.plate} IN_TRANSIT (accepted in A) and browser A saw ${y.plate} IN_SERVICE (inspected in B), both live`;
    }).finally(() => attachScreenshot(pageB, testInfo));
  } finally {
    await contextB.close();
  }
});
