/**
 * The schema Marsana Fleet's migrations must leave behind, as the team writes it down: `config/schema-manifest.json`
 * (or the file SMOKE_SCHEMA_MANIFEST names). Migration Verification compares the database with it; nothing about
 * the expected schema is written in the specs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.ts';

export const DEFAULT_MANIFEST = path.resolve(import.meta.dirname, '../../config/schema-manifest.json');

// Names reach SQL quoted, but a name that is no plain identifier is almost always a typo in the manifest.
const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*$/, 'must be a plain SQL name (letters, digits, _)');
const column = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$]*$/, 'must be table.column');

const manifestSchema = z
  .object({
    $comment: z.string().optional(),
    schema: name.default('public'),
    tables: z.array(name).min(1, 'must list at least one table'),
    indexes: z.array(z.object({ table: name, columns: z.array(name).min(1, 'must name at least one column'), name: name.optional() }).strict()),
    audit: z
      .object({
        table: name,
        triggerFunction: name,
        tables: z.array(name).min(1, 'must list at least one audited table'),
        columns: z
          .object({ actor: name, action: name, table: name, record: name, oldRow: name, newRow: name })
          .strict(),
      })
      .strict(),
    integrity: z
      .object({
        references: z.array(z.object({ from: column, to: column, label: z.string().min(1).optional() }).strict()),
        allowedValues: z.array(z.object({ column, values: z.array(z.string()).min(1, 'must list at least one value'), label: z.string().min(1).optional() }).strict()),
      })
      .strict(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const known = new Set(m.tables);
    const unknown = (where: (string | number)[], table: string) =>
      known.has(table) || ctx.addIssue({ code: 'custom', path: where, message: `names table "${table}", which is not in tables` });
    m.indexes.forEach((index, i) => unknown(['indexes', i, 'table'], index.table));
    unknown(['audit', 'table'], m.audit.table);
    m.audit.tables.forEach((table, i) => unknown(['audit', 'tables', i], table));
    m.integrity.references.forEach((r, i) => {
      unknown(['integrity', 'references', i, 'from'], r.from.split('.')[0]!);
      unknown(['integrity', 'references', i, 'to'], r.to.split('.')[0]!);
    });
    m.integrity.allowedValues.forEach((v, i) => unknown(['integrity', 'allowedValues', i, 'column'], v.column.split('.')[0]!));
  });

export type SchemaManifest = z.infer<typeof manifestSchema>;

/** Validates a parsed manifest; the error names the file, the field and the rule, one line. */
export function parseSchemaManifest(value: unknown, source: string): SchemaManifest {
  const result = manifestSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(top level)'} ${i.message}`);
  throw new UsageError(`schema manifest ${source}: ${problems.join('; ')}`);
}

/** Reads the manifest: `file` (relative to `cwd`), else the project's config/schema-manifest.json. */
export function loadSchemaManifest(file: string | undefined, cwd = process.cwd()): SchemaManifest {
  const where = file ? path.resolve(cwd, file) : DEFAULT_MANIFEST;
  const shown = path.relative(cwd, where) || where;
  let text: string;
  try {
    text = readFileSync(where, 'utf8');
  } catch (e) {
    throw new UsageError(`schema manifest ${shown}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`schema manifest ${shown}: not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  return parseSchemaManifest(parsed, shown);
}

/** "table.column" → its two parts. */
export function splitColumn(ref: string): { table: string; column: string } {
  const [table, column] = ref.split('.') as [string, string];
  return { table, column };
}
