/** A vehicle document expiring in 10 days raises a DOCUMENT_EXPIRY alert, and the Documents tab says it expires soon. */
import { appProfile } from '../../src/config/app-profile.ts';
import { describeError } from '../../src/supabase.ts';
import { pollFor } from '../smoke/flow-helpers.ts';
import { openVehicleTab, tableRows } from './e2e-helpers.ts';
import { attachScreenshot, CheckFailed, measured, test } from './fixtures.ts';

const DAYS_LEFT = 10;

test('Document Expiry Alert Test', async ({ signedInPage: page, e2e }, testInfo) => {
  const { e2e: profile } = appProfile;
  await measured(testInfo, async () => {
    const { client, tenantId, mark } = e2e.synthetic;
    const v = await e2e.claimVehicle('for a document');
    const kind = profile.alertKinds.documentExpiry;
    const alerts = await e2e.watchAlerts(v, kind);
    const number = `E2E-${mark}`;
    const expires = new Date(Date.now() + DAYS_LEFT * 86_400_000).toISOString().slice(0, 10);

    await test.step(`Add a permit of ${v.plate} expiring on ${expires} (API)`, async () => {
      const { error, status } = await client.from('vehicle_documents').insert({ corporate_id: tenantId, vehicle_id: v.id, kind: 'PERMIT', number, expires_on: expires });
      if (error) throw new CheckFailed(`adding the document failed: ${describeError(error, status)}`);
    });

    let alert = '';
    await test.step(`Verify a ${kind} alert`, async () => {
      const raised = await pollFor(async () => (await alerts.fresh())[0], profile.waitMs);
      if (!raised) throw new CheckFailed(`no ${kind} alert for ${v.plate} within ${profile.waitMs / 1000} s of a document expiring in ${DAYS_LEFT} days`);
      alert = `${raised.severity} "${raised.message}"`;
    });

    let state = '';
    await test.step(`Verify the ${profile.documentsTab} tab shows it expiring`, async () => {
      const panel = await openVehicleTab(page, v.plate, profile.documentsTab);
      const col = profile.documentColumns;
      const row = (await tableRows(page, panel, appProfile.labels.documentsTable)).find((r) => r[col.number] === number);
      if (!row) throw new CheckFailed(`${v.plate}'s ${profile.documentsTab} tab does not list document ${number}`);
      state = row[col.state] ?? '';
      if (row[col.expires] !== expires || !profile.documentExpiring.test(state)) {
        throw new CheckFailed(`${v.plate}'s ${profile.documentsTab} tab shows ${number} expiring "${row[col.expires]}" as "${state}", expected ${expires} and expiring soon`);
      }
    });

    return `${v.plate}: document expiring ${expires} raised ${kind} ${alert}; Documents tab says "${state}"`;
  }).finally(() => attachScreenshot(page, testInfo));
});
