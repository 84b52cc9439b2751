import type { Catalog, ForeignKey } from './catalog.ts';
import { PostgrestError } from './postgrest-error.ts';

/** How an embedded resource joins its parent: pairs of (parent column, embedded column). */
export interface Relationship {
  table: string;
  toMany: boolean;
  pairs: [parentColumn: string, childColumn: string][];
}

interface Candidate extends Relationship {
  foreignKey: ForeignKey;
}

const zip = (a: string[], b: string[]) => a.map((column, i): [string, string] => [column, b[i]!]);

/**
 * PostgREST's embedding rules, for foreign keys in the exposed schema: `relation` names the other table (or, for
 * a many-to-one, the foreign key or its column), and `hint` (`relation!hint`) picks among several foreign keys.
 */
export function resolveRelationship(catalog: Catalog, parent: string, relation: string, hint?: string): Relationship {
  const candidates: Candidate[] = [];
  for (const fk of catalog.foreignKeys) {
    const namedByKey = fk.name === relation || (fk.columns.length === 1 && fk.columns[0] === relation);
    if (fk.table === parent && (fk.refTable === relation || namedByKey)) {
      candidates.push({ foreignKey: fk, table: fk.refTable, toMany: false, pairs: zip(fk.columns, fk.refColumns) });
    }
    if (fk.refTable === parent && fk.table === relation) {
      candidates.push({ foreignKey: fk, table: fk.table, toMany: true, pairs: zip(fk.refColumns, fk.columns) });
    }
  }
  const matching = hint
    ? candidates.filter((c) => c.foreignKey.name === hint || c.foreignKey.columns.includes(hint))
    : candidates;
  if (matching.length === 1) return matching[0]!;
  if (matching.length === 0) {
    throw new PostgrestError(
      400,
      'PGRST200',
      `Could not find a relationship between '${parent}' and '${relation}' in the schema cache`,
      `Searched for a foreign key relationship between '${parent}' and '${relation}'${hint ? ` using the hint '${hint}'` : ''} in the schema 'public', but no matches were found.`,
      null,
    );
  }
  throw new PostgrestError(
    300,
    'PGRST201',
    `Could not embed because more than one relationship was found for '${parent}' and '${relation}'`,
    matching.map((c) => ({
      cardinality: c.toMany ? 'one-to-many' : 'many-to-one',
      embedding: `${parent} with ${c.table}`,
      relationship: `${c.foreignKey.name} using ${c.foreignKey.table}(${c.foreignKey.columns.join(', ')}) and ${c.foreignKey.refTable}(${c.foreignKey.refColumns.join(', ')})`,
    })),
    `Try changing '${relation}' to one of the following: ${matching.map((c) => `'${relation}!${c.foreignKey.name}'`).join(', ')}. Find the desired relationship in the 'details' key.`,
  );
}
