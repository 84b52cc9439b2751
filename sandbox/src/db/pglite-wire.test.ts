/**
 * The PGlite wire endpoint shares one session with the sandbox: these tests hammer both sides at once and check
 * that no statement ever runs inside the other side's transaction, nor under its role, claims or settings.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asIdentity, type ListeningDatabase } from './database.ts';
import { openPglite } from './pglite-database.ts';
import { serveWire } from './pglite-wire.ts';

const ROLES = `
  create role anon nologin; create role authenticated nologin;
  create table hammer (id serial primary key, party text not null, xid bigint not null);
  grant all on hammer to anon, authenticated; grant all on sequence hammer_id_seq to anon, authenticated;`;

interface Seen {
  party: string;
  xids: Set<string>;
  committed: boolean;
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

describe('PGlite wire endpoint', () => {
  let db: ListeningDatabase;
  let url: string;
  const clients: pg.Client[] = [];

  beforeAll(async () => {
    db = await openPglite({ prepare: (fresh) => fresh.transaction((sql) => sql.exec(ROLES)), snapshotDir: null });
    url = await db.directUrl();
  });
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await db?.close();
  });

  it('serves the same database to node-postgres, behind a password', async () => {
    await db.transaction((sql) => sql.exec(`insert into hammer (party, xid) values ('setup', 0)`));
    const client = await connect(url);
    clients.push(client);
    expect((await client.query(`select party from hammer where xid = 0`)).rows).toEqual([{ party: 'setup' }]);
    expect((await client.query('select $1::int + 1 as n', [41])).rows).toEqual([{ n: 42 }]);

    const wrong = new URL(url);
    wrong.password = 'not-the-password';
    const refused = new pg.Client({ connectionString: wrong.toString() });
    await expect(refused.connect()).rejects.toMatchObject({ code: '28P01' });
  });

  it("never runs a client's statement inside a sandbox transaction, nor the other way round", async () => {
    const ROUNDS = 40;
    const sandboxTx: Seen[] = [];
    const clientTx: Seen[] = [];
    const problems: string[] = [];

    // The sandbox's way: BEGIN, SET LOCAL ROLE, claims, several statements, COMMIT (or a rollback).
    const sandboxLoop = async (n: number) => {
      for (let i = 0; i < ROUNDS; i++) {
        const party = `sandbox-${n}-${i}`;
        const seen: Seen = { party, xids: new Set(), committed: i % 5 !== 0 };
        sandboxTx.push(seen);
        // Whatever a client did to the session before, a sandbox transaction starts as the sandbox left it.
        const start = await db.transaction(async (sql) => (await sql.query<{ u: string; tz: string; sp: string }>(`select current_user as u, current_setting('TimeZone') as tz, current_setting('search_path') as sp`)).rows[0]!);
        if (start.u !== 'postgres' || start.tz !== 'UTC' || !start.sp.includes('public')) problems.push(`${party} started as ${JSON.stringify(start)}`);
        const run = asIdentity(db, { role: 'authenticated', claims: { sub: party } }, async (inner) => {
          for (let s = 0; s < 3; s++) {
            const row = (await inner.query<{ u: string; sub: string; xid: string }>(
              `insert into hammer (party, xid) values ($1, txid_current()) returning current_user as u, current_setting('request.jwt.claims', true)::jsonb ->> 'sub' as sub, txid_current()::text as xid`,
              [party],
            )).rows[0]!;
            seen.xids.add(row.xid);
            if (row.u !== 'authenticated' || row.sub !== party) problems.push(`${party} statement ran as ${row.u} / ${row.sub}`);
          }
          if (!seen.committed) throw new Error('roll back');
        });
        await run.catch((e: Error) => {
          if (e.message !== 'roll back') throw e;
        });
      }
    };

    // Clients: autocommit statements, explicit transactions with SET LOCAL ROLE, parameterised (extended protocol)
    // statements, and session-level settings that must not leak into the sandbox.
    const clientLoop = async (n: number) => {
      const client = await connect(url);
      clients.push(client);
      for (let i = 0; i < ROUNDS; i++) {
        const party = `client-${n}-${i}`;
        const alone = (await client.query(`select current_user as u, current_setting('request.jwt.claims', true) as claims, txid_current_if_assigned()::text as xid`)).rows[0];
        if (alone.u !== 'postgres' || alone.claims || alone.xid) problems.push(`${party} autocommit statement saw ${JSON.stringify(alone)}`);
        const seen: Seen = { party, xids: new Set(), committed: i % 4 !== 0 };
        clientTx.push(seen);
        await client.query('begin');
        await client.query('set local role anon');
        for (let s = 0; s < 3; s++) {
          const row = (await client.query(`insert into hammer (party, xid) values ($1, txid_current()) returning current_user as u, txid_current()::text as xid`, [party])).rows[0];
          seen.xids.add(row.xid);
          if (row.u !== 'anon') problems.push(`${party} statement ran as ${row.u}`);
        }
        await client.query(seen.committed ? 'commit' : 'rollback');
        if (i % 3 === 0) await client.query(`set role anon; set search_path to nowhere; set timezone to 'Asia/Tokyo'`);
      }
    };

    await Promise.all([sandboxLoop(1), sandboxLoop(2), clientLoop(1), clientLoop(2), clientLoop(3)]);

    expect(problems).toEqual([]);
    // One transaction id per transaction, and never one shared between two parties.
    const owner = new Map<string, string>();
    for (const tx of [...sandboxTx, ...clientTx]) {
      expect(tx.xids.size, tx.party).toBe(1);
      const xid = [...tx.xids][0]!;
      expect(owner.get(xid), `transaction ${xid}`).toBeUndefined();
      owner.set(xid, tx.party);
    }
    // What committed is exactly what each party committed, three rows per committed transaction.
    const rows = await db.transaction(async (sql) => (await sql.query<{ party: string; n: number }>(`select party, count(*)::int as n from hammer where xid <> 0 group by party`)).rows);
    const committed = [...sandboxTx, ...clientTx].filter((t) => t.committed);
    expect(new Map(rows.map((r) => [r.party, r.n]))).toEqual(new Map(committed.map((t) => [t.party, 3])));
  }, 120_000);

  it("rolls back the transaction of a client that disconnects, and the sandbox goes on", async () => {
    const client = await connect(url);
    await client.query('begin');
    await client.query(`insert into hammer (party, xid) values ('gone', 1)`);
    await client.end();
    const left = await db.transaction(async (sql) => (await sql.query(`select * from hammer where party = 'gone'`)).rows);
    expect(left).toEqual([]);
  });

  it("hands the sandbox's listeners the notifications a client's statements raised", async () => {
    const heard: string[] = [];
    const stop = await db.listen('wire_test', (payload) => heard.push(payload));
    const client = await connect(url);
    clients.push(client);
    await client.query(`unlisten *; select pg_notify('wire_test', 'lost: nobody listens')`);
    await client.query(`select pg_notify('wire_test', 'from a client')`);
    await db.transaction((sql) => sql.query(`select pg_notify('wire_test', 'from the sandbox')`));
    await expect.poll(() => heard.sort()).toEqual(['from a client', 'from the sandbox']);
    await stop();
  });
});

describe('PGlite wire endpoint timeouts', () => {
  it('disconnects a client idle inside a transaction, so the sandbox is not stalled', async () => {
    const pglite = await PGlite.create();
    const wire = await serveWire(pglite, { sessionSetup: 'select 1', channels: () => [], idleInTransactionMs: 200 });
    try {
      const client = await connect(wire.url);
      const ended = new Promise<Error>((resolve) => client.on('error', resolve));
      await client.query('begin');
      await client.query('create table stalled (n int)');
      // The sandbox's next transaction waits for the client's turn, then runs once the client is gone.
      const tables = await pglite.transaction(async (tx) => (await tx.query(`select to_regclass('stalled') as t`)).rows);
      expect(tables).toEqual([{ t: null }]);
      expect((await ended).message).toMatch(/idle-in-transaction timeout/);
    } finally {
      await wire.close();
      await pglite.close();
    }
  });
});
