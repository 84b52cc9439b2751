import type { ActiveFaults } from '../faults.ts';
import type { Database, Sql } from './database.ts';
import { dropPlainIndexes, restoreDroppedIndexes } from './index-faults.ts';
import { disableAuditTrigger, enableAuditTriggers, insertOrphanVehicle, makeAuditLogMutable, removeOrphanVehicle } from './migration-faults.ts';
import { policyName, rowLevelSecuritySql } from './policies.ts';
import { isPublicTable, type PublicTable } from './tables.ts';

/**
 * Where `table_missing` moves a table: out of the exposed schema, as a botched migration would, so PostgREST's
 * schema cache and the app's queries no longer find it. Its rows, policies and triggers travel with it.
 */
const DETACHED_SCHEMA = 'archive';

interface DatabaseFaultState {
  hidden: readonly PublicTable[];
  unprotected: readonly PublicTable[];
  missing: readonly PublicTable[];
  unindexed: readonly PublicTable[];
  unaudited: readonly PublicTable[];
  auditMutable: boolean;
  orphan: boolean;
}

const CLEAN: DatabaseFaultState = { hidden: [], unprotected: [], missing: [], unindexed: [], unaudited: [], auditMutable: false, orphan: false };

const tablesOf = (faults: ActiveFaults, name: 'rls_hide' | 'rls_off' | 'table_missing' | 'index_missing' | 'audit_trigger_off') =>
  faults.valuesOf(name).filter(isPublicTable).sort();

const stateKey = (state: DatabaseFaultState) => JSON.stringify(state);

/** Moves every table `table_missing` took away back into public (a PostgreSQL database outlives a crashed run). */
export async function restoreDetachedTables(sql: Sql): Promise<PublicTable[]> {
  const { rows } = await sql.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind = 'r'`,
    [DETACHED_SCHEMA],
  );
  const restored = rows.map((r) => r.name).filter(isPublicTable);
  for (const table of restored) await sql.exec(`alter table ${DETACHED_SCHEMA}.${table} set schema public;`);
  return restored;
}

/**
 * Undoes what index_missing, audit_trigger_off and integrity_broken leave in the database (dropped indexes back,
 * audit triggers enabled, the orphan row gone). At start on PostgreSQL, whose database outlives a crashed run, and
 * before every change. Tables must be back in public first (restoreDetachedTables).
 */
export async function restoreMigrationFaults(sql: Sql, { keepOrphan = false } = {}): Promise<void> {
  await restoreDroppedIndexes(sql);
  await enableAuditTriggers(sql);
  // An orphan that stays is left alone: removing it would take what the app attached to it meanwhile.
  if (!keepOrphan) await removeOrphanVehicle(sql);
}

/**
 * The database side of `rls_hide`, `rls_off`, `table_missing`, `audit_mutable`, `index_missing`,
 * `audit_trigger_off` and `integrity_broken`, as a fault listener: every change first restores what earlier faults
 * broke (tables back in public, row-level security and every policy re-applied, indexes recreated, audit triggers
 * enabled, the orphan row removed), then breaks what the new set asks for, in one transaction. Tables leave public
 * last, so that the other faults find them there. `onSchemaChanged` runs when the set of missing tables changed, so
 * that the API's schema cache can be reloaded. The database starts clean (bootstrap applies the policies; on
 * PostgreSQL the start restores the rest).
 */
export function databaseFaultListener(db: Database, onSchemaChanged: (sql: Sql) => Promise<void>) {
  let applied = stateKey(CLEAN);
  let appliedMissing = '[]';
  return async (faults: ActiveFaults): Promise<void> => {
    const state: DatabaseFaultState = {
      hidden: tablesOf(faults, 'rls_hide'),
      unprotected: tablesOf(faults, 'rls_off'),
      missing: tablesOf(faults, 'table_missing'),
      unindexed: tablesOf(faults, 'index_missing'),
      unaudited: tablesOf(faults, 'audit_trigger_off'),
      auditMutable: faults.isOn('audit_mutable'),
      orphan: faults.isOn('integrity_broken'),
    };
    const key = stateKey(state);
    if (key === applied) return;
    const missingKey = JSON.stringify(state.missing);
    await db.transaction(async (sql) => {
      await restoreDetachedTables(sql);
      await sql.exec(rowLevelSecuritySql());
      await restoreMigrationFaults(sql, { keepOrphan: state.orphan });
      for (const table of state.hidden) await sql.exec(`drop policy if exists ${policyName(table, 'select')} on public.${table};`);
      for (const table of state.unprotected) await sql.exec(`alter table public.${table} disable row level security;`);
      if (state.auditMutable) await makeAuditLogMutable(sql);
      for (const table of state.unindexed) await dropPlainIndexes(sql, table);
      for (const table of state.unaudited) await disableAuditTrigger(sql, table);
      if (state.orphan) await insertOrphanVehicle(sql);
      if (state.missing.length > 0) await sql.exec(`create schema if not exists ${DETACHED_SCHEMA};`);
      for (const table of state.missing) await sql.exec(`alter table public.${table} set schema ${DETACHED_SCHEMA};`);
      if (missingKey !== appliedMissing) await onSchemaChanged(sql);
    });
    applied = key;
    appliedMissing = missingKey;
  };
}
