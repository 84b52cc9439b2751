/**
 * The detection matrix of the smoke suite: for every sandbox fault (sandbox/src/faults.ts), what one
 * `pnpm test:smoke` run against the faulted sandbox reports, check by check. One table, read by the proof that runs
 * it (tests/proofs/detection-matrix.test.ts) and by the generator of docs/detection.md (scripts/detection-doc.ts).
 *
 * Every row was found by running it, not by reasoning: a check listed under `fails` fails with a reason matching its
 * pattern, one under `blocked` is skipped with a reason matching its pattern (it could not run because an earlier
 * step, the smoke user's sign-in or another check's evidence, failed), and every other check of the run passes.
 * Faults the smoke suite is not meant to catch have no failing check; `caughtBy` names the suite and the proof that
 * catches them, and the proof asserts that the smoke run stays green (no false alarm).
 */

/** Every check of the smoke suite, as summary.json names them, grouped as the promotion log shows them. */
export const CHECK_GROUPS = {
  'Smoke Test Summary': [
    'Database Connection',
    'Vehicles Table',
    'Handshakes Table',
    'Inspections Table',
    'Alerts Table',
    'Audit Logs',
    'Branches Table',
    'Corporates Table',
    'API Health',
    'Authentication',
  ],
  'Deployment Verification': ['Target Configuration'],
  'Browser flows': ['Login Test', 'Vehicles List Test', 'Vehicle Details Test', 'Handshake Create Test', 'Handshake Accept Test', 'Inspection Create Test'],
  'Migration Verification': ['Schema Tables', 'RLS Policies', 'Indexes', 'Audit Triggers', 'Audit Trail', 'Data Integrity'],
  Security: ['Anonymous Access', 'Tenant Isolation', 'Refused Writes', 'Audit Log Immutable', 'Service Key Exposure', 'Security Headers'],
} as const;

export type CheckName = (typeof CHECK_GROUPS)[keyof typeof CHECK_GROUPS][number];

export const ALL_CHECKS: readonly CheckName[] = Object.values(CHECK_GROUPS).flat();

/** The browser flows: the checks an API/DB-only row leaves out. */
export const BROWSER_FLOWS: readonly CheckName[] = CHECK_GROUPS['Browser flows'];

/**
 * Which checks a row runs. `all`: the whole suite. `api-db`: every check but the six browser flows (the Smoke Test
 * Summary, Target Configuration, Migration Verification and Security, Service Key Exposure's page scan included),
 * for faults that act only in the database or on API answers the flows never read; `--grep` selects them.
 */
export const SCOPES = {
  all: { label: 'all 29 checks', grep: undefined, checks: ALL_CHECKS },
  'api-db': {
    label: 'the 23 API and database checks (no browser flow)',
    grep: 'Smoke Test Summary|Target Configuration|Migration Verification|Security',
    checks: ALL_CHECKS.filter((c) => !BROWSER_FLOWS.includes(c)),
  },
} as const;

export type Scope = keyof typeof SCOPES;

export interface MatrixRow {
  /** The fault's name in sandbox/src/faults.ts; `clean` for the run without any fault. */
  fault: string;
  /** What is switched on (SANDBOX_FAULTS syntax): the fault with its one representative value. */
  spec: string;
  scope: Scope;
  /** Why this value (for faults that take one), shown in docs/detection.md. */
  why?: string;
  /** Checks that fail, each with the pattern its reason (error, else notes) must match. */
  fails?: Partial<Record<CheckName, RegExp>>;
  /** Checks skipped because something they need failed first ("blocked: …"), with the pattern of the reason. */
  blocked?: Partial<Record<CheckName, RegExp>>;
  /**
   * The run stops before any check (exit 2, one line on stderr matching this, no summary.json): the pre-flight
   * refuses the target as misconfigured.
   */
  stopsBeforeChecks?: RegExp;
  /** For a fault the smoke suite does not catch: the suite and proof that do (or that none does, and why). */
  caughtBy?: { by: string; proof: string; detail?: string };
  /** Anything else a reader of the matrix should know about the row. */
  note?: string;
}

