/**
 * Turns a parsed PostgREST request into one SQL statement, as PostgREST does: Postgres itself builds the JSON
 * (json_agg / row_to_json), identifiers are quoted, and every value from the request is a bind parameter.
 */
import { quoteIdent as q } from '../db/identifiers.ts';
import { insertJsonRowsSql } from '../db/json-rows.ts';
import type { Catalog } from './catalog.ts';
import { PostgrestError } from './postgrest-error.ts';
import type { Filter, Modifiers, OrderTerm, ParsedQuery, SelectItem } from './query-params.ts';
import { SIMPLE_OPERATORS } from './query-params.ts';
import { resolveRelationship } from './relationships.ts';

export interface Statement {
  text: string;
  values: unknown[];
}

/** The columns every statement answers with. */
export interface ResultRow {
  /** the rows as a JSON array */
  body: string;
  /** the first row as JSON, when a single object was asked for */
  first: string | null;
  page_count: number;
  total?: number;
}

const SCHEMA = q('public');
const EMPTY: Modifiers = { filters: [], order: [] };

class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

interface Scope {
  catalog: Catalog;
  params: Params;
  modifiers: Map<string, Modifiers>;
  aliases: number;
}

function filterSql(scope: Scope, alias: string, filter: Filter): string {
  let sql: string;
  if (filter.type === 'logic') {
    const parts = filter.conditions.map((c) => filterSql(scope, alias, c));
    sql = parts.length === 0 ? 'true' : `(${parts.join(` ${filter.op} `)})`;
  } else {
    const column = `${q(alias)}.${q(filter.column)}`;
    if (filter.op === 'in') {
      sql = filter.value.length === 0 ? 'false' : `${column} in (${filter.value.map((v) => scope.params.add(v)).join(', ')})`;
    } else if (filter.op === 'is') {
      sql = `${column} is ${filter.value === 'not_null' ? 'not null' : filter.value}`;
    } else {
      // PostgREST accepts * as a wildcard in like patterns, because % is awkward in URLs.
      const value = filter.op === 'like' || filter.op === 'ilike' ? filter.value.replaceAll('*', '%') : filter.value;
      sql = `${column} ${SIMPLE_OPERATORS[filter.op]} ${scope.params.add(value)}`;
    }
  }
  return filter.negate ? `not ${sql}` : sql;
}

function orderSql(alias: string, order: OrderTerm[]): string {
  if (order.length === 0) return '';
  const terms = order.map(
    (t) => `${q(alias)}.${q(t.column)} ${t.descending ? 'desc' : 'asc'}${t.nulls ? ` nulls ${t.nulls}` : ''}`,
  );
  return ` order by ${terms.join(', ')}`;
}

function pageSql(scope: Scope, modifiers: Modifiers): string {
  return (
    (modifiers.limit !== undefined ? ` limit ${scope.params.add(modifiers.limit)}` : '') +
    (modifiers.offset !== undefined ? ` offset ${scope.params.add(modifiers.offset)}` : '')
  );
}

interface Projection {
  columns: string;
  /** conditions the parent must meet because of `!inner` embeds */
  conditions: string[];
}

function project(scope: Scope, table: string, alias: string, items: SelectItem[], path: string): Projection {
  const columns: string[] = [];
  const conditions: string[] = [];
  for (const item of items) {
    if (item.type === 'star') columns.push(`${q(alias)}.*`);
    else if (item.type === 'column') {
      const cast = item.cast ? `::${item.cast}` : '';
      const renamed = item.alias !== undefined || item.cast !== undefined;
      columns.push(`${q(alias)}.${q(item.name)}${cast}${renamed ? ` as ${q(item.alias ?? item.name)}` : ''}`);
    } else {
      const embed = embedSql(scope, table, alias, item, path);
      columns.push(`${embed.expression} as ${q(item.alias ?? item.relation)}`);
      if (embed.condition) conditions.push(embed.condition);
    }
  }
  return { columns: columns.join(', '), conditions };
}

function embedSql(
  scope: Scope,
  parentTable: string,
  parentAlias: string,
  item: Extract<SelectItem, { type: 'embed' }>,
  parentPath: string,
): { expression: string; condition?: string } {
  const relationship = resolveRelationship(scope.catalog, parentTable, item.relation, item.hint);
  const alias = `${parentTable}_${item.relation}_${++scope.aliases}`;
  const prefix = parentPath ? `${parentPath}.` : '';
  const path = prefix + (item.alias ?? item.relation);
  const modifiers = scope.modifiers.get(path) ?? scope.modifiers.get(prefix + item.relation) ?? EMPTY;
  const projection = project(scope, relationship.table, alias, item.select, path);
  const where = [
    ...relationship.pairs.map(([parent, child]) => `${q(alias)}.${q(child)} = ${q(parentAlias)}.${q(parent)}`),
    ...projection.conditions,
    ...modifiers.filters.map((f) => filterSql(scope, alias, f)),
  ].join(' and ');
  const from = `from ${SCHEMA}.${q(relationship.table)} as ${q(alias)} where ${where}`;
  const expression = relationship.toMany
    ? `coalesce((select json_agg(_sub) from (select ${projection.columns} ${from}${orderSql(alias, modifiers.order)}${pageSql(scope, modifiers)}) _sub), '[]'::json)`
    : `(select row_to_json(_sub) from (select ${projection.columns} ${from} limit 1) _sub)`;
  return { expression, ...(item.inner && { condition: `exists (select 1 ${from})` }) };
}

