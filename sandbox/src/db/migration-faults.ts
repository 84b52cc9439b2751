import type { Sql } from './database.ts';
import { quoteIdent } from './identifiers.ts';
import { tenantPolicySql } from './policies.ts';
import { seedId, SEED } from './seed-data.ts';
import type { PublicTable } from './tables.ts';

/**
 * Fault `audit_mutable`: a migration that "fixed" a permission error by granting too much. The table grant is
 * Supabase's default already (grant all to the API roles); repeated here because that is what such a migration
 * says. What opens the audit trail is the pair of permissive policies, which rowLevelSecuritySql() drops again.
 */
export async function makeAuditLogMutable(sql: Sql): Promise<void> {
  await sql.exec(`grant update, delete on public.audit_logs to authenticated;
${tenantPolicySql('audit_logs', 'update')}
${tenantPolicySql('audit_logs', 'delete')}`);
}

/** The row-level audit triggers (function public.write_audit_log) of a public table, by name. */
async function auditTriggersOf(sql: Sql, table: PublicTable, onlyDisabled = false): Promise<string[]> {
  const { rows } = await sql.query<{ name: string }>(
    `select t.tgname as name
       from pg_trigger t
       join pg_class c on c.oid = t.tgrelid
       join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relname = $1 and not t.tgisinternal
        and t.tgfoid = 'public.write_audit_log'::regproc and ($2::boolean is false or t.tgenabled = 'D')
      order by t.tgname`,
    [table, onlyDisabled],
  );
  return rows.map((r) => r.name);
}

/** Fault `audit_trigger_off=<table>`: the table's audit trigger is disabled, as a bulk migration that forgot to re-enable it. */
export async function disableAuditTrigger(sql: Sql, table: PublicTable): Promise<void> {
  for (const name of await auditTriggersOf(sql, table)) {
    await sql.exec(`alter table public.${table} disable trigger ${quoteIdent(name)};`);
  }
}

/** Enables every audit trigger of `public` that is disabled (the fault's, or a crashed run's). */
export async function enableAuditTriggers(sql: Sql): Promise<void> {
  const { rows } = await sql.query<{ table: PublicTable; name: string }>(
    `select c.relname as table, t.tgname as name
       from pg_trigger t
       join pg_class c on c.oid = t.tgrelid
       join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and not t.tgisinternal and t.tgenabled = 'D'
        and t.tgfoid = 'public.write_audit_log'::regproc`,
  );
  for (const { table, name } of rows) await sql.exec(`alter table public.${quoteIdent(table)} enable trigger ${quoteIdent(name)};`);
}

/**
 * The row `integrity_broken` adds: a vehicle of Marsana Logistics (never the synthetic tenant, whose data the
 * smoke suite owns) whose branch does not exist. Fixed ids, so that it can be found and removed after a crash.
 */
export const ORPHAN_VEHICLE = {
  id: seedId('vehicle', 0xdead),
  plate: 'ORPHAN-1',
  corporateId: SEED.tenants.find((t) => t.name === 'Marsana Logistics')!.id,
  /** no branch has this id */
  branchId: seedId('branch', 0xdead),
} as const;

/**
 * Fault `integrity_broken`: the row goes in with `session_replication_role = replica`, as a restore or a data
 * import with `--disable-triggers` writes it. The foreign key stays declared, validated and enforced for every
 * other write; only this row violates it. Replica mode also keeps the audit and Realtime triggers quiet, so the
 * corruption leaves no other trace. (Setting it needs a superuser, as the sandbox's connection is on PGlite and in
 * the documented PostgreSQL setup.)
 */
export async function insertOrphanVehicle(sql: Sql): Promise<void> {
  await sql.exec(`set local session_replication_role = replica;`);
  await sql.query(
    `insert into public.vehicles (id, corporate_id, branch_id, plate, make, model, year, status)
     values ($1, $2, $3, $4, 'Unknown', 'Unknown', 2020, 'AVAILABLE') on conflict do nothing`,
    [ORPHAN_VEHICLE.id, ORPHAN_VEHICLE.corporateId, ORPHAN_VEHICLE.branchId, ORPHAN_VEHICLE.plate],
  );
  await sql.exec(`set local session_replication_role = origin;`);
}

/**
 * Removes the orphan. What the app attached to it meanwhile (a handshake, a location) is deleted first, normally,
 * as the foreign keys' ON DELETE CASCADE would; the orphan itself goes as it came, in replica mode, so that its
 * removal is not audited or streamed either.
 */
export async function removeOrphanVehicle(sql: Sql): Promise<void> {
  const { rows } = await sql.query<{ exists: boolean }>(`select exists (select 1 from public.vehicles where id = $1) as exists`, [ORPHAN_VEHICLE.id]);
  if (!rows[0]?.exists) return;
  const { rows: references } = await sql.query<{ table: string; column: string }>(
    `select c.relname as table, a.attname as column
       from pg_constraint k
       join pg_class c on c.oid = k.conrelid
       join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = k.conrelid and a.attnum = k.conkey[1]
      where k.contype = 'f' and k.confrelid = 'public.vehicles'::regclass and n.nspname = 'public'`,
  );
  for (const { table, column } of references) {
    await sql.query(`delete from public.${quoteIdent(table)} where ${quoteIdent(column)} = $1`, [ORPHAN_VEHICLE.id]);
  }
  await sql.exec(`set local session_replication_role = replica;`);
  await sql.query(`delete from public.vehicles where id = $1`, [ORPHAN_VEHICLE.id]);
  await sql.exec(`set local session_replication_role = origin;`);
}
