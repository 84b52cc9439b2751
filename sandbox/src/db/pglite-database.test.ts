import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Database } from './database.ts';
import { openPglite } from './pglite-database.ts';

async function snapshotFiles(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).filter((name) => name.endsWith('.tar.gz'));
}

async function waitForSnapshot(dir: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const [file] = await snapshotFiles(dir);
    if (file) return join(dir, file);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no snapshot written');
}

const count = (db: Database) => db.transaction(async (sql) => (await sql.query<{ n: number }>('select count(*)::int as n from marker')).rows[0]!.n);

describe('PGlite snapshots of a prepared database', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prepares a new database once, then starts from its snapshot; a broken snapshot means a fresh database', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-snapshot-'));
    const prepare = vi.fn((db: Database) => db.transaction((sql) => sql.exec('create table marker (n int); insert into marker values (1), (2);')));

    const fresh = await openPglite({ prepare, snapshotDir: dir });
    expect(await count(fresh)).toBe(2);
    await fresh.close();
    const file = await waitForSnapshot(dir);
    expect(prepare).toHaveBeenCalledTimes(1);

    const restored = await openPglite({ prepare, snapshotDir: dir });
    expect(await count(restored)).toBe(2);
    await restored.close();
    expect(prepare).toHaveBeenCalledTimes(1);

    await writeFile(file, 'not a tarball');
    const recovered = await openPglite({ prepare, snapshotDir: dir });
    expect(await count(recovered)).toBe(2);
    await recovered.close();
    expect(prepare).toHaveBeenCalledTimes(2);
  });

});
