import { describe, expect, it } from 'vitest';
import type { Catalog } from './catalog.ts';
import { parseQuery } from './query-params.ts';
import { buildDelete, buildInsert, buildRead, buildUpdate } from './sql-builder.ts';

const catalog: Catalog = {
  tables: new Map([
    ['vehicles', { name: 'vehicles', columns: new Set(['id', 'plate', 'status', 'branch_id']), primaryKey: ['id'] }],
    ['branches', { name: 'branches', columns: new Set(['id', 'name']), primaryKey: ['id'] }],
  ]),
  foreignKeys: [{ name: 'vehicles_branch_id_fkey', table: 'vehicles', columns: ['branch_id'], refTable: 'branches', refColumns: ['id'] }],
};
const query = (text: string) => parseQuery(new URLSearchParams(text));
const HOSTILE = `x'); drop table vehicles; --`;

describe('SQL built from a PostgREST request', () => {
  it('passes every value as a bind parameter, never in the SQL text', () => {
    const read = buildRead(catalog, 'vehicles', query(`plate=eq.${encodeURIComponent(HOSTILE)}&status=in.(a,"${HOSTILE}")&limit=3`), true);
    expect(read.text).not.toContain('drop table');
    expect(read.values).toEqual([HOSTILE, 'a', HOSTILE, 3]);
    const insert = buildInsert(catalog, 'vehicles', query(''), [{ plate: HOSTILE }], { representation: true });
    expect(insert.text).not.toContain('drop table');
    const update = buildUpdate(catalog, 'vehicles', query('id=eq.1'), { plate: HOSTILE }, false);
    expect(update.text).not.toContain('drop table');
  });

  it('quotes identifiers', () => {
    const read = buildRead(catalog, 'vehicles', query('select=plate,"we ird","a\\"b"'), false);
    expect(read.text).toContain('"vehicles"."plate"');
    expect(read.text).toContain('"vehicles"."we ird"');
    expect(read.text).toContain('"vehicles"."a""b"');
  });

  it('joins a many-to-one embed through its foreign key', () => {
    const read = buildRead(catalog, 'vehicles', query('select=plate,branch:branches(name)'), false);
    expect(read.text).toContain('"vehicles_branches_1"."id" = "vehicles"."branch_id"');
    expect(read.text).toContain('row_to_json');
  });

  it('refuses unknown columns in a write body with PGRST204, and writes without filters with 21000', () => {
    expect(() => buildInsert(catalog, 'vehicles', query(''), [{ nope: 1 }], { representation: false })).toThrow(
      expect.objectContaining({ code: 'PGRST204', status: 400 }),
    );
    expect(() => buildDelete(catalog, 'vehicles', query(''), false)).toThrow(expect.objectContaining({ code: '21000' }));
    expect(() => buildUpdate(catalog, 'vehicles', query(''), { plate: 'x' }, false)).toThrow(expect.objectContaining({ code: '21000' }));
  });
});
