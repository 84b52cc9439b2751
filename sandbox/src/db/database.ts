/**
 * The one interface the sandbox uses to reach PostgreSQL, whether it is PGlite in this process or a real server.
 * Every statement runs inside a transaction, because PostgREST semantics (SET LOCAL ROLE, transaction-local
 * claims, rollback of a refused single-object write) only exist inside one.
 */
export interface SqlResult<Row> {
  rows: Row[];
  /** rows touched by INSERT/UPDATE/DELETE without RETURNING */
  affectedRows: number;
}

export interface Sql {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
  /** Runs a script of several statements (no parameters). */
  exec(script: string): Promise<void>;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** A short description for people: never contains a password. */
  readonly description: string;
  /** Runs `fn` in one transaction as the connecting (owner) role; commits if it resolves, rolls back if it throws. */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A database the sandbox opened itself, which can also tell it about commits (Realtime, the mail sender). */
export interface ListeningDatabase extends Database {
  /**
   * Calls `onNotify(payload)` after every committed transaction that ran `pg_notify(channel, payload)`, this
   * process's or (on PostgreSQL) anyone's (PostgreSQL folds repeats of one payload in a transaction into one). Resolves once listening; the function it resolves to stops listening.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * A postgres:// URL by which a client in another process reaches this very database (the suite's
   * SUPABASE_DB_URL): the server's own URL on PostgreSQL, a wire endpoint started on first use for PGlite.
   */
  directUrl(): Promise<string>;
}

/** The PostgreSQL roles a request can run as, as in Supabase. */
export const API_ROLES = ['anon', 'authenticated', 'service_role'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export interface RequestIdentity {
  role: ApiRole;
  /** the verified JWT payload, visible to SQL as `current_setting('request.jwt.claims')` */
  claims: Record<string, unknown>;
}

/**
 * Runs `fn` the way PostgREST runs a request: inside a transaction, switched to the JWT's role with
 * `SET LOCAL ROLE`, the claims published with `set_config(..., true)`, so that Postgres itself enforces the grants
 * and the row-level security policies.
 */
export function asIdentity<T>(db: Database, who: RequestIdentity, fn: (sql: Sql) => Promise<T>): Promise<T> {
  return db.transaction(async (sql) => {
    // The role is one of three fixed names (checked by the type and by the JWT verifier), never request text.
    await sql.query(`set local role ${who.role}`);
    await sql.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(who.claims)]);
    return fn(sql);
  });
}
