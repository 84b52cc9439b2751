/**
 * What the database's catalog says about the schema (read over a direct connection), and the pure comparisons of
 * it with the schema manifest that Migration Verification reports. Each comparison returns the problems (empty
 * when the schema is as expected) and the names it found, for the log's Migration Details.
 */
import type pg from 'pg';
import type { SchemaManifest } from './schema-manifest.ts';

export type TriggerEvent = 'INSERT' | 'UPDATE' | 'DELETE';

export interface Catalog {
  tables: { name: string; rls: boolean }[];
  policies: { table: string; name: string; command: string }[];
  indexes: { table: string; name: string; columns: string[]; valid: boolean }[];
  triggers: { table: string; name: string; fn: string; enabled: boolean; rowLevel: boolean; events: TriggerEvent[] }[];
  foreignKeys: { table: string; name: string; validated: boolean; enforced: boolean }[];
}

export async function readCatalog(client: pg.ClientBase, schema: string): Promise<Catalog> {
  const q = async <T extends pg.QueryResultRow>(text: string) => (await client.query<T>(text, [schema])).rows;
  // One after another: a pg client runs one query at a time anyway (and warns about queued ones).
  const [tables, policies, indexes, triggers, foreignKeys] = await sequence([
    () => q<{ name: string; rls: boolean }>(
      `select c.relname as name, c.relrowsecurity as rls from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = $1 and c.relkind in ('r', 'p')`,
    ),
    () => q<{ table: string; name: string; command: string }>(`select tablename as table, policyname as name, cmd as command from pg_policies where schemaname = $1`),
    () => q<{ table: string; name: string; columns: string[]; valid: boolean }>(
      `select t.relname as table, i.relname as name, x.indisvalid as valid,
              array(select a.attname::text from unnest(x.indkey::int2[]) with ordinality k(attnum, ord)
                      join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum order by k.ord) as columns
         from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
         join pg_namespace n on n.oid = t.relnamespace where n.nspname = $1`,
    ),
    () => q<{ table: string; name: string; fn: string; enabled: boolean; type: number }>(
      `select c.relname as table, t.tgname as name, p.proname as fn, t.tgenabled <> 'D' as enabled, t.tgtype::int as type
         from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
         join pg_proc p on p.oid = t.tgfoid where n.nspname = $1 and not t.tgisinternal`,
    ),
    // A foreign key is enforced by internal triggers; disabled ones (ALTER TABLE … DISABLE TRIGGER ALL) let orphans in.
    () => q<{ table: string; name: string; validated: boolean; enforced: boolean }>(
      `select c.relname as table, k.conname as name, k.convalidated as validated,
              not exists (select 1 from pg_trigger t where t.tgconstraint = k.oid and t.tgenabled = 'D') as enforced
         from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = $1 and k.contype = 'f'`,
    ),
  ]);
  return {
    tables,
    policies,
    indexes,
    // tgtype bits (pg_trigger.h): ROW 1, INSERT 4, DELETE 8, UPDATE 16.
    triggers: triggers.map(({ type, ...t }) => ({
      ...t,
      rowLevel: (type & 1) !== 0,
      events: ([['INSERT', 4], ['DELETE', 8], ['UPDATE', 16]] as const).filter(([, bit]) => (type & bit) !== 0).map(([e]) => e),
    })),
    foreignKeys,
  };
}

async function sequence<T extends unknown[]>(thunks: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  const out: unknown[] = [];
  for (const thunk of thunks) out.push(await thunk());
  return out as T;
}

export interface Verdict {
  /** What is wrong, one phrase each; empty when the schema is as the manifest says. */
  problems: string[];
  /** The names found, for the log's Migration Details. */
  found: string[];
}

export function checkTables(m: SchemaManifest, c: Catalog): Verdict {
  const present = new Set(c.tables.map((t) => t.name));
  const missing = m.tables.filter((t) => !present.has(t));
  return { problems: missing.length ? [`missing table${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`] : [], found: m.tables.filter((t) => present.has(t)) };
}

export function checkRls(m: SchemaManifest, c: Catalog): Verdict {
  const problems: string[] = [];
  for (const table of m.tables) {
    const t = c.tables.find((x) => x.name === table);
    if (!t) problems.push(`${table}: table missing`);
    else if (!t.rls) problems.push(`${table}: row-level security disabled`);
    else if (!c.policies.some((p) => p.table === table)) problems.push(`${table}: row-level security on but no policy (nobody but the service role can use it)`);
  }
  const found = c.policies.filter((p) => m.tables.includes(p.table)).map((p) => `${p.table}.${p.name}`);
  return { problems, found };
}

export function checkIndexes(m: SchemaManifest, c: Catalog): Verdict {
  const problems: string[] = [];
  const found: string[] = [];
  for (const want of m.indexes) {
    const candidates = c.indexes.filter(
      (i) => i.table === want.table && (!want.name || i.name === want.name) && want.columns.every((col, k) => i.columns[k] === col),
    );
    const usable = candidates.find((i) => i.valid);
    const label = `${want.name ? `${want.name} ` : ''}on ${want.table} (${want.columns.join(', ')})`;
    if (usable) found.push(usable.name);
    else problems.push(candidates.length ? `index ${label} is invalid (a failed CREATE INDEX CONCURRENTLY?)` : `missing index ${label}`);
  }
  return { problems, found };
}

const AUDITED_EVENTS: TriggerEvent[] = ['INSERT', 'UPDATE', 'DELETE'];

export function checkAuditTriggers(m: SchemaManifest, c: Catalog): Verdict {
  const problems: string[] = [];
  const found: string[] = [];
  for (const table of m.audit.tables) {
    const triggers = c.triggers.filter((t) => t.table === table && t.fn === m.audit.triggerFunction && t.rowLevel);
    const enabled = triggers.filter((t) => t.enabled);
    const covered = new Set(enabled.flatMap((t) => t.events));
    const uncovered = AUDITED_EVENTS.filter((e) => !covered.has(e));
    found.push(...enabled.map((t) => `${table}.${t.name}`));
    if (triggers.length === 0) problems.push(`${table}: no audit trigger (${m.audit.triggerFunction})`);
    else if (enabled.length === 0) problems.push(`${table}: audit trigger ${triggers.map((t) => t.name).join(', ')} is disabled`);
    else if (uncovered.length) problems.push(`${table}: audit trigger misses ${uncovered.join(', ')}`);
  }
  return { problems, found };
}

export function checkForeignKeys(m: SchemaManifest, c: Catalog): Verdict {
  const fks = c.foreignKeys.filter((k) => m.tables.includes(k.table));
  const problems = fks.flatMap((k) =>
    !k.validated ? [`foreign key ${k.name} on ${k.table} is not validated (NOT VALID)`]
    : !k.enforced ? [`foreign key ${k.name} on ${k.table} is not enforced (its triggers are disabled)`]
    : [],
  );
  return { problems, found: fks.map((k) => `${k.table}.${k.name}`) };
}
