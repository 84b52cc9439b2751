import { quoteIdent } from './identifiers.ts';

/**
 * `insert into <target> (cols) select cols from json_populate_recordset(...)`: rows travel as one JSON parameter
 * and Postgres converts each value to its column's type, as PostgREST does. Columns left out get their defaults.
 */
export function insertJsonRowsSql(target: string, columns: readonly string[], alias = '_target', param = '$1'): string {
  const list = columns.map(quoteIdent).join(', ');
  return `insert into ${target} as ${quoteIdent(alias)} (${list}) select ${list} from json_populate_recordset(null::${target}, ${param}::json)`;
}
