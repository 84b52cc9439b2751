/**
 * The faults the smoke suite's migration verification and security checks are proven against (audit_mutable,
 * index_missing, audit_trigger_off, integrity_broken), seen from outside as those checks see them: the REST API
 * through supabase-js, and the catalog and data over the direct connection (SUPABASE_DB_URL) with node-postgres.
 * Defined once and run against each backend (migration-faults.pglite.test.ts, migration-faults.postgres.test.ts);
 * faults are switched while the sandbox runs, and the clean state is checked before and after each of them.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ORPHAN_VEHICLE } from '../db/migration-faults.ts';
import { SEED, SEED_PASSWORDS } from '../db/seed-data.ts';
import { AUDITED_TABLES } from '../db/tables.ts';
import type { RunningSandbox } from '../index.ts';
import { client, signedIn } from './fixtures.ts';

const synthetic = SEED.tenants.find((t) => t.isSynthetic)!;
const marsana = SEED.tenants.find((t) => t.name === 'Marsana Logistics')!;
const MARSANA_ADMIN = 'admin@marsana.test';
const VEHICLE_INDEXES = ['vehicles_branch_id_idx', 'vehicles_corporate_id_idx', 'vehicles_status_idx'];

type IndexRow = { table: string; name: string; definition: string };

/** What a migration check reads from the catalog and the data; a fresh connection per call, as a checker makes one. */
export async function inspect<T>(url: string, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

export const publicIndexes = (db: pg.Client) =>
  db
    .query<IndexRow>(`select tablename as table, indexname as name, indexdef as definition from pg_indexes where schemaname = 'public' order by 1, 2`)
    .then((r) => r.rows);

export const disabledAuditTriggers = (db: pg.Client) =>
  db
    .query<{ table: string }>(
      `select c.relname as table from pg_trigger t join pg_class c on c.oid = t.tgrelid
        where c.relnamespace = 'public'::regnamespace and t.tgfoid = 'public.write_audit_log'::regproc and t.tgenabled = 'D'
        order by 1`,
    )
    .then((r) => r.rows.map((row) => row.table));

export const orphanVehicles = (db: pg.Client) =>
  db
    .query<{ id: string; plate: string; corporate_id: string; branch_id: string }>(
      `select id, plate, corporate_id, branch_id from public.vehicles v
        where not exists (select 1 from public.branches b where b.id = v.branch_id) order by plate`,
    )
    .then((r) => r.rows);

export const auditPolicies = (db: pg.Client) =>
  db
    .query<{ cmd: string }>(`select cmd from pg_policies where schemaname = 'public' and tablename = 'audit_logs' order by cmd`)
    .then((r) => r.rows.map((row) => row.cmd));

export function defineMigrationFaultsSuite(backend: string, start: () => Promise<{ sandbox: RunningSandbox; cleanup?: () => Promise<void> }>) {
  describe(`migration and security faults on ${backend}`, () => {
    let sandbox: RunningSandbox;
    let cleanup: (() => Promise<void>) | undefined;
    let smoke: SupabaseClient;
    let anon: SupabaseClient;
    let admin: SupabaseClient;
    let cleanIndexes: IndexRow[];
    const db = <T,>(fn: (client: pg.Client) => Promise<T>) => inspect(sandbox.env.SUPABASE_DB_URL, fn);

    /** One audit row of the smoke user's tenant, read with the service role (the truth, whatever the policies say). */
    const someSyntheticAuditRow = async () => {
      const { data } = await admin.from('audit_logs').select('id, action, table_name').eq('corporate_id', synthetic.id).order('id').limit(1).single();
      return data as { id: string; action: string; table_name: string };
    };
    const auditRow = async (id: string) => (await admin.from('audit_logs').select('id, action').eq('id', id).maybeSingle()).data;

    /** The clean database every test starts from and must come back to. */
    async function expectClean(): Promise<void> {
      await db(async (c) => {
        expect(await publicIndexes(c)).toEqual(cleanIndexes);
        expect(await disabledAuditTriggers(c)).toEqual([]);
        expect(await orphanVehicles(c)).toEqual([]);
        expect(await auditPolicies(c)).toEqual(['SELECT']);
        expect((await c.query(`select count(*)::int as n from sandbox.dropped_indexes`)).rows[0].n).toBe(0);
      });
      // Neither anon nor a signed-in user can change the audit trail: PostgREST finds no row to touch (0 rows).
      const row = await someSyntheticAuditRow();
      for (const who of [anon, smoke]) {
        expect(await who.from('audit_logs').update({ action: 'DELETE' }).eq('id', row.id).select()).toMatchObject({ data: [], error: null, status: 200 });
        expect(await who.from('audit_logs').delete().eq('id', row.id).select()).toMatchObject({ data: [], error: null, status: 200 });
        expect(await who.from('audit_logs').delete().eq('id', row.id)).toMatchObject({ error: null, status: 204 });
      }
      expect(await auditRow(row.id)).toEqual({ id: row.id, action: row.action });
    }

    beforeAll(async () => {
      ({ sandbox, cleanup } = await start());
      smoke = await signedIn(sandbox.env, sandbox.env.SMOKE_USER_EMAIL, sandbox.env.SMOKE_USER_PASSWORD);
      anon = client(sandbox.env);
      admin = client(sandbox.env, 'service_role');
      cleanIndexes = await db(publicIndexes);
      expect(cleanIndexes.filter((i) => i.table === 'vehicles').map((i) => i.name)).toEqual(
        [...VEHICLE_INDEXES, 'vehicles_pkey', 'vehicles_plate_key'].sort(),
      );
    });
    afterEach(async () => {
      await sandbox.faults.replace('');
    });
    afterAll(async () => {
      await sandbox?.stop();
      await cleanup?.();
    });

    it('the default state is clean: every index, every audit trigger on, no orphan, an audit trail nobody can change', async () => {
      await expectClean();
    });

    it("audit_mutable: a user updates and deletes their tenant's audit rows through REST; other tenants' stay out of reach", async () => {
      const row = await someSyntheticAuditRow();
      const { data: marsanaRow } = await admin.from('audit_logs').select('id').eq('corporate_id', marsana.id).limit(1).single();
      await sandbox.faults.replace('audit_mutable');
      expect(await db(auditPolicies)).toEqual(['DELETE', 'SELECT', 'UPDATE']);

      const updated = await smoke.from('audit_logs').update({ action: 'DELETE', new_row: null }).eq('id', row.id).select('id, action');
      expect(updated).toMatchObject({ error: null, status: 200, data: [{ id: row.id, action: 'DELETE' }] });
      expect(await auditRow(row.id)).toEqual({ id: row.id, action: 'DELETE' });
      expect(await smoke.from('audit_logs').delete().eq('id', row.id).select('id')).toMatchObject({ error: null, data: [{ id: row.id }] });
      expect(await auditRow(row.id)).toBeNull();
      // Tenant isolation still holds, and anon has no policy.
      expect((await smoke.from('audit_logs').delete().eq('id', marsanaRow!.id).select('id')).data).toEqual([]);
      const next = await someSyntheticAuditRow();
      expect((await anon.from('audit_logs').delete().eq('id', next.id).select('id')).data).toEqual([]);
      expect(await auditRow(marsanaRow!.id)).not.toBeNull();

      await sandbox.faults.replace('');
      await expectClean();
    });

    it('index_missing=vehicles drops its three plain indexes (keys stay); switched off they come back exactly', async () => {
      await sandbox.faults.replace('index_missing=vehicles,index_missing=handshakes');
      await db(async (c) => {
        const now = await publicIndexes(c);
        expect(now.filter((i) => i.table === 'vehicles').map((i) => i.name)).toEqual(['vehicles_pkey', 'vehicles_plate_key']);
        expect(now.filter((i) => i.table === 'handshakes').map((i) => i.name)).toEqual(['handshakes_pkey']);
        // Nothing else changed.
        const untouched = (rows: IndexRow[]) => rows.filter((i) => i.table !== 'vehicles' && i.table !== 'handshakes');
        expect(untouched(now)).toEqual(untouched(cleanIndexes));
      });
      // The app still works, only slower at scale.
      expect((await smoke.from('vehicles').select('id').eq('status', 'AVAILABLE')).data).toHaveLength(2);

      await sandbox.faults.replace('index_missing=handshakes');
      await db(async (c) => {
        const now = await publicIndexes(c);
        expect(now.filter((i) => i.table === 'vehicles')).toEqual(cleanIndexes.filter((i) => i.table === 'vehicles'));
        expect(now.filter((i) => i.table === 'handshakes').map((i) => i.name)).toEqual(['handshakes_pkey']);
      });
      await sandbox.faults.replace('');
      await expectClean();
    });

    it('audit_trigger_off=vehicles: vehicle changes leave no audit row, other tables still do; audited again when off', async () => {
      const vehicleId = (await smoke.from('vehicles').select('id').order('plate').limit(1).single()).data!.id as string;
      const branchId = (await smoke.from('branches').select('id').order('name').limit(1).single()).data!.id as string;
      const auditCount = async (recordId: string) =>
        (await admin.from('audit_logs').select('id', { count: 'exact', head: true }).eq('record_id', recordId)).count!;
      const touch = async () => {
        expect((await smoke.from('vehicles').update({ odometer_km: Math.floor(Math.random() * 1e6) }).eq('id', vehicleId).select('id')).data).toHaveLength(1);
        expect((await smoke.from('branches').update({ city: `Synthetic ${Math.random()}` }).eq('id', branchId).select('id')).data).toHaveLength(1);
      };
      const before = { vehicle: await auditCount(vehicleId), branch: await auditCount(branchId) };

      await sandbox.faults.replace('audit_trigger_off=vehicles');
      expect(await db(disabledAuditTriggers)).toEqual(['vehicles']);
      await touch();
      expect(await auditCount(vehicleId)).toBe(before.vehicle);
      expect(await auditCount(branchId)).toBe(before.branch + 1);

      await sandbox.faults.replace('audit_trigger_off=vehicles,audit_trigger_off=branches');
      expect(await db(disabledAuditTriggers)).toEqual(['branches', 'vehicles']);

      await sandbox.faults.replace('');
      await touch();
      expect(await auditCount(vehicleId)).toBe(before.vehicle + 1);
      expect(await auditCount(branchId)).toBe(before.branch + 2);
      await expectClean();
    });

    it('audit_trigger_off takes only audited tables', async () => {
      await expect(sandbox.faults.replace('audit_trigger_off=audit_logs')).rejects.toThrow(/does not accept "audit_logs"/);
      expect(AUDITED_TABLES).not.toContain('audit_logs');
    });

    it('integrity_broken: a Marsana vehicle ORPHAN-1 points at no branch; the synthetic tenant is untouched; removed when off', async () => {
      const syntheticBefore = (await admin.from('vehicles').select('*').eq('corporate_id', synthetic.id).order('id')).data;
      const auditBefore = (await admin.from('audit_logs').select('id', { count: 'exact', head: true })).count;
      await sandbox.faults.replace('integrity_broken');
      expect(await db(orphanVehicles)).toEqual([
        { id: ORPHAN_VEHICLE.id, plate: 'ORPHAN-1', corporate_id: marsana.id, branch_id: ORPHAN_VEHICLE.branchId },
      ]);
      // Its tenant sees it, with no branch; the smoke user's tenant does not.
      const marsanaAdmin = await signedIn(sandbox.env, MARSANA_ADMIN, SEED_PASSWORDS.staff);
      expect((await marsanaAdmin.from('vehicles').select('plate, branches(name)').eq('plate', 'ORPHAN-1')).data).toEqual([
        { plate: 'ORPHAN-1', branches: null },
      ]);
      expect((await smoke.from('vehicles').select('id')).data).toHaveLength(synthetic.vehicleCount);
      expect((await admin.from('vehicles').select('*').eq('corporate_id', synthetic.id).order('id')).data).toEqual(syntheticBefore);
      // Only that row breaks the rule: the foreign key still refuses new orphans, and the corruption is not audited.
      expect((await admin.from('audit_logs').select('id', { count: 'exact', head: true })).count).toBe(auditBefore);
      const refused = await marsanaAdmin
        .from('vehicles')
        .insert({ corporate_id: marsana.id, branch_id: ORPHAN_VEHICLE.branchId, plate: 'ORPHAN-2', make: 'x', model: 'y', year: 2020 });
      expect(refused.error).toMatchObject({ code: '23503' });
      // Switching another fault keeps it in place.
      await sandbox.faults.replace('integrity_broken,audit_mutable');
      expect(await db(orphanVehicles)).toHaveLength(1);

      await sandbox.faults.replace('');
      expect((await admin.from('vehicles').select('id').eq('id', ORPHAN_VEHICLE.id)).data).toEqual([]);
      expect((await admin.from('audit_logs').select('id', { count: 'exact', head: true })).count).toBe(auditBefore);
      await expectClean();
    });

    it('integrity_broken off also removes what the app attached to the orphan meanwhile', async () => {
      await sandbox.faults.replace('integrity_broken');
      const marsanaAdmin = await signedIn(sandbox.env, MARSANA_ADMIN, SEED_PASSWORDS.staff);
      const located = await marsanaAdmin
        .from('vehicle_locations')
        .insert({ corporate_id: marsana.id, vehicle_id: ORPHAN_VEHICLE.id, lat: 24.7, lng: 46.7 })
        .select('id');
      expect(located.error).toBeNull();
      await sandbox.faults.replace('');
      expect((await admin.from('vehicle_locations').select('id').eq('vehicle_id', ORPHAN_VEHICLE.id)).data).toEqual([]);
      await db(async (c) => {
        const dangling = await c.query(`select count(*)::int as n from public.vehicle_locations l where not exists (select 1 from public.vehicles v where v.id = l.vehicle_id)`);
        expect(dangling.rows[0].n).toBe(0);
      });
      await expectClean();
    });

    it('all four together, with table_missing on the same table, apply and undo in one change', async () => {
      await sandbox.faults.replace('audit_mutable,index_missing=vehicles,audit_trigger_off=vehicles,integrity_broken,table_missing=vehicles');
      expect((await smoke.from('vehicles').select('id')).error).toMatchObject({ code: 'PGRST205' });
      await db(async (c) => {
        const archived = await c.query(`select indexname from pg_indexes where schemaname = 'archive' and tablename = 'vehicles' order by 1`);
        expect(archived.rows.map((r) => r.indexname)).toEqual(['vehicles_pkey', 'vehicles_plate_key']);
      });
      await sandbox.faults.replace('');
      expect((await smoke.from('vehicles').select('id')).data).toHaveLength(synthetic.vehicleCount);
      await expectClean();
    });
  });
}
