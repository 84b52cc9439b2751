/**
 * Fixtures of the e2e set, on top of the smoke suite's (the target, the smoke user's sessions, `synthetic`).
 * Tests run side by side, so each takes the vehicles it changes for itself (`claimVehicle`); everything they make
 * beyond `synthetic`'s handshakes and inspections (alerts the app raises, documents, locations, emails to other
 * recipients, users) is removed after the test, passed or failed, and claimed vehicles get their status back.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { SupabaseClient } from '@supabase/supabase-js';
import lockfile from 'proper-lockfile';
import { describeError, makeClient } from '../../src/supabase.ts';
import { CheckFailed, RUN_ID, test as smokeTest, type Synthetic } from '../smoke/fixtures.ts';
import { fleet, type FleetBranch, type FleetVehicle } from '../smoke/flow-helpers.ts';

export { CheckFailed, expect, attachScreenshot, gotoSignedIn, measured, signInThroughUi } from '../smoke/fixtures.ts';

export interface Alert {
  id: string;
  kind: string;
  severity: string;
  message: string;
}

/** The alerts of one kind on one vehicle, as they were when the watch began. */
export interface AlertWatch {
  /** Alerts of that kind on that vehicle raised since the watch began (removed after the test). */
  fresh(): Promise<Alert[]>;
}

export interface RoleUser {
  id: string;
  email: string;
  /** The smoke user's password: a secret the suite already redacts from everything it writes. */
  password: string;
}

export interface E2e {
  synthetic: Synthetic;
  branches: FleetBranch[];
  /**
   * A vehicle of the smoke tenant that no other test of the run holds and that `fits` (given the vehicles with a
   * pending handshake); held until the test ends, then its status is put back.
   */
  claimVehicle(why: string, fits?: (vehicle: FleetVehicle, pending: Set<string>) => boolean): Promise<FleetVehicle>;
  /** Starts watching the alerts of `kind` on a vehicle; new ones are removed after the test. */
  watchAlerts(vehicle: FleetVehicle, kind: string): Promise<AlertWatch>;
  /** Rows to delete after the test (those that cannot carry the run id, e.g. vehicle locations). */
  removeAfter(table: string, ids: string[]): void;
  /** A user of `role` in the synthetic tenant, made with the auth admin API for this test and deleted after it. */
  createUser(role: string): Promise<RoleUser>;
}

const NO_SERVICE_ROLE = 'needs SUPABASE_SERVICE_ROLE_KEY (auth admin) to create users of each role in the synthetic tenant';

