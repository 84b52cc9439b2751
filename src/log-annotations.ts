/**
 * How a test tells the promotion-log reporter where its result goes and what it measured.
 *
 * Specs add an annotation naming their place in the log, and attach one JSON measurement; the reporter reads
 * both back from the test results. Both travel through Playwright's blob reports, so sharded runs merged
 * with `merge-reports` keep them.
 */
import type { LogPlace } from './results.ts';

export const LOG_PLACE_ANNOTATION = 'promotion-log';
export const MEASUREMENT_ATTACHMENT = 'check-measurement';

export interface Measurement {
  /** The check's own timing in ms (the query, the page flow), excluding fixture set-up. */
  durationMs: number;
  /** One line of evidence ("12 rows visible, all of the smoke tenant"). */
  notes: string;
}

export function summaryRow(row: string): { type: string; description: string } {
  return { type: LOG_PLACE_ANNOTATION, description: `summary-row:${row}` };
}

export function testSection(heading: string): { type: string; description: string } {
  return { type: LOG_PLACE_ANNOTATION, description: `test-section:${heading}` };
}

export function parseLogPlace(description: string | undefined): LogPlace | undefined {
  if (!description) return undefined;
  const colon = description.indexOf(':');
  if (colon < 0) return undefined;
  const kind = description.slice(0, colon);
  const name = description.slice(colon + 1).trim();
  if (!name) return undefined;
  if (kind === 'summary-row') return { kind: 'summary-row', row: name };
  if (kind === 'test-section') return { kind: 'test-section', heading: name };
  return undefined;
}