/** Wraps a query producing rows into one producing the JSON body PostgREST sends. */
function jsonResult(rowsQuery: string, extraColumns = ''): string {
  return `select coalesce(json_agg(_t), '[]')::text as body, (json_agg(_t) -> 0)::text as first,
    count(*)::int as page_count${extraColumns} from (${rowsQuery}) _t`;
}

function newScope(catalog: Catalog, query: ParsedQuery): Scope {
  return { catalog, params: new Params(), modifiers: query.modifiers, aliases: 0 };
}

export function buildRead(catalog: Catalog, table: string, query: ParsedQuery, withTotal: boolean): Statement {
  const scope = newScope(catalog, query);
  const root = query.modifiers.get('') ?? EMPTY;
  const projection = project(scope, table, table, query.select, '');
  const conditions = [...projection.conditions, ...root.filters.map((f) => filterSql(scope, table, f))];
  const from = `from ${SCHEMA}.${q(table)} as ${q(table)}${conditions.length ? ` where ${conditions.join(' and ')}` : ''}`;
  const rows = `select ${projection.columns} ${from}${orderSql(table, root.order)}${pageSql(scope, root)}`;
  const total = withTotal ? `, (select count(*) ${from})::int as total` : '';
  return { text: jsonResult(rows, total), values: scope.params.values };
}

export function checkColumns(catalog: Catalog, table: string, columns: Iterable<string>): string[] {
  const known = catalog.tables.get(table)!.columns;
  const list = [...columns];
  for (const column of list) {
    if (!known.has(column)) {
      throw new PostgrestError(400, 'PGRST204', `Could not find the '${column}' column of '${table}' in the schema cache`);
    }
  }
  return list;
}

function filtersOf(scope: Scope, table: string, verb: 'UPDATE' | 'DELETE'): string {
  const root = scope.modifiers.get('') ?? EMPTY;
  // Supabase runs pg-safeupdate: a write without a WHERE clause is refused rather than touching every row.
  if (root.filters.length === 0) throw new PostgrestError(400, '21000', `${verb} requires a WHERE clause`);
  return root.filters.map((f) => filterSql(scope, table, f)).join(' and ');
}

/** A data-modifying statement, answering with the representation (`returning`) or just the row count. */
function mutation(scope: Scope, table: string, query: ParsedQuery, statement: string, representation: boolean): Statement {
  if (!representation) return { text: statement, values: scope.params.values };
  const projection = project(scope, table, table, query.select, '');
  const text = `with _source as (${statement} returning ${q(table)}.*)
    ${jsonResult(`select ${projection.columns} from _source as ${q(table)}`)}`;
  return { text, values: scope.params.values };
}

export interface InsertOptions {
  representation: boolean;
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
}

export function buildInsert(
  catalog: Catalog,
  table: string,
  query: ParsedQuery,
  rows: Record<string, unknown>[],
  options: InsertOptions,
): Statement {
  const scope = newScope(catalog, query);
  const keys = query.columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const columns = checkColumns(catalog, table, keys);
  let statement: string;
  if (columns.length === 0) {
    // `insert({})`: every column takes its default, once per row.
    statement = `insert into ${SCHEMA}.${q(table)} as ${q(table)} select from generate_series(1, ${scope.params.add(rows.length)}::int)`;
  } else {
    statement = insertJsonRowsSql(`${SCHEMA}.${q(table)}`, columns, table, scope.params.add(JSON.stringify(rows)));
  }
  if (options.resolution) {
    const target = checkColumns(catalog, table, query.onConflict ?? catalog.tables.get(table)!.primaryKey);
    const action =
      options.resolution === 'ignore-duplicates' || columns.length === 0
        ? 'nothing'
        : `update set ${columns.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`;
    statement += ` on conflict (${target.map(q).join(', ')}) do ${action}`;
  }
  return mutation(scope, table, query, statement, options.representation);
}

export function buildUpdate(
  catalog: Catalog,
  table: string,
  query: ParsedQuery,
  patch: Record<string, unknown>,
  representation: boolean,
): Statement {
  const scope = newScope(catalog, query);
  const columns = checkColumns(catalog, table, Object.keys(patch));
  const target = `${SCHEMA}.${q(table)} as ${q(table)}`;
  let statement: string;
  if (columns.length === 0) {
    // As PostgREST: an empty patch cannot be an UPDATE; it answers like one that matched no row.
    const key = q(catalog.tables.get(table)!.primaryKey[0] ?? 'id');
    statement = `update ${target} set ${key} = ${q(table)}.${key} where false`;
  } else {
    const body = scope.params.add(JSON.stringify(patch));
    const set = columns.map((c) => `${q(c)} = _body.${q(c)}`).join(', ');
    statement = `update ${target} set ${set}
      from (select * from json_populate_record(null::${SCHEMA}.${q(table)}, ${body}::json)) _body
      where ${filtersOf(scope, table, 'UPDATE')}`;
  }
  return mutation(scope, table, query, statement, representation);
}

export function buildDelete(catalog: Catalog, table: string, query: ParsedQuery, representation: boolean): Statement {
  const scope = newScope(catalog, query);
  const statement = `delete from ${SCHEMA}.${q(table)} as ${q(table)} where ${filtersOf(scope, table, 'DELETE')}`;
  return mutation(scope, table, query, statement, representation);
}
