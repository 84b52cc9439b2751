/**
 * PostgREST's query-string language, parsed into a plain tree (no SQL here): `select=`, filters
 * `col=[not.]op.value`, `or=(…)`/`and=(…)`, `order=`, `limit=`, `offset=`, and the same keys prefixed with an
 * embedded resource's name (`branches.order=name.asc`) for that resource.
 */
import { PostgrestError } from './postgrest-error.ts';

export type SelectItem =
  | { type: 'star' }
  | { type: 'column'; name: string; alias?: string; cast?: string }
  | { type: 'embed'; relation: string; alias?: string; hint?: string; inner: boolean; select: SelectItem[] };

export const SIMPLE_OPERATORS = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  like: 'like',
  ilike: 'ilike',
  match: '~',
  imatch: '~*',
  isdistinct: 'is distinct from',
  cs: '@>',
  cd: '<@',
  ov: '&&',
} as const;
export type SimpleOperator = keyof typeof SIMPLE_OPERATORS;
export const IS_VALUES = ['null', 'not_null', 'true', 'false', 'unknown'] as const;
export type IsValue = (typeof IS_VALUES)[number];

export type Filter =
  | { type: 'filter'; column: string; negate: boolean; op: SimpleOperator; value: string }
  | { type: 'filter'; column: string; negate: boolean; op: 'in'; value: string[] }
  | { type: 'filter'; column: string; negate: boolean; op: 'is'; value: IsValue }
  | { type: 'logic'; negate: boolean; op: 'and' | 'or'; conditions: Filter[] };

export interface OrderTerm {
  column: string;
  descending: boolean;
  nulls?: 'first' | 'last';
}

/** What applies to one level of the result: the root table, or one embedded resource. */
export interface Modifiers {
  filters: Filter[];
  order: OrderTerm[];
  limit?: number;
  offset?: number;
}

export interface ParsedQuery {
  select: SelectItem[];
  /** keyed by embed path: '' for the root, 'branches', 'handshakes.vehicles', … */
  modifiers: Map<string, Modifiers>;
  /** `columns=` of a bulk insert */
  columns?: string[];
  /** `on_conflict=` of an upsert */
  onConflict?: string[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const CAST_TYPE = /^[A-Za-z_][A-Za-z0-9_ ]*(\[\])?$/;
/** Parameters that are not filters. `apikey` may travel in the query string, as the realtime socket sends it. */
const RESERVED = new Set(['select', 'order', 'limit', 'offset', 'columns', 'on_conflict', 'apikey']);

const syntaxError = (what: string, text: string) =>
  new PostgrestError(400, 'PGRST100', `"failed to parse ${what} (${text})" (line 1, column 1)`, null, null);

/** Splits on `separator` outside parentheses and double quotes. */
export function splitTopLevel(text: string, separator = ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '\\' && i + 1 < text.length) {
        current += ch + text[++i]!;
        continue;
      }
      if (ch === '"') quoted = false;
      current += ch;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === separator && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (quoted || depth !== 0) throw syntaxError('list', text);
  parts.push(current);
  return parts;
}

/** `"a,b"` → `a,b` (with `\"` and `\\` escapes); bare text as is. */
function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    return text.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return text;
}

function identifier(text: string, what: string): string {
  const name = unquote(text.trim());
  if (text.trim().startsWith('"') ? name.length > 0 : IDENTIFIER.test(name)) return name;
  throw syntaxError(what, text);
}

export function parseSelect(text: string): SelectItem[] {
  if (text.trim() === '') return [{ type: 'star' }];
  return splitTopLevel(text).map((raw) => parseSelectItem(raw.trim(), text));
}

function parseSelectItem(item: string, whole: string): SelectItem {
  if (item === '*') return { type: 'star' };
  const open = item.indexOf('(');
  if (open !== -1) {
    if (!item.endsWith(')')) throw syntaxError('select parameter', whole);
    const head = item.slice(0, open);
    const inner = item.slice(open + 1, -1);
    const [aliasPart, relationPart] = head.includes(':') ? head.split(':', 2) : [undefined, head];
    const [relation, ...hints] = (relationPart ?? '').split('!');
    let inner_ = false;
    let hint: string | undefined;
    for (const h of hints) {
      if (h === 'inner') inner_ = true;
      else if (h === 'left') inner_ = false;
      else hint = identifier(h, 'select parameter');
    }
    return {
      type: 'embed',
      relation: identifier(relation ?? '', 'select parameter'),
      ...(aliasPart !== undefined && { alias: identifier(aliasPart, 'select parameter') }),
      ...(hint !== undefined && { hint }),
      inner: inner_,
      select: parseSelect(inner),
    };
  }
  const castAt = item.indexOf('::');
  const named = castAt === -1 ? item : item.slice(0, castAt);
  const cast = castAt === -1 ? undefined : item.slice(castAt + 2).trim();
  if (cast !== undefined && !CAST_TYPE.test(cast)) throw syntaxError('select parameter', whole);
  const colon = named.indexOf(':');
  const alias = colon === -1 ? undefined : identifier(named.slice(0, colon), 'select parameter');
  const name = identifier(colon === -1 ? named : named.slice(colon + 1), 'select parameter');
  return { type: 'column', name, ...(alias !== undefined && { alias }), ...(cast !== undefined && { cast }) };
}

