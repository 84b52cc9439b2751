/** Quotes an SQL identifier; every table and column name that reaches SQL text goes through here. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes('\u0000')) throw new Error(`invalid identifier ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."table"` */
export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}
