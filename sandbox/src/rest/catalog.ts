import type { Sql } from '../db/database.ts';

export interface TableInfo {
  name: string;
  columns: Set<string>;
  primaryKey: string[];
}

export interface ForeignKey {
  name: string;
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
}

/** PostgREST's "schema cache": the exposed tables, their columns and the foreign keys that allow embedding. */
export interface Catalog {
  tables: Map<string, TableInfo>;
  foreignKeys: ForeignKey[];
}

export async function loadCatalog(sql: Sql, schema = 'public'): Promise<Catalog> {
  const columns = await sql.query<{ table: string; column: string }>(
    `select c.relname as table, a.attname as column
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm')
      order by c.relname, a.attnum`,
    [schema],
  );
  const constraints = await sql.query<{ type: 'p' | 'f'; name: string; table: string; columns: string[]; ref_table: string | null; ref_columns: string[] | null }>(
    `select con.contype as type, con.conname as name, src.relname as table,
            to_json(array(select a.attname from unnest(con.conkey) with ordinality k(num, i)
                          join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num order by k.i)) as columns,
            tgt.relname as ref_table,
            to_json(array(select a.attname from unnest(con.confkey) with ordinality k(num, i)
                          join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.num order by k.i)) as ref_columns
       from pg_constraint con
       join pg_class src on src.oid = con.conrelid
       join pg_namespace n on n.oid = src.relnamespace
       left join pg_class tgt on tgt.oid = con.confrelid
      where n.nspname = $1 and con.contype in ('p', 'f')
        and (con.contype = 'p' or tgt.relnamespace = n.oid)
      order by con.conname`,
    [schema],
  );
  const tables = new Map<string, TableInfo>();
  for (const { table, column } of columns.rows) {
    let info = tables.get(table);
    if (!info) tables.set(table, (info = { name: table, columns: new Set(), primaryKey: [] }));
    info.columns.add(column);
  }
  const foreignKeys: ForeignKey[] = [];
  for (const row of constraints.rows) {
    if (row.type === 'p') {
      const info = tables.get(row.table);
      if (info) info.primaryKey = row.columns;
    } else {
      foreignKeys.push({ name: row.name, table: row.table, columns: row.columns, refTable: row.ref_table!, refColumns: row.ref_columns! });
    }
  }
  return { tables, foreignKeys };
}
