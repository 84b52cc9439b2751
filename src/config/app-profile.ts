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
    handshakes: '/handshakes',
    inspections: '/inspections',
    health: '/api/health',
    /** The sandbox's mail catcher (service role only); a real deployment has none, see `email`. */
    mailCatcher: '/__sandbox/mail',
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
    vehicleTabs: 'Vehicle details',
    documentsTable: 'Documents',
    map: 'Map',
    /** What Google's loader writes over a map whose key it refused. */
    mapsErrorText: "can't load Google Maps correctly",
    handshakesHeading: 'Handshakes',
    handshakesTable: 'Handshakes',
    createHandshake: 'Create Handshake',
    handshakeForm: 'Create handshake',
    handshakeVehicle: 'Vehicle',
    handshakeToBranch: 'To branch',
    handshakeNotes: 'Notes',
    handshakeSubmit: 'Create',
    /** The accept button of a pending handshake: "Accept <plate>". */
    acceptHandshake: (plate: string) => `Accept ${plate}`,
    inspectionsHeading: 'Inspections',
    inspectionsTable: 'Inspections',
    createInspection: 'Create Inspection',
    inspectionForm: 'Create inspection',
    inspectionVehicle: 'Vehicle',
    inspectionPhoto: 'Photo',
    inspectionPass: 'Pass',
    inspectionNotes: 'Notes',
    inspectionSubmit: 'Save inspection',
  },
  /**
   * What the deeper e2e set (tests/e2e, `pnpm test:e2e`) finds its way by, beside the labels above. Texts are what
   * the app shows; `illegalTransition` and `documentExpiring` are matched as parts of the page's own message.
   */
  e2e: {
    /** The login page's alert for a wrong password (GoTrue's message). */
    wrongPasswordAlert: 'Invalid login credentials',
    /** The reject button of a pending handshake: "Reject <plate>". */
    rejectHandshake: (plate: string) => `Reject ${plate}`,
    /** The database's refusal of a status change the handshake rules forbid, as the page shows it. */
    illegalTransition: /illegal handshake transition/i,
    inspectionDamage: 'Damage',
    inspectionServiceDue: 'Service due',
    /** Subject of the email to admins and managers when an inspection finds damage. */
    damageEmailSubject: (plate: string) => `Damage reported on ${plate}`,
    alertKinds: { damage: 'DAMAGE_REPORTED', geofence: 'GEOFENCE_EXIT', documentExpiry: 'DOCUMENT_EXPIRY', serviceDue: 'SERVICE_DUE' },
    /** How long an alert, email or live update may take to show up (raised by triggers, jobs or Realtime). */
    waitMs: 10_000,
    documentsTab: 'Documents',
    historyTab: 'History',
    historyTable: 'History',
    /** Columns of the vehicle's History table (the audit trail), by header text. */
    historyColumns: { action: 'Action', record: 'Record', by: 'By', changed: 'Changed' },
    /** Columns of the Documents table, by header text; a document expiring soon says so in State. */
    documentColumns: { number: 'Number', expires: 'Expires', state: 'State' },
    documentExpiring: /^Expires in \d+ days?$/,
    /** The vehicles table says its live channel has joined with this attribute and value. */
    liveList: { attribute: 'data-live', joined: 'SUBSCRIBED' },
    /**
     * What each role is offered in the pages. Users of every role are created in the synthetic tenant for the run
     * (auth admin, service-role key), signed in through the login page, and must see exactly these.
     */
    rolePermissions: {
      admin: { createHandshake: true, decideHandshake: true, createInspection: true },
      manager: { createHandshake: true, decideHandshake: true, createInspection: true },
      inspector: { createHandshake: false, decideHandshake: false, createInspection: true },
      driver: { createHandshake: false, decideHandshake: false, createInspection: false },
    } as Record<string, { createHandshake: boolean; decideHandshake: boolean; createInspection: boolean }>,
  },
  /** The vehicle details page's tabs, in order; every one must be there. */
  vehicleTabs: ['Overview', 'Documents', 'Maps', 'Inspections', 'History'],
  /** The checklist items of the inspection form (checkbox labels), all ticked by the smoke flow. */
  inspectionChecklist: ['Tyres', 'Brakes', 'Lights', 'Bodywork', 'Fluids'],
  /** Columns of the handshakes table, by header text. */
  handshakeColumns: { vehicle: 'Vehicle', to: 'To', status: 'Status' },
  /** How long the Maps tab must stay quiet after the map appears (Google checks the key after drawing). */
  mapsSettleMs: 1_500,
  /** Storage bucket of inspection photos; objects are `<corporate>/<vehicle>/<file>`. */
  inspectionPhotosBucket: 'inspection-photos',
  /**
   * How the Handshake Accept flow proves the email went out: `catcher` reads the sandbox's mail catcher with
   * the service-role key; `notification` waits for the notifications row to say SENT. `auto` (default) uses
   * the catcher when a service-role key is set. `SMOKE_EMAIL_CHECK=catcher|notification` overrides it.
   */
  email: { check: 'auto' as 'auto' | 'catcher' | 'notification', subject: (plate: string) => `Handshake accepted for ${plate}`, waitMs: 10_000 },
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
  /** The security smoke (tests/smoke/security.spec.ts). */
  security: {
    /** Pages fetched, signed in, with every script they load, and searched for the service-role key. */
    scannedPages: ['/login', '/dashboard', '/vehicles', '/handshakes', '/inspections'],
    /**
     * Response headers of the login page. `required` ones fail the check when absent (HSTS only over https);
     * the others are reported. Frame protection is either header: `x-frame-options` or CSP `frame-ancestors`.
     */
    headers: {
      required: ['x-content-type-options', 'frame-protection', 'strict-transport-security', 'referrer-policy'],
      reported: ['content-security-policy', 'permissions-policy'],
    },
  },
} as const;

export type AppProfile = typeof appProfile;
