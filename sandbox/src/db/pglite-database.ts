import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Database, ListeningDatabase, Sql } from './database.ts';
import { serveWire, type WireEndpoint } from './pglite-wire.ts';
import { DEFAULT_SNAPSHOT_DIR, discardSnapshot, readSnapshot, saveSnapshot, snapshotKey } from './pglite-snapshot.ts';

function wrap(tx: Transaction): Sql {
  return {
    async query(text, params) {
      const result = await tx.query<any>(text, params ? [...params] : undefined);
      return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
    },
    async exec(script) {
      await tx.exec(script);
    },
  };
}

// Supabase databases run in UTC; timestamps in JSON answers then read "+00:00".
const SESSION_SETUP = `set timezone to 'UTC'`;

/**
 * PGlite runs one statement at a time, so every request is one `transaction()`: PGlite queues them, which
 * serialises requests the way a single connection would.
 */
async function asDatabase(pg: PGlite): Promise<ListeningDatabase> {
  await pg.exec(SESSION_SETUP);
  // Channels LISTENed on, renewed after each wire client's turn (a client may have run UNLISTEN *).
  const channels = new Map<string, number>();
  let wire: Promise<WireEndpoint> | undefined;
  return {
    kind: 'pglite',
    description: 'PGlite (in memory)',
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    // PGlite is one session: it hears its own notifications, after the commit, as PostgreSQL does.
    listen: async (channel, onNotify) => {
      const unlisten = await pg.listen(channel, (payload) => onNotify(payload));
      channels.set(channel, (channels.get(channel) ?? 0) + 1);
      return async () => {
        const left = channels.get(channel)! - 1;
        if (left > 0) channels.set(channel, left);
        else channels.delete(channel);
        await unlisten();
      };
    },
    directUrl: async () =>
      (await (wire ??= serveWire(pg, {
        sessionSetup: SESSION_SETUP,
        channels: () => [...channels.keys()],
      }))).url,
    close: async () => {
      if (wire) await (await wire).close();
      await pg.close();
    },
  };
}

export interface PgliteOptions {
  /** fills a brand-new database (roles, schema, seed); its result is what the snapshot keeps */
  prepare: (db: Database) => Promise<void>;
  /** where snapshots of prepared databases are kept; null: never read or write one */
  snapshotDir?: string | null;
  log?: (line: string) => void;
}

/** PostgreSQL compiled to WebAssembly, in memory: from the snapshot of a prepared database when there is one. */
export async function openPglite({ prepare, snapshotDir = DEFAULT_SNAPSHOT_DIR, log = () => {} }: PgliteOptions): Promise<ListeningDatabase> {
  const key = snapshotDir === null ? undefined : await snapshotKey();
  const snapshot = key === undefined ? undefined : await readSnapshot(snapshotDir!, key);
  if (snapshot) {
    try {
      return await asDatabase(await PGlite.create({ loadDataDir: snapshot }));
    } catch (error) {
      log(`database snapshot unusable, creating a new database: ${(error as Error).message}`);
      await discardSnapshot(snapshotDir!, key!);
    }
  }
  const pg = await PGlite.create();
  const db = await asDatabase(pg);
  await prepare(db);
  if (key !== undefined) {
    const dataDir = await pg.dumpDataDir('none');
    // Written in the background: a start that is cut short leaves no snapshot, never half of one.
    saveSnapshot(snapshotDir!, key, dataDir).catch((error: Error) => log(`database snapshot not saved: ${error.message}`));
  }
  return db;
}
