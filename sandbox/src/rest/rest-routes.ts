import { Hono, type Context } from 'hono';
import { asIdentity, type ApiRole, type Database, type RequestIdentity } from '../db/database.ts';
import { apiKey, bearerToken } from '../http/gateway.ts';
import type { KeyRing } from '../keys.ts';
import type { Catalog } from './catalog.ts';
import { fromDatabaseError, isDatabaseError, PostgrestError } from './postgrest-error.ts';
import { parseQuery, type ParsedQuery } from './query-params.ts';
import { callFunction, queryArguments } from './rpc.ts';
import { buildDelete, buildInsert, buildRead, buildUpdate, type ResultRow, type Statement } from './sql-builder.ts';

const OBJECT_MEDIA_TYPE = 'application/vnd.pgrst.object+json';

export interface RestDependencies {
  db: Database;
  keys: KeyRing;
  catalog: Catalog;
  log: (line: string) => void;
}

type RestEnv = { Variables: { role: ApiRole } };
type RestContext = Context<RestEnv>;

/** The role and claims of a request: the JWT in Authorization, else the apikey, else anon. */
async function identify(c: Context, keys: KeyRing): Promise<RequestIdentity> {
  const token = bearerToken(c) ?? apiKey(c);
  if (!token) return { role: 'anon', claims: { role: 'anon' } };
  const verified = await keys.verify(token);
  if (!verified.ok) {
    c.header('WWW-Authenticate', `Bearer error="invalid_token", error_description="${verified.message}"`);
    throw new PostgrestError(401, verified.reason === 'expired' ? 'PGRST303' : 'PGRST301', verified.message);
  }
  return { role: verified.role, claims: verified.claims };
}

/** `Prefer: return=representation, count=exact` → {return: 'representation', count: 'exact'} */
function preferences(c: Context): Map<string, string> {
  const prefs = new Map<string, string>();
  for (const part of (c.req.header('prefer') ?? '').split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key) prefs.set(key.toLowerCase(), value?.trim() ?? '');
  }
  return prefs;
}

function checkProfile(c: Context, header: 'accept-profile' | 'content-profile'): void {
  const profile = c.req.header(header);
  if (profile !== undefined && profile !== 'public') {
    throw new PostgrestError(406, 'PGRST106', 'The schema must be one of the following: public', null, null);
  }
}

function tableOf(c: Context, catalog: Catalog): string {
  const table = c.req.param('table') ?? '';
  if (!catalog.tables.has(table)) {
    throw new PostgrestError(404, 'PGRST205', `Could not find the table 'public.${table}' in the schema cache`);
  }
  return table;
}

const wantsObject = (c: Context) => (c.req.header('accept') ?? '').includes(OBJECT_MEDIA_TYPE);

