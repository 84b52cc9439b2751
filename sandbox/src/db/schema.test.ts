/** The schema's promises, checked in the catalog of a real PostgreSQL database the bootstrap created. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, SKIP_POSTGRES, type TestDatabase } from '../testing/fixtures.ts';
import { bootstrapDatabase } from './bootstrap.ts';
import { openPostgres } from './postgres-database.ts';
import { hashSeedPasswords } from './seed.ts';
import { SEED } from './seed-data.ts';
import { AUDITED_TABLES, PUBLIC_TABLES } from './tables.ts';

describe.skipIf(SKIP_POSTGRES)('schema created by the bootstrap (PostgreSQL)', () => {
  let database: TestDatabase;
  let client: pg.Client;
  const query = async <Row,>(text: string) => (await client.query(text)).rows as Row[];

  beforeAll(async () => {
    database = await createTestDatabase();
    const db = await openPostgres(database.url, () => {});
    const hashes = hashSeedPasswords(SEED.users);
    const content = { seed: SEED, passwordHashes: () => hashes, hiddenTables: [] };
    expect(await bootstrapDatabase(db, content)).toEqual({ created: true });
    // A second start reuses the data and re-applies the policies without error.
    expect(await bootstrapDatabase(db, content)).toEqual({ created: false });
    // A database an older sandbox made: the business rules are missing and no version is recorded.
    await db.transaction((sql) =>
      sql.exec(`drop trigger handshakes_check_transition on public.handshakes; delete from sandbox.domain_version;`),
    );
    expect(await bootstrapDatabase(db, content)).toEqual({ created: false });
    await db.close();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('has the twelve public tables, each with row-level security on', async () => {
    const rows = await query<{ relname: string; relrowsecurity: boolean }>(
      `select relname, relrowsecurity from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' order by relname`,
    );
    expect(rows.map((r) => r.relname)).toEqual([...PUBLIC_TABLES].sort());
    expect(rows.every((r) => r.relrowsecurity)).toBe(true);
  });

  it('indexes every foreign key', async () => {
    const unindexed = await query<{ fk: string }>(`
      select c.conrelid::regclass || ' ' || c.conname as fk
        from pg_constraint c
       where c.contype = 'f' and c.connamespace in ('public'::regnamespace, 'auth'::regnamespace)
         and not exists (
           select 1 from pg_index i
            where i.indrelid = c.conrelid
              and (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] = c.conkey)`);
    expect(unindexed).toEqual([]);
  });

  it('audits every mutable table and publishes its changes to Realtime', async () => {
    const triggers = await query<{ table: string; fn: string }>(`
      select c.relname as table, p.proname as fn
        from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
       where c.relnamespace = 'public'::regnamespace and not t.tgisinternal`);
    const tablesWith = (fn: string) => triggers.filter((t) => t.fn === fn).map((t) => t.table).sort();
    expect(tablesWith('write_audit_log')).toEqual([...AUDITED_TABLES].sort());
    expect(tablesWith('capture_change')).toEqual([...AUDITED_TABLES].sort());
  });

  it('brings an older database up to date with domain.sql, once', async () => {
    const triggers = await query<{ tgname: string }>(`select tgname from pg_trigger where tgname = 'handshakes_check_transition'`);
    expect(triggers).toHaveLength(1);
    expect(await query(`select version from sandbox.domain_version`)).toHaveLength(1);
    const buckets = await query<{ id: string }>(`select id from storage.buckets order by id`);
    expect(buckets.map((b) => b.id)).toEqual(['fleet-public', 'inspection-photos', 'vehicle-documents']);
  });

  it('gives users no way to change audit rows', async () => {
    const policies = await query<{ cmd: string }>(`select cmd from pg_policies where tablename = 'audit_logs'`);
    expect(policies.map((p) => p.cmd)).toEqual(['SELECT']);
  });

  it('creates the API roles; only service_role bypasses row-level security', async () => {
    const roles = await query<{ rolname: string; rolbypassrls: boolean }>(
      `select rolname, rolbypassrls from pg_roles where rolname in ('anon', 'authenticated', 'service_role') order by rolname`,
    );
    expect(roles).toEqual([
      { rolname: 'anon', rolbypassrls: false },
      { rolname: 'authenticated', rolbypassrls: false },
      { rolname: 'service_role', rolbypassrls: true },
    ]);
  });

  it('stores scrypt hashes, not passwords', async () => {
    const rows = await query<{ encrypted_password: string }>(`select encrypted_password from auth.users`);
    expect(rows).toHaveLength(SEED.users.length);
    for (const { encrypted_password } of rows) {
      expect(encrypted_password).toMatch(/^scrypt\$\d+\$\d+\$\d+\$/);
      for (const user of SEED.users) expect(encrypted_password).not.toContain(user.password);
    }
  });
});