export const test = smokeTest.extend<{ e2e: E2e }>({
  e2e: async ({ synthetic, target }, use) => {
    const { client, tenantId } = synthetic;
    const { branches } = await fleet(client, tenantId);
    const claims: { vehicle: FleetVehicle; release: () => Promise<void> }[] = [];
    const watches: { vehicleId: string; kind: string; before: Set<string> }[] = [];
    const rows: { table: string; ids: string[] }[] = [];
    const users: string[] = [];
    const admin = () => {
      if (!target.SUPABASE_SERVICE_ROLE_KEY) test.skip(true, NO_SERVICE_ROLE);
      return makeClient(target.SUPABASE_URL, target.SUPABASE_SERVICE_ROLE_KEY!);
    };
    try {
      await use({
        synthetic,
        branches,
        claimVehicle: async (why, fits = () => true) => {
          const claim = await claimVehicle(client, tenantId, why, fits);
          claims.push(claim);
          return claim.vehicle;
        },
        watchAlerts: async (vehicle, kind) => {
          const watch = { vehicleId: vehicle.id, kind, before: new Set((await alertsOf(client, vehicle.id, kind)).map((a) => a.id)) };
          watches.push(watch);
          return { fresh: async () => (await alertsOf(client, vehicle.id, kind)).filter((a) => !watch.before.has(a.id)) };
        },
        removeAfter: (table, ids) => rows.push({ table, ids }),
        createUser: async (role) => {
          const email = roleUserEmail(target.SMOKE_USER_EMAIL, role);
          const created = await admin().auth.admin.createUser({
            email,
            password: target.SMOKE_USER_PASSWORD,
            email_confirm: true,
            user_metadata: { corporate_id: tenantId, role, full_name: synthetic.tag(`E2E ${role}`) },
          });
          if (created.error || !created.data.user) throw new CheckFailed(`creating a ${role} user failed: ${describeError(created.error)}`);
          users.push(created.data.user.id);
          return { id: created.data.user.id, email, password: target.SMOKE_USER_PASSWORD };
        },
      });
    } finally {
      const problems: string[] = [];
      const note = (what: string, error: unknown) => error && problems.push(`${what}: ${describeError(error)}`);
      for (const w of watches) {
        const fresh = (await alertsOf(client, w.vehicleId, w.kind).catch(() => [])).filter((a) => !w.before.has(a.id)).map((a) => a.id);
        if (fresh.length > 0) note(`deleting ${w.kind} alerts`, (await client.from('alerts').delete().in('id', fresh)).error);
      }
      for (const r of rows) if (r.ids.length > 0) note(`deleting ${r.table}`, (await client.from(r.table).delete().in('id', r.ids)).error);
      const tagged = `*${synthetic.mark}*`;
      note('deleting documents', (await client.from('vehicle_documents').delete().eq('corporate_id', tenantId).like('number', tagged)).error);
      // Emails about tagged records (a damage report goes to every admin and manager) carry the tag in their text.
      note('deleting notifications', (await client.from('notifications').delete().eq('corporate_id', tenantId).like('body', tagged)).error);
      for (const id of users) note(`deleting user ${id}`, (await admin().auth.admin.deleteUser(id)).error);
      for (const { vehicle, release } of claims.reverse()) {
        note(`restoring ${vehicle.plate}`, (await client.from('vehicles').update({ status: vehicle.status }).eq('id', vehicle.id).neq('status', vehicle.status)).error);
        await release().catch(() => undefined);
      }
      if (problems.length > 0) throw new Error(`synthetic data not cleaned up: ${problems.join('; ')}`);
    }
  },
});

/** `smoke+e2e-…-driver-1a2b@domain`: the smoke user's address, tagged with the run id and the role. */
function roleUserEmail(smokeEmail: string, role: string): string {
  const [local, domain] = smokeEmail.toLowerCase().split('@') as [string, string];
  return `${local}+${RUN_ID.toLowerCase().replace(/[^a-z0-9-]/g, '-')}-${role}-${randomBytes(2).toString('hex')}@${domain}`;
}

async function alertsOf(client: SupabaseClient, vehicleId: string, kind: string): Promise<Alert[]> {
  const { data, error, status } = await client.from('alerts').select('id, kind, severity, message').eq('vehicle_id', vehicleId).eq('kind', kind);
  if (error) throw new CheckFailed(`alerts unreadable: ${describeError(error, status)}`);
  return (data ?? []) as Alert[];
}

const lockFile = (vehicleId: string) => path.join(os.tmpdir(), `e2e-vehicle-${RUN_ID.replace(/[^A-Za-z0-9_-]/g, '_')}-${vehicleId}`);

/** The first vehicle that fits and whose lock (one per vehicle and run, across workers) is free; waits up to 60 s. */
async function claimVehicle(
  client: SupabaseClient,
  tenantId: string,
  why: string,
  fits: (vehicle: FleetVehicle, pending: Set<string>) => boolean,
): Promise<{ vehicle: FleetVehicle; release: () => Promise<void> }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    for (const candidate of (await fleet(client, tenantId)).vehicles) {
      const release = await lockfile.lock(lockFile(candidate.id), { realpath: false, stale: 30_000 }).catch(() => undefined);
      if (!release) continue;
      // Read again under the lock: the test that held it may have just put its status back.
      const [{ vehicles }, pending] = await Promise.all([fleet(client, tenantId), pendingVehicles(client)]);
      const vehicle = vehicles.find((v) => v.id === candidate.id);
      if (vehicle && fits(vehicle, pending)) return { vehicle, release };
      await release();
    }
    if (Date.now() > deadline) throw new CheckFailed(`no vehicle of the smoke tenant free ${why} within 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function pendingVehicles(client: SupabaseClient): Promise<Set<string>> {
  const { data, error, status } = await client.from('handshakes').select('vehicle_id').eq('status', 'PENDING');
  if (error) throw new CheckFailed(`handshakes unreadable: ${describeError(error, status)}`);
  return new Set((data ?? []).map((h) => h.vehicle_id as string));
}
