/**
 * PostgREST's `/rpc/<function>`: a function of the public schema called with named arguments, as the caller's
 * role. Arguments travel as one JSON object and `json_to_record` gives each its parameter's type, as PostgREST does.
 */
import { quoteIdent as q } from '../db/identifiers.ts';
import type { Sql } from '../db/database.ts';
import { PostgrestError } from './postgrest-error.ts';

interface FunctionInfo {
  /** input parameters in order, with their SQL types */
  params: { name: string; type: string }[];
  /** how many trailing parameters have defaults */
  defaults: number;
  returnsSet: boolean;
  /** 'c' composite (a row), 'p' pseudo-type (void, trigger…), else a scalar or array */
  returnKind: string;
  returnType: string;
}

export interface RpcResult {
  /** JSON text, or null for a void function */
  body: string | null;
  /** rows in the result (1 for a scalar or a single row) */
  count: number;
  isSet: boolean;
}

async function overloads(sql: Sql, name: string): Promise<FunctionInfo[]> {
  const { rows } = await sql.query<{ names: string[] | null; modes: string[] | null; types: string[]; defaults: number; returns_set: boolean; return_kind: string; return_type: string }>(
    `select p.proargnames as names, p.proargmodes::text[] as modes,
            array(select format_type(t, null) from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) t) as types,
            p.pronargdefaults as defaults, p.proretset as returns_set, t.typtype as return_kind, t.typname as return_type
       from pg_proc p
       join pg_type t on t.oid = p.prorettype
      where p.pronamespace = 'public'::regnamespace and p.proname = $1 and p.prokind = 'f'`,
    [name],
  );
  return rows
    .filter((row) => row.return_type !== 'trigger')
    .map((row) => ({
      params: row.types
        .map((type, i) => ({ type, name: row.names?.[i] ?? '', mode: row.modes?.[i] ?? 'i' }))
        .filter((p) => p.mode === 'i' || p.mode === 'b')
        .map(({ name, type }) => ({ name, type })),
      defaults: row.defaults,
      returnsSet: row.returns_set,
      returnKind: row.return_kind,
      returnType: row.return_type,
    }));
}

/** The overload that takes exactly these argument names (every required one, no unknown one). */
function choose(candidates: FunctionInfo[], given: string[]): FunctionInfo | undefined {
  return candidates.find((fn) => {
    const names = fn.params.map((p) => p.name);
    const required = names.slice(0, names.length - fn.defaults);
    return given.every((g) => names.includes(g)) && required.every((r) => given.includes(r));
  });
}

export async function callFunction(sql: Sql, name: string, args: Record<string, unknown>): Promise<RpcResult> {
  const given = Object.keys(args).sort();
  const fn = choose(await overloads(sql, name), given);
  if (!fn) {
    const shown = given.length === 0 ? 'without parameters' : `with parameters ${given.join(', ')}`;
    throw new PostgrestError(
      404,
      'PGRST202',
      `Could not find the function public.${name}${given.length === 0 ? '' : `(${given.join(', ')})`} ${shown} in the schema cache`,
      `Searched for the function public.${name} ${shown}, but no matches were found in the schema cache.`,
    );
  }
  const used = fn.params.filter((p) => given.includes(p.name));
  // In FROM, the function runs once per call (in the select list `(f()).*` would run it once per column).
  const composite = fn.returnKind === 'c';
  const call = `public.${q(name)}(${used.map((p) => `${q(p.name)} => _args.${q(p.name)}`).join(', ')}) as _r${composite ? '' : '(_value)'}`;
  const source = used.length === 0 ? call : `json_to_record($1::json) as _args(${used.map((p) => `${q(p.name)} ${p.type}`).join(', ')}) cross join lateral ${call}`;
  const values = used.length === 0 ? [] : [JSON.stringify(args)];
  const value = composite ? '_r' : '_r._value';
  const text =
    fn.returnsSet ? `select coalesce(json_agg(${value}), '[]')::text as body, count(*)::int as count from ${source}`
    : fn.returnType === 'void' ? `select null::text as body, 1 as count from ${source}`
    : `select to_json(${value})::text as body, 1 as count from ${source}`;
  const { rows } = await sql.query<{ body: string | null; count: number }>(text, values);
  const row = rows[0] ?? { body: 'null', count: 0 };
  return { body: row.body, count: row.count, isSet: fn.returnsSet };
}

/** Arguments of a GET or HEAD call: every query parameter (PostgREST's own select/order/limit/offset aside). */
export function queryArguments(params: URLSearchParams): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [key, value] of params) {
    if (!['select', 'order', 'limit', 'offset', 'columns', 'on_conflict'].includes(key)) args[key] = value;
  }
  return args;
}
