import { asIdentity, type ListeningDatabase, type RequestIdentity } from '../db/database.ts';
import { qualified, quoteIdent } from '../db/identifiers.ts';

/** One committed row change, as capture_change() queued it (domain.sql). */
export interface Change {
  id: number;
  schema: string;
  table: string;
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  record: Record<string, unknown> | null;
  oldRecord: Record<string, unknown> | null;
  commitTimestamp: string;
  /** the same instant in epoch milliseconds, to the microsecond (for the sandbox's own timing record) */
  committedAtMs: number;
}

export interface TableShape {
  /** Realtime's `columns`: name and Postgres type name (int4, uuid, jsonb, …) */
  columns: { name: string; type: string }[];
  primaryKey: string[];
}

/**
 * The commit side of Realtime: after every commit that queued changes (pg_notify 'sandbox_realtime'), takes them
 * off `realtime.changes` in commit order and hands them to `deliver`. One drain at a time; a notification that
 * arrives meanwhile makes it run again.
 */
export class ChangeFeed {
  #running: Promise<void> | undefined;
  #again = false;
  #unlisten: (() => Promise<void>) | undefined;
  readonly #shapes = new Map<string, Promise<TableShape>>();

  constructor(
    private readonly db: ListeningDatabase,
    private readonly deliver: (changes: Change[]) => Promise<void>,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    this.#unlisten = await this.db.listen('sandbox_realtime', () => this.drain());
    // Changes committed while no sandbox was listening are old news: Realtime only streams what happens next.
    await this.db.transaction((sql) => sql.query('delete from realtime.changes'));
  }

  async stop(): Promise<void> {
    await this.#unlisten?.();
    await this.#running;
  }

  /** Runs a drain now (or once more after the current one). Resolves when the queue has been emptied. */
  drain(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          const changes = await this.#take();
          if (changes.length > 0) await this.deliver(changes);
          if (changes.length === BATCH) this.#again = true;
        } catch (error) {
          this.log(`realtime: ${(error as Error).message}`);
        }
      } while (this.#again);
      this.#running = undefined;
    })();
    return this.#running;
  }

  async #take(): Promise<Change[]> {
    const { rows } = await this.db.transaction((sql) =>
      sql.query<{ id: string | number; schema_name: string; table_name: string; type: Change['type']; record: Record<string, unknown> | null; old_record: Record<string, unknown> | null; commit_timestamp: string; committed_ms: number }>(
        `delete from realtime.changes where id in (select id from realtime.changes order by id limit ${BATCH})
         returning id, schema_name, table_name, type, record, old_record,
                   to_char(commit_timestamp at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as commit_timestamp,
                   (extract(epoch from commit_timestamp) * 1000)::float8 as committed_ms`,
      ),
    );
    return rows
      .map((row) => ({
        id: Number(row.id),
        schema: row.schema_name,
        table: row.table_name,
        type: row.type,
        record: row.record,
        oldRecord: row.old_record,
        commitTimestamp: row.commit_timestamp,
        committedAtMs: Number(row.committed_ms),
      }))
      .sort((a, b) => a.id - b.id);
  }

  /** Column names and types, and the primary key, of a table (cached: the schema does not change under Realtime). */
  shapeOf(schema: string, table: string): Promise<TableShape> {
    const key = `${schema}.${table}`;
    let shape = this.#shapes.get(key);
    if (!shape) {
      shape = this.db.transaction(async (sql) => {
        const { rows } = await sql.query<{ name: string; type: string; is_key: boolean }>(
          `select a.attname as name, t.typname as type,
                  exists (select 1 from pg_index i where i.indrelid = a.attrelid and i.indisprimary and a.attnum = any (i.indkey)) as is_key
             from pg_attribute a join pg_type t on t.oid = a.atttypid
            where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped
            order by a.attnum`,
          [qualified(schema, table)],
        );
        return { columns: rows.map(({ name, type }) => ({ name, type })), primaryKey: rows.filter((r) => r.is_key).map((r) => r.name) };
      });
      shape.catch(() => this.#shapes.delete(key));
      this.#shapes.set(key, shape);
    }
    return shape;
  }

  /**
   * Which of these changed rows `who` may read now, decided by Postgres: a select of them by primary key as that
   * role with those claims, under the table's row-level security, as Supabase Realtime checks each subscriber.
   * Answers the indexes of the visible changes.
   */
  async visible(who: RequestIdentity, changes: readonly Change[]): Promise<Set<number>> {
    const seen = new Set<number>();
    const byTable = new Map<string, number[]>();
    changes.forEach((change, i) => {
      const key = `${change.schema}.${change.table}`;
      byTable.set(key, [...(byTable.get(key) ?? []), i]);
    });
    for (const indexes of byTable.values()) {
      const first = changes[indexes[0]!]!;
      const { primaryKey } = await this.shapeOf(first.schema, first.table);
      if (primaryKey.length === 0) continue;
      const keys = indexes.map((i) => primaryKey.map((column) => changes[i]!.record?.[column] ?? null));
      const columns = primaryKey.map(quoteIdent).join(', ');
      const list = primaryKey.map((column) => `${quoteIdent(column)} text`).join(', ');
      try {
        const { rows } = await asIdentity(this.db, who, (sql) =>
          sql.query<{ k: string }>(
            `select json_build_array(${columns})::text as k from ${qualified(first.schema, first.table)}
              where (${primaryKey.map((c) => `${quoteIdent(c)}::text`).join(', ')}) in
                    (select ${primaryKey.map(quoteIdent).join(', ')} from json_to_recordset($1::json) as _k(${list}))`,
            [JSON.stringify(keys.map((values) => Object.fromEntries(primaryKey.map((c, j) => [c, values[j] === null ? null : String(values[j])]))))],
          ),
        );
        const found = new Set(rows.map((row) => (JSON.parse(row.k) as unknown[]).map(String).join('\u0000')));
        indexes.forEach((i, n) => {
          if (found.has(keys[n]!.map(String).join('\u0000'))) seen.add(i);
        });
      } catch {
        // No select privilege, for instance: nothing is visible.
      }
    }
    return seen;
  }
}

const BATCH = 500;
