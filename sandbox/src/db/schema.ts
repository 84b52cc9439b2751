import { createHash } from 'node:crypto';
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
  return sqlFile('switchboard.sql') + sqlFile('schema.sql') + sqlFile('audit.sql') + triggerSql();
}

const sqlFile = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');

/** Tables whose changes Realtime publishes: every mutable table (the audit log would only double the traffic). */
export const REALTIME_TABLES = AUDITED_TABLES;

/** Business rules, Realtime capture, Storage and the fault switchboard; safe to run again (see domain.sql). */
export function domainSql(): string {
  const capture = REALTIME_TABLES.map(
    (table) => `
drop trigger if exists ${table}_realtime on public.${table};
create trigger ${table}_realtime after insert or update or delete on public.${table}
  for each row execute function realtime.capture_change();`,
  ).join('\n');
  return sqlFile('switchboard.sql') + sqlFile('audit.sql') + sqlFile('domain.sql') + capture;
}

/** Identifies a version of domainSql(): a database records the one it has. */
export function domainVersion(): string {
  return createHash('sha256').update(domainSql()).digest('hex').slice(0, 16);
}