/** `op.value` or `not.op.value` for `column`. */
export function parseFilter(column: string, expression: string): Filter {
  let rest = expression;
  let negate = false;
  if (rest.startsWith('not.')) {
    negate = true;
    rest = rest.slice(4);
  }
  const dot = rest.indexOf('.');
  if (dot === -1) throw syntaxError('filter', expression);
  const op = rest.slice(0, dot);
  const value = rest.slice(dot + 1);
  if (op === 'in') {
    if (!value.startsWith('(') || !value.endsWith(')')) throw syntaxError('filter', expression);
    const inner = value.slice(1, -1);
    const values = inner.trim() === '' ? [] : splitTopLevel(inner).map((v) => unquote(v.trim()));
    return { type: 'filter', column, negate, op: 'in', value: values };
  }
  if (op === 'is') {
    const lowered = value.toLowerCase();
    if (!(IS_VALUES as readonly string[]).includes(lowered)) throw syntaxError('filter', expression);
    return { type: 'filter', column, negate, op: 'is', value: lowered as IsValue };
  }
  if (Object.hasOwn(SIMPLE_OPERATORS, op)) {
    return { type: 'filter', column, negate, op: op as SimpleOperator, value };
  }
  throw syntaxError('filter', expression);
}

/** `(a.eq.1,and(b.gt.2,c.is.null))` → conditions. */
export function parseLogic(op: 'and' | 'or', negate: boolean, expression: string): Filter {
  if (!expression.startsWith('(') || !expression.endsWith(')')) throw syntaxError('logic tree', expression);
  const conditions = splitTopLevel(expression.slice(1, -1)).map((part): Filter => {
    const item = part.trim();
    const logic = /^(not\.)?(and|or)(\(.*\))$/s.exec(item);
    if (logic) return parseLogic(logic[2] as 'and' | 'or', Boolean(logic[1]), logic[3]!);
    const dot = item.indexOf('.');
    if (dot === -1) throw syntaxError('logic tree', expression);
    const filter = parseFilter(identifier(item.slice(0, dot), 'logic tree'), item.slice(dot + 1));
    // Inside a logic tree a plain value may be double-quoted to carry commas or parentheses.
    if (filter.type === 'filter' && filter.op !== 'in' && filter.op !== 'is') filter.value = unquote(filter.value);
    return filter;
  });
  return { type: 'logic', negate, op, conditions };
}

export function parseOrder(text: string): OrderTerm[] {
  return splitTopLevel(text).map((term) => {
    const [column, ...flags] = term.trim().split('.');
    const order: OrderTerm = { column: identifier(column ?? '', 'order'), descending: false };
    for (const flag of flags) {
      if (flag === 'asc' || flag === 'desc') order.descending = flag === 'desc';
      else if (flag === 'nullsfirst' || flag === 'nullslast') order.nulls = flag === 'nullsfirst' ? 'first' : 'last';
      else throw syntaxError('order', text);
    }
    return order;
  });
}

function nonNegativeInteger(text: string, what: 'limit' | 'offset'): number {
  if (!/^\d+$/.test(text)) throw syntaxError(`${what} parameter`, text);
  return Number(text);
}

function parseColumnList(text: string, what: string): string[] {
  return splitTopLevel(text).map((name) => identifier(name, what));
}

export function parseQuery(params: URLSearchParams): ParsedQuery {
  const modifiers = new Map<string, Modifiers>();
  const at = (path: string) => {
    let found = modifiers.get(path);
    if (!found) modifiers.set(path, (found = { filters: [], order: [] }));
    return found;
  };
  at('');
  const query: ParsedQuery = { select: parseSelect(params.get('select') ?? '*'), modifiers };
  const columns = params.get('columns');
  if (columns !== null) query.columns = parseColumnList(columns, 'columns parameter');
  const onConflict = params.get('on_conflict');
  if (onConflict !== null) query.onConflict = parseColumnList(onConflict, 'on_conflict parameter');

  for (const [key, value] of params) {
    if (RESERVED.has(key)) {
      if (key === 'order') at('').order.push(...parseOrder(value));
      if (key === 'limit') at('').limit = nonNegativeInteger(value, 'limit');
      if (key === 'offset') at('').offset = nonNegativeInteger(value, 'offset');
      continue;
    }
    // `branches.name=eq.x`, `branches.order=…`: the last segment is the column or modifier, the rest the embed path.
    const segments = key.split('.');
    const last = segments.pop()!;
    const isLogic = last === 'or' || last === 'and';
    const negated = isLogic && segments.at(-1) === 'not';
    if (negated) segments.pop();
    const target = at(segments.join('.'));
    if (last === 'order') target.order.push(...parseOrder(value));
    else if (last === 'limit') target.limit = nonNegativeInteger(value, 'limit');
    else if (last === 'offset') target.offset = nonNegativeInteger(value, 'offset');
    else if (isLogic) target.filters.push(parseLogic(last, negated, value));
    else target.filters.push(parseFilter(identifier(last, 'filter'), value));
  }
  return query;
}
