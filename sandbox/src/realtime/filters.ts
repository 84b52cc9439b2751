/**
 * Realtime's row filters (`filter: 'status=in.(AVAILABLE,IN_SERVICE)'`): one column, one operator, as Supabase
 * Realtime accepts them. Matched against the changed row's JSON values.
 */
export type FilterOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in';
const OPS: readonly FilterOp[] = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in'];

export interface RowFilter {
  column: string;
  op: FilterOp;
  values: string[];
}

/** `a,"b,c",d` → ['a', 'b,c', 'd'] */
function splitList(list: string): string[] {
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of list) {
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      items.push(current.trim());
      current = '';
    } else current += char;
  }
  items.push(current.trim());
  return items;
}

/** Parses a filter; throws an Error saying what is wrong. */
export function parseRowFilter(text: string): RowFilter {
  const match = /^([^=]+)=([a-z]+)\.(.*)$/s.exec(text);
  if (!match) throw new Error(`invalid filter "${text}": expected column=operator.value`);
  const [, column, op, value] = match as unknown as [string, string, string, string];
  if (!(OPS as readonly string[]).includes(op)) {
    throw new Error(`invalid filter "${text}": operator "${op}" is not one of ${OPS.join(', ')}`);
  }
  if (op === 'in') {
    const list = /^\((.*)\)$/s.exec(value);
    if (!list) throw new Error(`invalid filter "${text}": in needs a list, e.g. in.(a,b)`);
    return { column: column.trim(), op: 'in', values: splitList(list[1]!) };
  }
  return { column: column.trim(), op: op as FilterOp, values: [value] };
}

const asText = (value: unknown): string =>
  value === null || value === undefined ? 'null' : typeof value === 'object' ? JSON.stringify(value) : String(value);

function compare(actual: unknown, wanted: string): number {
  const a = asText(actual);
  const [x, y] = [Number(a), Number(wanted)];
  if (a.trim() !== '' && wanted.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < wanted ? -1 : a > wanted ? 1 : 0;
}

/** Whether `row` passes the filter; a row without the column (a delete's key-only old row) does not. */
export function rowMatches(filter: RowFilter, row: Record<string, unknown> | null | undefined): boolean {
  if (!row || !Object.hasOwn(row, filter.column)) return false;
  const actual = row[filter.column];
  const [wanted] = filter.values as [string];
  switch (filter.op) {
    case 'eq':
      return compare(actual, wanted) === 0;
    case 'neq':
      return compare(actual, wanted) !== 0;
    case 'lt':
      return compare(actual, wanted) < 0;
    case 'lte':
      return compare(actual, wanted) <= 0;
    case 'gt':
      return compare(actual, wanted) > 0;
    case 'gte':
      return compare(actual, wanted) >= 0;
    case 'in':
      return filter.values.some((value) => compare(actual, value) === 0);
  }
}
