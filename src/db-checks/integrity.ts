/**
 * Data integrity over a direct connection, from the schema manifest: rows that point at a row that is not there
 * (a foreign key dropped, disabled or bypassed), and values outside their allowed set. Each query counts rows that
 * must not exist, so a healthy database answers 0 everywhere; used by Migration Verification and by the monitor's
 * "database corruption" trigger.
 */
import type pg from 'pg';
import { splitColumn, type SchemaManifest } from './schema-manifest.ts';
import type { Verdict } from './catalog.ts';

/** A quoted SQL identifier (manifest names are checked to be plain, quoting keeps case and keywords safe). */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

export interface IntegrityQuery {
  label: string;
  sql: string;
  params: unknown[];
}

export function integrityQueries(m: SchemaManifest): IntegrityQuery[] {
  const table = (t: string) => `${ident(m.schema)}.${ident(t)}`;
  const references = m.integrity.references.map((r) => {
    const from = splitColumn(r.from);
    const to = splitColumn(r.to);
    return {
      label: r.label ?? `${r.from} pointing at no ${r.to}`,
      sql: `select count(*)::int as n from ${table(from.table)} f where f.${ident(from.column)} is not null
              and not exists (select 1 from ${table(to.table)} t where t.${ident(to.column)} = f.${ident(from.column)})`,
      params: [],
    };
  });
  const allowed = m.integrity.allowedValues.map((v) => {
    const { table: t, column } = splitColumn(v.column);
    return {
      label: v.label ?? `${v.column} outside ${v.values.join('/')}`,
      sql: `select count(*)::int as n from ${table(t)} where ${ident(column)} is not null and ${ident(column)}::text <> all ($1::text[])`,
      params: [v.values],
    };
  });
  return [...references, ...allowed];
}

/** Runs every integrity query; a problem per query that counted rows ("2 vehicles without a branch"). */
export async function checkIntegrity(client: pg.ClientBase, m: SchemaManifest): Promise<Verdict> {
  const problems: string[] = [];
  const found: string[] = [];
  for (const q of integrityQueries(m)) {
    let n: number;
    try {
      const { rows } = await client.query<{ n: number }>(q.sql, q.params);
      n = Number(rows[0]?.n ?? 0);
    } catch (e) {
      // A query that cannot run (a table or column gone) checked nothing: say so, never count it as clean.
      problems.push(`${q.label}: not checked (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    if (n > 0) problems.push(`${n} ${q.label}`);
    else found.push(q.label);
  }
  return { problems, found };
}
