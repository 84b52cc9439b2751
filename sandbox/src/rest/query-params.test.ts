import { describe, expect, it } from 'vitest';
import { PostgrestError } from './postgrest-error.ts';
import { parseFilter, parseOrder, parseQuery, parseSelect } from './query-params.ts';

// As supabase-js sends them: URLSearchParams-encoded.
const query = (text: string) => parseQuery(new URLSearchParams(text));

describe('PostgREST query string', () => {
  it('parses select lists with aliases, casts and embeds', () => {
    expect(parseSelect('*')).toEqual([{ type: 'star' }]);
    expect(parseSelect('id,name:full_name,year::text')).toEqual([
      { type: 'column', name: 'id' },
      { type: 'column', name: 'full_name', alias: 'name' },
      { type: 'column', name: 'year', cast: 'text' },
    ]);
    expect(parseSelect('*,from:branches!from_branch_id(name),inspections!inner(result,profiles(email))')).toEqual([
      { type: 'star' },
      { type: 'embed', relation: 'branches', alias: 'from', hint: 'from_branch_id', inner: false, select: [{ type: 'column', name: 'name' }] },
      {
        type: 'embed', relation: 'inspections', inner: true,
        select: [{ type: 'column', name: 'result' }, { type: 'embed', relation: 'profiles', inner: false, select: [{ type: 'column', name: 'email' }] }],
      },
    ]);
  });

  it('parses filters, negation, in-lists with quoted values, and is', () => {
    expect(parseFilter('id', 'eq.5')).toEqual({ type: 'filter', column: 'id', negate: false, op: 'eq', value: '5' });
    expect(parseFilter('name', 'not.ilike.*a.b*')).toEqual({ type: 'filter', column: 'name', negate: true, op: 'ilike', value: '*a.b*' });
    expect(parseFilter('status', 'in.("a,b",c,"say \\"hi\\"")')).toMatchObject({ op: 'in', value: ['a,b', 'c', 'say "hi"'] });
    expect(parseFilter('status', 'in.()')).toMatchObject({ op: 'in', value: [] });
    expect(parseFilter('accepted_by', 'is.NULL')).toMatchObject({ op: 'is', value: 'null' });
  });

  it('parses logic trees, nested and negated', () => {
    const { modifiers } = query('or=(plate.eq.A,and(year.gt.2019,status.in.(AVAILABLE,IN_SERVICE)))&not.and=(a.eq.1,b.eq."x,y")');
    const [or, notAnd] = modifiers.get('')!.filters;
    expect(or).toMatchObject({ type: 'logic', op: 'or', negate: false });
    expect(or).toMatchObject({ conditions: [{ column: 'plate', value: 'A' }, { type: 'logic', op: 'and', conditions: [{ op: 'gt' }, { op: 'in', value: ['AVAILABLE', 'IN_SERVICE'] }] }] });
    expect(notAnd).toMatchObject({ type: 'logic', op: 'and', negate: true, conditions: [{ value: '1' }, { value: 'x,y' }] });
  });

  it('parses order, limit, offset, and modifiers of embedded resources', () => {
    expect(parseOrder('plate.desc.nullslast,year')).toEqual([
      { column: 'plate', descending: true, nulls: 'last' },
      { column: 'year', descending: false },
    ]);
    const parsed = query('select=*,branches(*)&id=gte.1&id=lte.5&order=id.desc&offset=0&limit=10&branches.name=eq.HQ&branches.limit=1');
    expect(parsed.modifiers.get('')).toMatchObject({ limit: 10, offset: 0, order: [{ column: 'id', descending: true }] });
    expect(parsed.modifiers.get('')!.filters).toHaveLength(2);
    expect(parsed.modifiers.get('branches')).toMatchObject({ limit: 1, filters: [{ column: 'name', op: 'eq', value: 'HQ' }] });
  });

  it('reads columns= and on_conflict= of writes', () => {
    expect(query('columns=%22id%22,%22plate%22&on_conflict=plate')).toMatchObject({ columns: ['id', 'plate'], onConflict: ['plate'] });
  });

  it.each(['id=5', 'id=nope.5', 'limit=-1', 'order=id.sideways', 'select=a;drop table x', 'select=a(b', 'id=in.1,2'])(
    'rejects %j with 400 PGRST100',
    (text) => {
      let error: unknown;
      try {
        query(text);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(PostgrestError);
      expect(error).toMatchObject({ status: 400, code: 'PGRST100' });
    },
  );
});
