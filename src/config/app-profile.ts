/**
 * What differs per deployment of Marsana Fleet and what the specs need to find their way: paths, accessible
 * labels, the tables checked and how each table names its tenant. The specs read nothing else about the app,
 * so pointing them at another deployment means editing this, not the specs.
 */

export interface TableCheck {
  /** The row name in the promotion log's Smoke Test Summary. */
  row: string;
  table: string;
  /** The column that holds the corporate (tenant) id of a row. */
  tenantColumn: string;
}

export const appProfile = {
  paths: {
    login: '/login',
    dashboard: '/dashboard',
    vehicles: '/vehicles',
    health: '/api/health',
  },
  labels: {
    email: 'Email',
    password: 'Password',
    signIn: 'Sign in',
    dashboardHeading: 'Dashboard',
    vehiclesHeading: 'Vehicles',
    vehiclesTable: 'Vehicles',
    search: 'Search vehicles',
    statusFilter: 'Status',
  },
  /** Columns of the vehicles table, by header text. */
  vehicleColumns: { plate: 'Plate', status: 'Status' },
  /** `@supabase/ssr` stores the session in `sb-<project-ref>-auth-token`, chunked as `.0`, `.1`… when large. */
  sessionCookie: /^sb-[A-Za-z0-9-]+-auth-token(\.\d+)?$/,
  /** The smoke user's own row, read to learn its tenant. */
  profiles: { table: 'profiles', idColumn: 'id', tenantColumn: 'corporate_id' },
  tableChecks: [
    { row: 'Vehicles Table', table: 'vehicles', tenantColumn: 'corporate_id' },
    { row: 'Handshakes Table', table: 'handshakes', tenantColumn: 'corporate_id' },
    { row: 'Inspections Table', table: 'inspections', tenantColumn: 'corporate_id' },
    { row: 'Alerts Table', table: 'alerts', tenantColumn: 'corporate_id' },
    { row: 'Audit Logs', table: 'audit_logs', tenantColumn: 'corporate_id' },
    { row: 'Branches Table', table: 'branches', tenantColumn: 'corporate_id' },
    { row: 'Corporates Table', table: 'corporates', tenantColumn: 'id' },
  ] satisfies TableCheck[],
  /** How many rows a table check reads to verify they all belong to the smoke tenant. */
  tableSampleSize: 50,
} as const;

export type AppProfile = typeof appProfile;
