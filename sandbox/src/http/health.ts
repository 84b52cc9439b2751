import type { Context } from 'hono';
import type { Database } from '../db/database.ts';
import type { ActiveFaults } from '../faults.ts';

/** `GET /api/health`: ok only after the database answered a real query. Fault health_down: the query fails. */
export async function health(c: Context, db: Database, faults?: ActiveFaults) {
  const started = performance.now();
  try {
    // health_down: the app cannot reach its database, so the probe query fails before it is sent.
    if (faults?.isOn('health_down')) throw new Error('connection refused');
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
