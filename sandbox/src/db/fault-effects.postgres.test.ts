/**
 * The database faults on a PostgreSQL server, whose database outlives the sandbox: switched at run time, and a
 * table that table_missing moved away comes back at the next start even when the last run ended with it away.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../index.ts';
import { createTestDatabase, SKIP_POSTGRES, signedIn, type TestDatabase } from '../testing/fixtures.ts';

describe.skipIf(SKIP_POSTGRES)('database faults on PostgreSQL', () => {
  let database: TestDatabase;
  let sandbox: RunningSandbox | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await sandbox?.stop();
    await database?.drop();
  });

  const smokeReads = async (running: RunningSandbox, table: string) => {
    const smoke = await signedIn(running.env, running.env.SMOKE_USER_EMAIL, running.env.SMOKE_USER_PASSWORD);
    return smoke.from(table).select('corporate_id');
  };

  it('applies table_missing, rls_off and rls_hide at start and undoes them at run time', async () => {
    sandbox = await startSandbox({ databaseUrl: database.url, faults: 'table_missing=alerts,rls_off=vehicles,rls_hide=handshakes' });
    expect(await smokeReads(sandbox, 'alerts')).toMatchObject({ status: 404, error: { code: 'PGRST205' } });
    const vehicles = await smokeReads(sandbox, 'vehicles');
    expect(new Set(vehicles.data!.map((v) => v.corporate_id)).size).toBe(3);
    expect((await smokeReads(sandbox, 'handshakes')).data).toEqual([]);

    await sandbox.faults.replace('');
    expect((await smokeReads(sandbox, 'alerts')).status).toBe(200);
    expect(new Set((await smokeReads(sandbox, 'vehicles')).data!.map((v) => v.corporate_id)).size).toBe(1);
    expect((await smokeReads(sandbox, 'handshakes')).data!.length).toBeGreaterThan(0);
  });

  it('a later start without the faults finds every table and policy restored', async () => {
    await sandbox!.faults.replace('table_missing=vehicles,rls_off=branches');
    await sandbox!.stop();
    sandbox = await startSandbox({ databaseUrl: database.url, faults: '' });
    const vehicles = await smokeReads(sandbox, 'vehicles');
    expect(vehicles.status).toBe(200);
    expect(vehicles.data!.length).toBe(8);
    expect(new Set((await smokeReads(sandbox, 'branches')).data!.map((b) => b.corporate_id)).size).toBe(1);
  });
});
