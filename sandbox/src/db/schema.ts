import { readFileSync } from 'node:fs';
import { AUDITED_TABLES } from './tables.ts';

/** The triggers every mutable table gets: updated_at upkeep and the audit trail. */
function triggerSql(): string {
  return AUDITED_TABLES.map(
    (table) => `
create trigger ${table}_touch_updated_at before update on public.${table}
  for each row execute function public.touch_updated_at();
create trigger ${table}_audit after insert or update or delete on public.${table}
  for each row execute function public.write_audit_log();`,
  ).join('\n');
}

/** The script that creates a new database's schema (tables, functions, triggers, grants). */
export function schemaSql(): string {
  return readFileSync(new URL('./schema.sql', import.meta.url), 'utf8') + triggerSql();
}
