/** The twelve tables of Marsana Fleet's public schema, in dependency order (a table only references earlier ones). */
export const PUBLIC_TABLES = [
  'corporates',
  'branches',
  'profiles',
  'vehicles',
  'vehicle_documents',
  'vehicle_locations',
  'geofences',
  'handshakes',
  'inspections',
  'alerts',
  'notifications',
  'audit_logs',
] as const;
export type PublicTable = (typeof PUBLIC_TABLES)[number];

export function isPublicTable(name: string): name is PublicTable {
  return (PUBLIC_TABLES as readonly string[]).includes(name);
}

/** Tables whose changes the audit trigger records: all but the audit log itself. */
export const AUDITED_TABLES = PUBLIC_TABLES.filter((table) => table !== 'audit_logs');
