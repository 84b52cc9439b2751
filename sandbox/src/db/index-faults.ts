import type { Sql } from './database.ts';
import { quoteIdent } from './identifiers.ts';
import type { PublicTable } from './tables.ts';

/**
 * Fault `index_missing=<table>`: the table's plain indexes are dropped, as by a migration that failed between its
 * DROP INDEX and CREATE INDEX steps. Primary keys and unique indexes stay: they are constraints that PostgREST's
 * upserts and the foreign keys need, and a half-run migration leaves the app slow, not broken.
 * Each definition is saved in `sandbox.dropped_indexes` first, in the same transaction, so that nothing is lost
 * when the process dies with the fault on.
 */
export async function dropPlainIndexes(sql: Sql, table: PublicTable): Promise<string[]> {
  const { rows } = await sql.query<{ name: string; definition: string }>(
    `select i.relname as name, pg_get_indexdef(i.oid) as definition
       from pg_index x
       join pg_class i on i.oid = x.indexrelid
       join pg_class t on t.oid = x.indrelid
       join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = 'public' and t.relname = $1 and not x.indisprimary and not x.indisunique
        and not exists (select 1 from pg_constraint k where k.conindid = i.oid)
      order by i.relname`,
    [table],
  );
  for (const { name, definition } of rows) {
    await sql.query(
      `insert into sandbox.dropped_indexes (name, table_name, definition) values ($1, $2, $3)
         on conflict (name) do update set table_name = excluded.table_name, definition = excluded.definition`,
      [name, table, definition],
    );
    await sql.exec(`drop index public.${quoteIdent(name)};`);
  }
  return rows.map((r) => r.name);
}

/**
 * Recreates every index `index_missing` dropped, from its saved definition (pg_get_indexdef names the table with
 * its schema, so it lands where it was), and forgets them. Runs at every fault change and at start.
 */
export async function restoreDroppedIndexes(sql: Sql): Promise<string[]> {
  const { rows } = await sql.query<{ name: string; definition: string; present: boolean }>(
    `select name, definition, to_regclass(format('public.%I', name)) is not null as present
       from sandbox.dropped_indexes order by name`,
  );
  for (const { definition, present } of rows) if (!present) await sql.exec(`${definition};`);
  await sql.query(`delete from sandbox.dropped_indexes`);
  return rows.map((r) => r.name);
}
