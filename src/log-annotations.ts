/**
 * How a test tells the promotion-log reporter where its result goes and what it measured.
 *
 * Specs add annotations naming their place in the log and the verification checkboxes they stand for, and attach
 * one JSON measurement; the reporter reads them back from the test results. All of it travels through
 * Playwright's blob reports, so sharded runs merged with `merge-reports` keep it.
 *
 * Annotation descriptions (type `promotion-log`):
 * - `summary-row:<row name>`: a row of the Smoke Test Summary table;
 * - `test-section:<heading>`: a test section under Smoke Tests (and its row in the summary table);
 * - `verifies:<section heading>/<checkbox text>`: a checkbox ticked only when every check claiming it passed.
 */
import type { CheckboxClaim, ListDetails, LogPlace } from './results.ts';

export const LOG_PLACE_ANNOTATION = 'promotion-log';
export const MEASUREMENT_ATTACHMENT = 'check-measurement';

export interface Measurement {
  /** The check's own timing in ms (the query, the page flow), excluding fixture set-up. */
  durationMs: number;
  /** One line of evidence ("12 rows visible, all of the smoke tenant"). */
  notes: string;
  /** Individual latencies when the check timed several requests. */
  samplesMs?: number[];
  /** Values for the log's detail lists (see migrationDetails). */
  details?: ListDetails[];
}

export type LogAnnotation = { type: string; description: string };

export function summaryRow(row: string): LogAnnotation {
  return { type: LOG_PLACE_ANNOTATION, description: `summary-row:${row}` };
}

export function testSection(heading: string): LogAnnotation {
  return { type: LOG_PLACE_ANNOTATION, description: `test-section:${heading}` };
}

export function verifies(section: string, item: string): LogAnnotation {
  return { type: LOG_PLACE_ANNOTATION, description: `verifies:${section}/${item}` };
}

/** The checkboxes of the promotion log that the suite's checks can stand for. */
export const CHECKBOX = {
  productionUrl: verifies('Deployment Verification', 'Production URL accessible'),
  apiEndpoints: verifies('Deployment Verification', 'API endpoints responding'),
  databaseConnection: verifies('Deployment Verification', 'Database connection working'),
  realtime: verifies('Deployment Verification', 'Real-time subscriptions active'),
  environmentVariables: verifies('Deployment Verification', 'Environment variables set'),
  migrationsApplied: verifies('Migration Verification', 'Migrations applied without errors'),
  tablesPresent: verifies('Migration Verification', 'All tables present'),
  rlsEnforced: verifies('Migration Verification', 'RLS policies enforced'),
  indexesCreated: verifies('Migration Verification', 'Indexes created'),
  auditTriggers: verifies('Migration Verification', 'Audit triggers active'),
  dataIntegrity: verifies('Migration Verification', 'Data integrity verified'),
} as const;

export type ParsedAnnotation = { kind: 'place'; place: LogPlace } | { kind: 'verifies'; claim: CheckboxClaim };

export function parseLogAnnotation(description: string | undefined): ParsedAnnotation | undefined {
  if (!description) return undefined;
  const colon = description.indexOf(':');
  if (colon < 0) return undefined;
  const kind = description.slice(0, colon);
  const name = description.slice(colon + 1).trim();
  if (!name) return undefined;
  if (kind === 'summary-row') return { kind: 'place', place: { kind: 'summary-row', row: name } };
  if (kind === 'test-section') return { kind: 'place', place: { kind: 'test-section', heading: name } };
  if (kind === 'verifies') {
    const slash = name.indexOf('/');
    const section = name.slice(0, slash).trim();
    const item = name.slice(slash + 1).trim();
    return slash > 0 && section && item ? { kind: 'verifies', claim: { section, item } } : undefined;
  }
  return undefined;
}

export function parseLogPlace(description: string | undefined): LogPlace | undefined {
  const parsed = parseLogAnnotation(description);
  return parsed?.kind === 'place' ? parsed.place : undefined;
}

/** What a catalog check found in the database, for section 4's Migration Details. */
export interface CatalogFindings {
  tables: string[];
  policies: string[];
  indexes: string[];
  triggers: string[];
}

const DETAIL_NAMES = 6;

/** The Migration Details item of what one catalog check found (the check's label → "N found: a, b, …"). */
export const MIGRATION_DETAIL_ITEMS = {
  tables: 'Tables Created/Updated',
  policies: 'RLS Policies',
  indexes: 'Indexes',
  triggers: 'Audit Triggers',
} as const satisfies Record<keyof CatalogFindings, string>;

/** One item of section 4's "Migration Details": a count, then the first names. */
export function migrationDetail(kind: keyof CatalogFindings, names: string[]): ListDetails {
  const sorted = [...new Set(names)].sort();
  const shown = sorted.slice(0, DETAIL_NAMES).join(', ');
  const text = sorted.length === 0 ? 'none found' : `${sorted.length} found: ${shown}${sorted.length > DETAIL_NAMES ? `, … (+${sorted.length - DETAIL_NAMES} more)` : ''}`;
  return { list: 'Migration Details', items: { [MIGRATION_DETAIL_ITEMS[kind]]: text } };
}

/** Section 4's whole "Migration Details" list from what the catalog checks found. */
export function migrationDetails(found: CatalogFindings): ListDetails {
  const kinds = Object.keys(MIGRATION_DETAIL_ITEMS) as (keyof CatalogFindings)[];
  return { list: 'Migration Details', items: Object.assign({}, ...kinds.map((k) => migrationDetail(k, found[k]).items)) };
}