const SIGN_IN_BLOCKED = /^blocked: smoke user cannot sign in/;

/** The checks that need the smoke user's API sign-in (and `extra`), each blocked by its failure. */
const blockedBySignIn = (extra: string[]): Record<string, RegExp> =>
  Object.fromEntries(
    [
      'Vehicles Table', 'Handshakes Table', 'Inspections Table', 'Alerts Table', 'Audit Logs', 'Branches Table', 'Corporates Table',
      'Vehicles List Test', 'Vehicle Details Test', 'Handshake Create Test', 'Handshake Accept Test', 'Inspection Create Test',
      'Audit Trail', 'Anonymous Access', 'Tenant Isolation', 'Refused Writes', 'Audit Log Immutable', ...extra,
    ].map((check) => [check, SIGN_IN_BLOCKED]),
  );
const AUDIT_BLOCKED = /^blocked: no audit row of the smoke user's write to SYN-\d+ appeared \(see Audit Trail\)$/;

/** The table: one row per fault of the sandbox, plus the clean run. Order: as the doc shows them. */
export const MATRIX: readonly MatrixRow[] = [
  { fault: 'clean', spec: '', scope: 'all' },

  // Authentication and the API as a whole
  {
    fault: 'bad_password',
    spec: 'bad_password',
    scope: 'all',
    stopsBeforeChecks: /^test:smoke: --env=\w+: SMOKE_USER_EMAIL \/ SMOKE_USER_PASSWORD: the auth server refuses them \(400 invalid_credentials\): a wrong password, or no such user; nothing was run$/,
    note:
      'Against a named environment the pre-flight (src/run/probe-target.ts) reads refused credentials as a configuration error: exit 2, nothing run. ' +
      'On the embedded sandbox (`--env=local`, no pre-flight) Authentication and Login Test fail instead: tests/proofs/smoke-run.test.ts › bad_password.',
  },
  {
    fault: 'auth_down',
    spec: 'auth_down',
    scope: 'all',
    fails: {
      'Login Test': /^no redirect to \/dashboard \(at \/login; the page says "failure to get a peer from the ring-balancer"\)$/,
      Authentication: /^sign-in failed: 503 failure to get a peer from the ring-balancer$/,
    },
    blocked: blockedBySignIn(['Service Key Exposure']),
    note: 'Every check that needs the smoke user signed in (API or browser) is blocked by its sign-in; the catalog checks, which use SUPABASE_DB_URL, still pass.',
  },
  {
    fault: 'api_errors',
    spec: 'api_errors=100',
    scope: 'all',
    why: 'every API request answers 500: deterministic. With a lower share the counter hits whichever requests come nth, which depends on how two workers interleave, so which checks fail would change from run to run.',
    fails: {
      'Database Connection': /^database query failed: 500/,
      'API Health': /^\/api\/health answered HTTP 500$/,
      Authentication: /^sign-in failed: 500 /,
      'Login Test': /^session cookie rejected by \/auth\/v1\/user: 500 /,
    },
    blocked: blockedBySignIn([]),
    note: 'The login page signs in on the server (no API request), so the UI session exists, but the API sign-in fails and blocks everything that needs it; pages, their headers and the catalog still pass. The monitor catches a partial error rate: tests/proofs/monitor-faults.test.ts › api_errors (50 %).',
  },
  {
    fault: 'api_slow',
    spec: 'api_slow=200',
    scope: 'all',
    why: 'every request 200 ms late: the suite still runs in bounded time and must stay green. See the note for larger values.',
    caughtBy: {
      by: 'monitor: API latency trigger',
      proof: 'tests/proofs/monitor-faults.test.ts › api_slow (1000 ms)',
      detail: 'API Latency rows turn ❌ and the "API latency" rollback trigger fires. The smoke suite measures latency but judges none.',
    },
    note:
      'Larger delays do not give a deterministic smoke row: at 500 ms the Handshake Accept Test can fail on a navigation race ("Execution context was destroyed"); ' +
      "at 1000 ms the pre-flight's shared 8 s deadline (probe-target.ts) sometimes stops the run with exit 2 (\"no answer within 0.9 s\") and otherwise the run passes in about 2 minutes.",
  },
  {
    fault: 'health_down',
    spec: 'health_down',
    scope: 'api-db',
    fails: { 'API Health': /^\/api\/health answered HTTP 503$/ },
  },

  // Row-level security and the schema
  {
    fault: 'rls_hide',
    spec: 'rls_hide=vehicles',
    scope: 'all',
    why: 'the table every flow starts from: shows what a hidden table takes down with it.',
    fails: {
      'Vehicles Table': /^0 rows visible$/,
      'Vehicles List Test': /^0 rows visible in the vehicles list$/,
      'Vehicle Details Test': /^vehicle \S+ unreadable: 406 PGRST116 /,
      'Handshake Create Test': /^the smoke tenant has no vehicles \(0 rows visible\)$/,
      'Handshake Accept Test': /^the smoke tenant has no vehicles \(0 rows visible\)$/,
      'Inspection Create Test': /^the smoke tenant has no vehicles \(0 rows visible\)$/,
      'Audit Trail': /^no vehicle of the smoke tenant to change: 406 PGRST116 /,
      'Audit Log Immutable': /^no vehicle of the smoke tenant: 406 PGRST116 /,
      'Anonymous Access': /^nothing to hide in vehicles: the smoke user sees 0 rows there/,
    },
    note: 'Every failure is a true consequence: each of these checks reads the smoke tenant\'s vehicles first. Every table check alone: tests/proofs/summary-checks.test.ts.',
  },
  {
    fault: 'rls_off',
    spec: 'rls_off=vehicles',
    scope: 'all',
    fails: {
      'Vehicles Table': /^\d+ of \d+ rows belong to another tenant \(row-level security not isolating\)$/,
      'RLS Policies': /^vehicles: row-level security disabled$/,
      'Anonymous Access': /^anonymous visitors can read vehicles$/,
      'Tenant Isolation': /^the smoke user reads another tenant's rows in vehicles \(\d+\+\)$/,
      'Refused Writes': /^an anonymous insert into vehicles was accepted; the smoke user's insert into another tenant's vehicles was accepted/,
    },
    note: 'Also the monitor\'s "Security breach" trigger: tests/proofs/monitor-faults.test.ts › rls_off.',
  },
  {
    fault: 'table_missing',
    spec: 'table_missing=notifications',
    scope: 'all',
    why: 'a table no Smoke Test Summary row reads: the catalog checks and the one flow that writes it (Accept queues an email) must notice.',
    fails: {
      'Schema Tables': /^missing table: notifications$/,
      'RLS Policies': /^notifications: table missing$/,
      Indexes: /^missing index on notifications \(/,
      'Audit Triggers': /^notifications: no audit trigger/,
      'Data Integrity': /^notifications\.status outside QUEUED\/SENT\/FAILED: not checked \(relation "public\.notifications" does not exist\)$/,
      'Handshake Accept Test': /^accepting: the page says "relation "public\.notifications" does not exist"$/,
    },
    note: 'A table the API checks read fails them too: `table_missing=profiles` fails Database Connection (tests/proofs/summary-checks.test.ts).',
  },
  {
    fault: 'index_missing',
    spec: 'index_missing=vehicles',
    scope: 'api-db',
    fails: { Indexes: /^missing index on vehicles \(corporate_id\); missing index on vehicles \(branch_id\); missing index on vehicles \(status\)$/ },
  },
  {
    fault: 'audit_trigger_off',
    spec: 'audit_trigger_off=vehicles',
    scope: 'api-db',
    why: 'the table Audit Trail writes to, so the catalog check and the behavioural one must both notice.',
    fails: {
      'Audit Triggers': /^vehicles: audit trigger vehicles_audit is disabled$/,
      'Audit Trail': /^no audit row records the UPDATE of SYN-\d+ through the API/,
    },
    blocked: { 'Audit Log Immutable': AUDIT_BLOCKED },
  },
  {
    fault: 'audit_off',
    spec: 'audit_off',
    scope: 'api-db',
    fails: { 'Audit Trail': /^no audit row records the UPDATE of SYN-\d+ through the API \(its audit trigger wrote nothing\)$/ },
    blocked: { 'Audit Log Immutable': AUDIT_BLOCKED },
    note: 'Also the e2e set: tests/proofs/e2e.test.ts › Handshake Reject Test.',
  },
  {
    fault: 'audit_mutable',
    spec: 'audit_mutable',
    scope: 'api-db',
    fails: { 'Audit Log Immutable': /^the smoke user could update an audit row; the smoke user could delete an audit row$/ },
  },
  {
    fault: 'integrity_broken',
    spec: 'integrity_broken',
    scope: 'api-db',
    fails: { 'Data Integrity': /^1 vehicles without a branch$/ },
  },

  // The pages
  {
    fault: 'search_broken',
    spec: 'search_broken',
    scope: 'all',
    fails: { 'Vehicles List Test': /^search for "SYN-\d+" shows only matching vehicles/ },
  },
  {
    fault: 'filter_broken',
    spec: 'filter_broken',
    scope: 'all',
    fails: { 'Vehicles List Test': /^status filter "[A-Z_]+" shows exactly the \d+ [A-Z_]+ vehicles/ },
  },
  {
    fault: 'tab_missing',
    spec: 'tab_missing=documents',
    scope: 'all',
    why: 'the tab whose contents the Vehicle Details Test compares with the API.',
    fails: { 'Vehicle Details Test': /^tab missing: Documents$/ },
  },
  {
    fault: 'maps_auth_failure',
    spec: 'maps_auth_failure',
    scope: 'all',
    fails: { 'Vehicle Details Test': /^maps loader refused the key \(gm_authFailure called\)$/ },
  },
  {
    fault: 'hydration_delay',
    spec: 'hydration_delay=3000',
    scope: 'all',
    why: 'slow hydration a real Next.js page can have: the flows retry clicks lost before it, by design, and must stay green.',
    caughtBy: {
      by: 'no suite (tolerated by design)',
      proof: 'none; the fault itself: sandbox/src/web/pages.browser.test.ts',
      detail: 'The smoke flows click again when a click before hydration was lost, so a slow hydration is no failure.',
    },
  },
  {
    fault: 'session_expiry',
    spec: 'session_expiry=300',
    scope: 'all',
    why: 'tokens living 5 minutes, longer than a smoke run: the suite must stay green.',
    caughtBy: {
      by: 'no suite',
      proof: 'none; the fault itself: sandbox/src/testing/services-suite.ts',
      detail:
        'With a lifetime shorter than the run (5 s tried) whichever browser flows start after it fail ("session lost: /vehicles redirected to /login", ' +
        '"JWT expired"): which ones depends on timing, so that is no matrix row.',
    },
  },
  {
    fault: 'roles_ignored',
    spec: 'roles_ignored',
    scope: 'all',
    caughtBy: { by: 'e2e: Role Permissions Test', proof: 'tests/proofs/e2e.test.ts', detail: 'The smoke user is a manager, who is offered every action anyway.' },
  },
  {
    fault: 'headers_missing',
    spec: 'headers_missing',
    scope: 'api-db',
    fails: { 'Security Headers': /^missing security headers: x-content-type-options, frame-protection, referrer-policy$/ },
  },
  {
    fault: 'service_key_exposed',
    spec: 'service_key_exposed',
    scope: 'api-db',
    fails: { 'Service Key Exposure': /^the service-role key is served to the browser in \/_next\/static\/chunks\/env-config\.js$/ },
  },

  // Realtime, storage, email and the business rules
  {
    fault: 'realtime_off',
    spec: 'realtime_off',
    scope: 'all',
    fails: { 'Vehicles List Test': /^no live update: / },
  },
  {
    fault: 'realtime_slow',
    spec: 'realtime_slow=1200',
    scope: 'all',
    why: "the monitor proof's value: 1.2 s of replication lag, well inside the Vehicles List Test's 10 s wait.",
    caughtBy: {
      by: 'monitor: real-time latency trigger',
      proof: 'tests/proofs/monitor-faults.test.ts › realtime_slow',
      detail: 'Real-time Latency rows turn ❌ and the "Real-time latency" rollback trigger fires. The Vehicles List Test reports its commit-to-screen latency but judges none.',
    },
  },
  {
    fault: 'storage_denied',
    spec: 'storage_denied',
    scope: 'all',
    fails: { 'Inspection Create Test': /^saving the inspection: the page says "new row violates row-level security policy"$/ },
  },
  {
    fault: 'email_off',
    spec: 'email_off',
    scope: 'all',
    fails: { 'Handshake Accept Test': /^email "Handshake accepted for SYN-\d+" not sent: its notification is FAILED$/ },
  },
  {
    fault: 'accept_no_vehicle_status',
    spec: 'accept_no_vehicle_status',
    scope: 'all',
    fails: { 'Handshake Accept Test': /^vehicle status of SYN-\d+ is [A-Z_]+ after Accept, expected IN_TRANSIT$/ },
  },
  {
    fault: 'handshake_rules_off',
    spec: 'handshake_rules_off',
    scope: 'all',
    caughtBy: { by: 'e2e: Illegal Transition Test', proof: 'tests/proofs/e2e.test.ts', detail: 'The smoke flows make only legal transitions.' },
  },
  {
    fault: 'geofence_off',
    spec: 'geofence_off',
    scope: 'api-db',
    caughtBy: { by: 'e2e: Geofence Exit Alert Test', proof: 'tests/proofs/e2e.test.ts', detail: 'No smoke check writes a location.' },
  },
  {
    fault: 'document_expiry_off',
    spec: 'document_expiry_off',
    scope: 'api-db',
    caughtBy: { by: 'e2e: Document Expiry Alert Test', proof: 'tests/proofs/e2e.test.ts', detail: 'No smoke check writes a document.' },
  },
];

/**
 * Checks no row of the matrix fails (each fault has one representative value), and the proof that fails them.
 * The proof asserts that every other check is failed by some row.
 */
export const FAILED_ELSEWHERE: Partial<Record<CheckName, string>> = {
  'Handshakes Table': 'rls_hide=handshakes: tests/proofs/summary-checks.test.ts (every table check under rls_hide of its table)',
  'Inspections Table': 'rls_hide=inspections: tests/proofs/summary-checks.test.ts',
  'Alerts Table': 'rls_hide=alerts: tests/proofs/summary-checks.test.ts',
  'Audit Logs': 'rls_hide=audit_logs: tests/proofs/summary-checks.test.ts',
  'Branches Table': 'rls_hide=branches: tests/proofs/summary-checks.test.ts',
  'Corporates Table': 'rls_hide=corporates: tests/proofs/summary-checks.test.ts',
  'Target Configuration':
    'no fault: a missing or malformed variable stops `pnpm test:smoke` with exit 2 before any check (tests/proofs/smoke-run.test.ts); only a sharded `playwright test` run reaches this check with one',
};

/** What the matrix says of one check in one row. */
export type Outcome = { kind: 'fails'; reason: RegExp } | { kind: 'blocked'; reason: RegExp } | { kind: 'passes' } | { kind: 'not-run' };

export function outcomeOf(row: MatrixRow, check: CheckName): Outcome {
  if (row.stopsBeforeChecks || !SCOPES[row.scope].checks.includes(check)) return { kind: 'not-run' };
  const fails = row.fails?.[check];
  if (fails) return { kind: 'fails', reason: fails };
  const blocked = row.blocked?.[check];
  if (blocked) return { kind: 'blocked', reason: blocked };
  return { kind: 'passes' };
}
