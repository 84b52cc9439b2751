import type { Database, Sql } from './database.ts';
import { policyName, rowLevelSecuritySql } from './policies.ts';
import { domainSql, domainVersion, schemaSql } from './schema.ts';
import { seedDatabase } from './seed.ts';
import type { SeedData } from './seed-data.ts';
import type { PublicTable } from './tables.ts';

/**
 * Supabase's API roles. Roles are cluster-wide on PostgreSQL: another database (or a parallel test) may have
 * created them already, possibly at this very moment, hence the existence check and the exception handler.
 */
const API_ROLES_SQL = `
do $$
declare
  name text;
begin
  foreach name in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select 1 from pg_roles where rolname = name) then
      begin
        execute format('create role %I nologin noinherit%s', name, case when name = 'service_role' then ' bypassrls' else '' end);
      exception when duplicate_object or unique_violation then null;
      end;
    end if;
  end loop;
  -- SET ROLE needs membership unless we connect as a superuser (as Supabase's "authenticator" role is a member).
  if not (select rolsuper from pg_roles where rolname = current_user) then
    execute format('grant anon, authenticated, service_role to %I', current_user);
  end if;
end $$;`;

/**
 * Runs domain.sql when the database does not record this version of it: after the seed on a new database (the
 * seed is written as it stands, without the rules' side effects), and once on a database an older sandbox made.
 */
async function applyDomain(sql: Sql): Promise<void> {
  const version = domainVersion();
  await sql.exec(`create schema if not exists sandbox;
create table if not exists sandbox.domain_version (version text not null);`);
  const { rows } = await sql.query<{ version: string }>(`select version from sandbox.domain_version`);
  if (rows[0]?.version === version) return;
  await sql.exec(domainSql());
  await sql.query(`delete from sandbox.domain_version`);
  await sql.query(`insert into sandbox.domain_version (version) values ($1)`, [version]);
}

export interface BootstrapOptions {
  seed: SeedData;
  /** email → password hash; awaited only when the database is new */
  passwordHashes: () => Promise<ReadonlyMap<string, string>>;
  /** tables whose select policy is dropped after the policies are applied (fault rls_hide) */
  hiddenTables: readonly PublicTable[];
}

/** Creates schema and data in an empty database, reuses them otherwise; then (re)applies row-level security. */
export async function bootstrapDatabase(db: Database, options: BootstrapOptions): Promise<{ created: boolean }> {
  await db.transaction((sql) => sql.exec(API_ROLES_SQL));
  return db.transaction(async (sql: Sql) => {
    // Two sandboxes starting on one new database: the second waits here, then finds the schema and reuses it.
    if (db.kind === 'postgres') await sql.query(`select pg_advisory_xact_lock(hashtext('marsana-sandbox-bootstrap'))`);
    const { rows } = await sql.query<{ exists: boolean }>(`select to_regclass('public.vehicles') is not null as exists`);
    const created = !rows[0]?.exists;
    if (created) {
      await sql.exec(schemaSql());
      await seedDatabase(sql, options.seed, await options.passwordHashes());
    }
    await applyDomain(sql);
    await sql.exec(rowLevelSecuritySql());
    for (const table of options.hiddenTables) {
      await sql.exec(`drop policy if exists ${policyName(table, 'select')} on public.${table};`);
    }
    return { created };
  });
}
