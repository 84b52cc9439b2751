import pg from 'pg';
import { SandboxConfigError } from '../config-error.ts';
import type { ListeningDatabase, Sql } from './database.ts';
import { quoteIdent } from './identifiers.ts';

/** host:port/database of a postgres:// URL, for messages: the password never leaves this function. */
export function describePostgresUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SandboxConfigError('DATABASE_URL is not a valid URL (expected postgres://user@host:port/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new SandboxConfigError(`DATABASE_URL must start with postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default database)';
  return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}/${database}`;
}

function wrap(client: pg.PoolClient): Sql {
  return {
    async query(text, params) {
      const result = await client.query(text, params ? [...params] : undefined);
      return { rows: result.rows, affectedRows: result.rowCount ?? 0 };
    },
    async exec(script) {
      await client.query(script);
    },
  };
}

/** A real PostgreSQL server: one pooled connection per request, so requests run concurrently. */
export async function openPostgres(url: string, log: (line: string) => void): Promise<ListeningDatabase> {
  const where = describePostgresUrl(url);
  // Supabase databases run in UTC; timestamps in JSON answers then read "+00:00".
  const pool = new pg.Pool({ connectionString: url, max: 10, options: '-c TimeZone=UTC' });
  // An idle connection can die (server restart, database dropped); without a listener that would crash the process.
  pool.on('error', (error) => log(`database connection lost: ${error.message}`));
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new SandboxConfigError(`cannot connect to PostgreSQL at ${where}: ${(error as Error).message}`);
  }
  return {
    kind: 'postgres',
    description: `PostgreSQL ${where}`,
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('begin');
        const result = await fn(wrap(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        // A connection that could not even roll back is discarded rather than handed to the next request.
        client.release(broken);
      }
    },
    // A connection of its own per channel: LISTEN lasts as long as the session, and pooled sessions are shared.
    async listen(channel, onNotify) {
      const listener = new pg.Client({ connectionString: url });
      listener.on('error', (error) => log(`database listener lost: ${error.message}`));
      listener.on('notification', (message) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      });
      await listener.connect();
      await listener.query(`listen ${quoteIdent(channel)}`);
      return () => listener.end();
    },
    directUrl: async () => url,
    close: () => pool.end(),
  };
}