function singleRowError(count: number): PostgrestError {
  return new PostgrestError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${count} rows`);
}

async function readBody(c: Context): Promise<unknown> {
  return parseBody(await c.req.text());
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new PostgrestError(400, 'PGRST102', 'Empty or invalid json');
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Thrown inside the transaction to roll it back while still answering (Prefer: tx=rollback). */
class RollbackWith {
  constructor(readonly result: WriteResult) {}
}

interface WriteResult {
  rows: ResultRow | undefined;
  affected: number;
}

/** `/rest/v1`: PostgREST for the public schema, every request run as its JWT's role under row-level security. */
export function restRoutes({ db, keys, catalog, log }: RestDependencies): Hono<RestEnv> {
  const app = new Hono<RestEnv>();

  app.onError((error, c) => {
    const isRead = c.req.method === 'GET' || c.req.method === 'HEAD';
    // The role decides 401 or 403 for a permission error; a request that failed before identifying ran as nobody.
    const role = c.get('role') ?? 'anon';
    const problem =
      error instanceof PostgrestError ? error
      : isDatabaseError(error) ? fromDatabaseError(error, role, isRead)
      : undefined;
    if (!problem) log(`rest: unexpected error: ${error.stack ?? error.message}`);
    const answer = problem ?? new PostgrestError(500, 'PGRST000', 'Internal server error');
    return c.json(answer.toJSON(), answer.status as 400);
  });

  /** As PostgREST, the JWT is checked first: a bad token is a 401 whatever else is wrong with the request. */
  async function identified(c: RestContext): Promise<RequestIdentity> {
    const who = await identify(c, keys);
    c.set('role', who.role);
    return who;
  }

  function respond(c: RestContext, status: number, rows: ResultRow | undefined, headers: Record<string, string>) {
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    if (!rows || c.req.method === 'HEAD') return c.body(null, status as 200);
    const single = wantsObject(c);
    c.header('Content-Type', `${single ? OBJECT_MEDIA_TYPE : 'application/json'}; charset=utf-8`);
    return c.body(single ? rows.first! : rows.body, status as 200);
  }

  app.get('/:table', async (c) => {
    const who = await identified(c);
    checkProfile(c, 'accept-profile');
    const table = tableOf(c, catalog);
    const query = parseQuery(new URL(c.req.url).searchParams);
    const counting = preferences(c).has('count');
    const statement = buildRead(catalog, table, query, counting);
    const { rows } = await asIdentity(db, who, (sql) => sql.query<ResultRow>(statement.text, statement.values));
    const result = rows[0]!;
    if (wantsObject(c) && result.page_count !== 1) throw singleRowError(result.page_count);
    const offset = query.modifiers.get('')?.offset ?? 0;
    const total = counting ? result.total! : undefined;
    if (total !== undefined && offset > total) {
      throw new PostgrestError(416, 'PGRST103', 'Requested range not satisfiable', `An offset of ${offset} was requested, but there are only ${total} rows.`);
    }
    const range = result.page_count === 0 ? '*' : `${offset}-${offset + result.page_count - 1}`;
    const partial = total !== undefined && result.page_count < total;
    return respond(c, partial ? 206 : 200, result, { 'Content-Range': `${range}/${total ?? '*'}` });
  });

  type Build = (query: ParsedQuery, representation: boolean) => Promise<Statement>;

  async function write(c: RestContext, build: Build, success: { representation: number; minimal: number }) {
    const who = await identified(c);
    checkProfile(c, 'content-profile');
    const prefs = preferences(c);
    const representation = prefs.get('return') === 'representation';
    const statement = await build(parseQuery(new URL(c.req.url).searchParams), representation);
    let result: WriteResult;
    try {
      result = await asIdentity(db, who, async (sql) => {
        const { rows, affectedRows } = await sql.query<ResultRow>(statement.text, statement.values);
        const outcome: WriteResult = representation
          ? { rows: rows[0], affected: rows[0]!.page_count }
          : { rows: undefined, affected: affectedRows };
        // PostgREST rolls a write back when a single object was asked for and it touched another number of rows.
        if (wantsObject(c) && outcome.affected !== 1) throw singleRowError(outcome.affected);
        if (prefs.get('tx') === 'rollback') throw new RollbackWith(outcome);
        return outcome;
      });
    } catch (error) {
      if (!(error instanceof RollbackWith)) throw error;
      result = error.result;
    }
    const range = `*/${prefs.has('count') ? result.affected : '*'}`;
    return respond(c, representation ? success.representation : success.minimal, result.rows, { 'Content-Range': range });
  }

  /** `rpc()`: POST with a JSON object of named arguments, GET / HEAD with them in the query string. */
  async function rpc(c: RestContext) {
    const who = await identified(c);
    const read = c.req.method === 'GET' || c.req.method === 'HEAD';
    checkProfile(c, read ? 'accept-profile' : 'content-profile');
    let args: Record<string, unknown>;
    if (read) {
      args = queryArguments(new URL(c.req.url).searchParams);
    } else {
      const text = await c.req.text();
      const body = text.trim() === '' ? {} : parseBody(text);
      if (!isRecord(body)) throw new PostgrestError(400, 'PGRST102', 'Empty or invalid json');
      args = body;
    }
    const result = await asIdentity(db, who, (sql) => callFunction(sql, c.req.param('fn') ?? '', args));
    if (result.body === null) return c.body(null, 204);
    if (wantsObject(c) && result.isSet) {
      const rows = JSON.parse(result.body) as unknown[];
      if (rows.length !== 1) throw singleRowError(rows.length);
      return respond(c, 200, { body: '', first: JSON.stringify(rows[0]), page_count: 1 }, {});
    }
    const range = result.isSet ? (result.count === 0 ? '*' : `0-${result.count - 1}`) : '0-0';
    const total = preferences(c).has('count') ? String(result.count) : '*';
    c.header('Content-Range', `${range}/${total}`);
    if (c.req.method === 'HEAD') return c.body(null, 200);
    c.header('Content-Type', 'application/json; charset=utf-8');
    return c.body(result.body, 200);
  }
  app.post('/rpc/:fn', rpc);
  app.get('/rpc/:fn', rpc);

  app.post('/:table', (c) =>
    write(
      c,
      async (query, representation) => {
        const table = tableOf(c, catalog);
        const body = await readBody(c);
        const rows = Array.isArray(body) ? body : [body];
        if (!rows.every(isRecord)) throw new PostgrestError(400, 'PGRST102', 'All object keys must match');
        const resolution = preferences(c).get('resolution');
        return buildInsert(catalog, table, query, rows, {
          representation,
          ...((resolution === 'merge-duplicates' || resolution === 'ignore-duplicates') && { resolution }),
        });
      },
      { representation: 201, minimal: 201 },
    ),
  );

  app.patch('/:table', (c) =>
    write(
      c,
      async (query, representation) => {
        const table = tableOf(c, catalog);
        const body = await readBody(c);
        if (!isRecord(body)) throw new PostgrestError(400, 'PGRST102', 'Empty or invalid json');
        return buildUpdate(catalog, table, query, body, representation);
      },
      { representation: 200, minimal: 204 },
    ),
  );

  app.delete('/:table', (c) =>
    write(c, async (query, representation) => buildDelete(catalog, tableOf(c, catalog), query, representation), {
      representation: 200,
      minimal: 204,
    }),
  );

  return app;
}
