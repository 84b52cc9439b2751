/**
 * Positions reported for a vehicle: one at its branch's geofence centre raises nothing, one three radii away
 * raises exactly one GEOFENCE_EXIT alert.
 */
import { appProfile } from '../../src/config/app-profile.ts';
import { describeError } from '../../src/supabase.ts';
import { pollFor } from '../smoke/flow-helpers.ts';
import { CheckFailed, measured, test } from './fixtures.ts';

const METRES_PER_DEGREE_LAT = 111_320;

test('Geofence Exit Alert Test', async ({ e2e }, testInfo) => {
  const { e2e: profile } = appProfile;
  await measured(testInfo, async () => {
    const { client, tenantId } = e2e.synthetic;
    const v = await e2e.claimVehicle('for reported positions');
    const kind = profile.alertKinds.geofence;

    const fences = await client.from('geofences').select('name, center_lat, center_lng, radius_m').eq('branch_id', v.branch_id).order('name');
    if (fences.error) throw new CheckFailed(`geofences unreadable: ${describeError(fences.error, fences.status)}`);
    const fence = fences.data?.[0];
    if (!fence) throw new CheckFailed(`${v.plate}'s branch has no geofence (0 rows visible)`);
    const alerts = await e2e.watchAlerts(v, kind);
    const report = async (lat: number, lng: number, where: string) => {
      const { data, error, status } = await client.from('vehicle_locations').insert({ corporate_id: tenantId, vehicle_id: v.id, lat, lng }).select('id');
      if (error) throw new CheckFailed(`reporting a position ${where} failed: ${describeError(error, status)}`);
      e2e.removeAfter('vehicle_locations', (data ?? []).map((r) => r.id as string));
    };
    const away = 3 * fence.radius_m;

    await test.step(`Report ${v.plate} at the centre of ${fence.name}`, async () => {
      await report(fence.center_lat, fence.center_lng, 'inside the geofence');
    });
    await test.step(`Report ${v.plate} ${away} m north of it`, async () => {
      await report(fence.center_lat + away / METRES_PER_DEGREE_LAT, fence.center_lng, 'outside the geofence');
    });

    let message = '';
    await test.step(`Verify one ${kind} alert`, async () => {
      const raised = await pollFor(async () => {
        const fresh = await alerts.fresh();
        return fresh.length > 0 ? fresh : undefined;
      }, profile.waitMs);
      if (!raised) throw new CheckFailed(`no ${kind} alert for ${v.plate} within ${profile.waitMs / 1000} s of a position ${away} m outside ${fence.name}`);
      if (raised.length !== 1) throw new CheckFailed(`${raised.length} ${kind} alerts for ${v.plate} after one position inside and one outside, expected 1`);
      message = raised[0]!.message;
    });

    return `${v.plate}: position at the centre of ${fence.name} raised nothing; ${away} m out raised ${kind} "${message}"`;
  });
});
