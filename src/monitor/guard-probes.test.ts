import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/proofs/test-database.ts';
import { parseSchemaManifest } from '../db-checks/schema-manifest.ts';
import { probeIntegrity } from './guard-probes.ts';

// A real PostgreSQL database with the tables the integrity checks read, made inconsistent on purpose
// (the production schema's foreign keys would refuse these rows; corruption is what slips past them).
const skip = process.env.SKIP_POSTGRES_TESTS === '1';
let db: TestDatabase;
const manifest = parseSchemaManifest(
  {
    tables: ['branches', 'vehicles', 'handshakes', 'inspections'],
    indexes: [],
    audit: {
      table: 'vehicles',
      triggerFunction: 'write_audit_log',
      tables: ['vehicles'],
      columns: { actor: 'actor_id', action: 'action', table: 'table_name', record: 'record_id', oldRow: 'old_row', newRow: 'new_row' },
    },
    integrity: {
      references: [
        { from: 'vehicles.branch_id', to: 'branches.id', label: 'vehicles without a branch' },
        { from: 'handshakes.vehicle_id', to: 'vehicles.id', label: 'handshakes of a missing vehicle' },
        { from: 'inspections.vehicle_id', to: 'vehicles.id', label: 'inspections of a missing vehicle' },
      ],
      allowedValues: [{ column: 'vehicles.status', values: ['AVAILABLE', 'IN_TRANSIT'], label: 'vehicles with an unknown status' }],
    },
  },
  'test manifest',
);

beforeAll(async () => {
  if (skip) return;
  db = await createTestDatabase('integrity');
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query(`
    create table public.branches (id uuid primary key);
    create table public.vehicles (id uuid primary key, branch_id uuid, status text);
    create table public.handshakes (id uuid primary key, vehicle_id uuid, status text);
    create table public.inspections (id uuid primary key, vehicle_id uuid);
    insert into public.branches values ('00000000-0000-4000-8000-000000000001');
    insert into public.vehicles values ('00000000-0000-4000-8000-000000000010', '00000000-0000-4000-8000-000000000001', 'AVAILABLE');
    insert into public.handshakes values ('00000000-0000-4000-8000-000000000020', '00000000-0000-4000-8000-000000000010', 'PENDING');
  `);
  await c.end();
});
afterAll(async () => {
  await db?.drop();
});

describe.skipIf(skip)('probeIntegrity', () => {
  it('finds nothing in a consistent database', async () => {
    expect(await probeIntegrity(db.url, manifest)).toEqual({});
  });

  it('names every inconsistency it finds', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(`insert into public.vehicles values ('00000000-0000-4000-8000-000000000011', '00000000-0000-4000-8000-0000000000ff', 'FLYING')`);
    await c.query(`insert into public.inspections values ('00000000-0000-4000-8000-000000000030', '00000000-0000-4000-8000-0000000000ee')`);
    await c.end();
    expect(await probeIntegrity(db.url, manifest)).toEqual({
      corruption: '1 vehicles without a branch; 1 inspections of a missing vehicle; 1 vehicles with an unknown status',
    });
  });

  it('says when it cannot run, and is never fooled into reporting corruption', async () => {
    expect(await probeIntegrity(undefined, manifest)).toEqual({ note: 'integrity not checked (SUPABASE_DB_URL not set)' });
    const missing = await probeIntegrity(db.url.replace(/\/[^/]+$/, '/no_such_database_here'), manifest);
    expect(missing.corruption).toBeUndefined();
    expect(missing.note).toMatch(/^integrity not checked \(database "no_such_database_here" does not exist\)$/);
  });
});
