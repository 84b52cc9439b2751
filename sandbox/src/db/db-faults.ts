import type { ActiveFaults, FaultName } from '../faults.ts';
import type { Database } from './database.ts';

/** Faults that live in the database's trigger functions, which read them from `sandbox.faults` (domain.sql). */
export const DB_FAULTS = ['accept_no_vehicle_status', 'geofence_off', 'audit_off', 'handshake_rules_off', 'document_expiry_off'] as const satisfies readonly FaultName[];

/**
 * Makes `sandbox.faults` list exactly the database-level faults that are on. Must run at start and after every
 * change of the active faults (it is a fault listener: `faults.onFaultsChanged((f) => applyDbFaults(db, f))`).
 */
export async function applyDbFaults(db: Database, faults: ActiveFaults): Promise<void> {
  const on = DB_FAULTS.filter((name) => faults.isOn(name));
  await db.transaction(async (sql) => {
    await sql.query(`delete from sandbox.faults where name <> all ($1::text[])`, [on]);
    await sql.query(`insert into sandbox.faults (name) select unnest($1::text[]) on conflict do nothing`, [on]);
  });
}
