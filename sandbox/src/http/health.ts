import type { Context } from 'hono';
import type { Database } from '../db/database.ts';

/** `GET /api/health`: ok only after the database answered a real query. */
export async function health(c: Context, db: Database) {
  const started = performance.now();
  try {
    await db.transaction((sql) => sql.query('select 1'));
  } catch {
    return c.json({ status: 'error', database: 'error', time: new Date().toISOString() }, 503);
  }
  return c.json({
    status: 'ok',
    database: 'ok',
    database_latency_ms: Math.round((performance.now() - started) * 10) / 10,
    time: new Date().toISOString(),
  });
}
