import { PUBLIC_TABLES, type PublicTable } from './tables.ts';

type Command = 'select' | 'insert' | 'update' | 'delete';

/** Which commands each table allows its tenant's users, and the expression that says "a row of my tenant". */
const TENANT_ROW = 'corporate_id = public.current_corporate_id()';
const POLICIES: Record<PublicTable, { rowIsMine: string; commands: readonly Command[] }> = {
  corporates: { rowIsMine: 'id = public.current_corporate_id()', commands: ['select', 'update'] },
  branches: { rowIsMine: TENANT_ROW, commands: ['select', 'insert', 'update', 'delete'] },
  // Profiles are created by the sign-up trigger (security definer), never directly by users.
  profiles: { rowIsMine: TENANT_ROW, commands: ['select', 'update'] },
  vehicles: { rowIsMine: TENANT_ROW, commands: ['select', 'insert', 'update', 'delete'] },
  vehicle_documents: { rowIsMine: TENANT_ROW, commands: ['select', 'insert', 'update', 'delete'] },
  vehicle_locations: { rowIsMine: TENANT_ROW, commands: ['select', 'insert', 'update', 'delete'] },
  geofences: { rowIsMine: TENANT_ROW, commands: ['select', 'insert', 'update', 'delete'] },
  handshakes: { rowIsMine: TENANT_ROW, commands: ['select', 'insert', 'update', 'delete'] },
  inspections: { rowIsMine: TENANT_ROW, commands: ['select', 'insert', 'update', 'delete'] },
  alerts: { rowIsMine: TENANT_ROW, commands: ['select', 'insert', 'update', 'delete'] },
  notifications: { rowIsMine: TENANT_ROW, commands: ['select', 'insert', 'update', 'delete'] },
  // The audit trail is read-only for users: only the audit trigger (security definer) writes it.
  audit_logs: { rowIsMine: TENANT_ROW, commands: ['select'] },
};

export function policyName(table: PublicTable, command: Command): string {
  return `${table}_${command}`;
}

function policySql(table: PublicTable, command: Command, rowIsMine: string): string {
  const clause =
    command === 'insert' ? `with check (${rowIsMine})`
    : command === 'update' ? `using (${rowIsMine}) with check (${rowIsMine})`
    : `using (${rowIsMine})`;
  return `create policy ${policyName(table, command)} on public.${table} for ${command} to authenticated ${clause};`;
}

/**
 * A policy letting the tenant's users run `command` on their own rows of `table`, whether or not POLICIES grants
 * it (fault audit_mutable adds those the audit log must not have). rowLevelSecuritySql() drops it again.
 */
export function tenantPolicySql(table: PublicTable, command: Command): string {
  return policySql(table, command, POLICIES[table].rowIsMine);
}

/**
 * Row-level security for every table, written so that it can run again on a database that already has it: faults
 * drop policies, and a PostgreSQL database outlives the run that created it, so every start re-applies this.
 */
export function rowLevelSecuritySql(): string {
  const statements: string[] = [];
  for (const table of PUBLIC_TABLES) {
    const { rowIsMine, commands } = POLICIES[table];
    statements.push(`alter table public.${table} enable row level security;`);
    for (const command of ['select', 'insert', 'update', 'delete'] as const) {
      statements.push(`drop policy if exists ${policyName(table, command)} on public.${table};`);
      if (commands.includes(command)) statements.push(policySql(table, command, rowIsMine));
    }
  }
  return statements.join('\n');
}
