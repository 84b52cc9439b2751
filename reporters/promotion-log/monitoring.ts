/**
 * Sections 6 (Monitoring) and 7 (Rollback Readiness) of the promotion log: what the monitor writes, as pure
 * functions from (log text, update) to new text, like the smoke renderer. The monitor calls
 * `writeMonitoringUpdate` (monitoring-writer.ts) once per measurement; that takes the log's lock.
 *
 * Owned places:
 * - in a monitoring table (the first table under a heading such as "Error Rate Monitoring"): the cells of the row
 *   whose Time cell names the measurement ("10 min"); a row the table lacks is added in time order;
 * - that subsection's `**Issues**:` value and `**Chart**:` link, when given;
 * - the checkboxes under "Rollback Triggers" that the update evaluates: ticked when fired, cleared when not;
 *   triggers it does not mention are left alone;
 * - `**Rollback Status**:` (from the fired triggers unless the update says otherwise);
 * - the last `**Last Updated**:`.
 */
import type { TableRow } from 'mdast';
import {
  cellText,
  checkboxes,
  checkboxMatches,
  columnKeys,
  findFields,
  findSection,
  finish,
  lastUpdated,
  markdownLink,
  normalizeTitle,
  oneLine,
  parseDoc,
  plainText,
  rebuildRow,
  setCheckbox,
  setField,
  setOrAddField,
  span,
  tables,
  type Checkbox,
  type Doc,
  type Edit,
  type RenderOutput,
} from './markdown.ts';

export interface MonitoringRow {
  /** The heading of the monitoring table: "Error Rate Monitoring", "API Latency Monitoring", … */
  table: string;
  /** The row's first (Time) cell: "10 min". */
  time: string;
  /** Column header → cell text, e.g. { "Error Rate": "0.02%", Status: "✅", Notes: "3 of 15 000 requests" }. */
  cells: Record<string, string>;
}

export interface RollbackTrigger {
  /** The checkbox text under "Rollback Triggers", e.g. "Error rate > 1%" (matched loosely). */
  trigger: string;
  fired: boolean;
}

export interface MonitoringUpdate {
  rows?: MonitoringRow[];
  /** Monitoring heading → its `**Issues**:` value. */
  issues?: Record<string, string>;
  /** Monitoring heading → link to its chart, relative to the log. */
  charts?: Record<string, string>;
  rollback?: {
    triggers: RollbackTrigger[];
    /** Overrides the Rollback Status computed from the fired triggers. */
    status?: string;
  };
}

export function renderMonitoring(input: string, update: MonitoringUpdate, now: Date): RenderOutput {
  const doc = parseDoc(input);
  const warnings: string[] = [];
  const edits: Edit[] = [];
  for (const row of update.rows ?? []) edits.push(...monitoringRow(doc, row, warnings));
  for (const [heading, value] of Object.entries(update.issues ?? {})) {
    const section = findSection(doc.root.children, heading);
    const field = section && findFields(doc.text, section.nodes, 'Issues')[0];
    if (field) edits.push(setField(field, oneLine(value)));
    else warnings.push(`no "**Issues**:" line under "${heading}"; its issues were not written`);
  }
  for (const [heading, link] of Object.entries(update.charts ?? {})) {
    const section = findSection(doc.root.children, heading);
    const table = section && tables(section.nodes)[0];
    if (section && table) edits.push(setOrAddField(doc, section.nodes, 'Chart', markdownLink(link, heading), table));
    else warnings.push(`no table under "${heading}"; its chart was not linked`);
  }
  if (update.rollback) edits.push(...rollback(doc, update.rollback, warnings));
  edits.push(...lastUpdated(doc, now, warnings));
  return { text: finish(doc, edits), warnings };
}

/** Writes one monitoring row; the other cells of the row, and every other row, stay as written. */
export function renderMonitoringRow(input: string, row: MonitoringRow, now: Date): RenderOutput {
  return renderMonitoring(input, { rows: [row] }, now);
}

/** Ticks the fired rollback triggers, clears the evaluated ones that did not fire, sets Rollback Status. */
export function renderRollback(input: string, triggers: RollbackTrigger[], now: Date, status?: string): RenderOutput {
  return renderMonitoring(input, { rollback: { triggers, status } }, now);
}

// ---------------------------------------------------------------------------------------------------------------

function monitoringRow(doc: Doc, row: MonitoringRow, warnings: string[]): Edit[] {
  const section = findSection(doc.root.children, row.table);
  const table = section && tables(section.nodes)[0];
  if (!table) {
    warnings.push(`monitoring table "${row.table}" not found; the ${row.time} row was not written`);
    return [];
  }
  const columns = columnKeys(table);
  const cells = new Map<number, string>();
  for (const [name, value] of Object.entries(row.cells)) {
    const index = columns.indexOf(normalizeTitle(name));
    if (index <= 0) warnings.push(`"${row.table}" has no "${name}" column; that value was not written`);
    else cells.set(index, cellText(value));
  }
  const body = table.children.slice(1);
  const existing = body.find((r) => sameTime(timeCell(r), row.time));
  if (existing) return [{ ...span(existing), text: rebuildRow(doc.text, existing, cells, columns.length) }];

  cells.set(0, cellText(row.time));
  const line = rebuildRow('', { type: 'tableRow', children: [] }, cells, columns.length);
  warnings.push(`"${row.table}" has no "${row.time}" row; added it`);
  const minutes = toMinutes(row.time);
  const after = minutes === undefined ? undefined : body.find((r) => (toMinutes(timeCell(r)) ?? -Infinity) > minutes);
  if (after) return [{ start: span(after).start, end: span(after).start, text: line + doc.eol }];
  const end = span(table.children.at(-1)!).end;
  return [{ start: end, end, text: doc.eol + line }];
}

function timeCell(row: TableRow): string {
  const first = row.children[0];
  return first ? plainText(first).replace(/\s+/g, ' ').trim().toLowerCase() : '';
}

/** "10 min", "10min", "10 minutes" and "10m" are one time; other labels compare as text. */
function sameTime(cell: string, time: string): boolean {
  const a = toMinutes(cell);
  const b = toMinutes(time);
  return a !== undefined && b !== undefined ? a === b : cell === time.replace(/\s+/g, ' ').trim().toLowerCase();
}

function toMinutes(label: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(m|min|mins|minutes?|h|hours?)?\s*$/i.exec(label);
  if (!m) return undefined;
  const n = Number(m[1]);
  return /^h/i.test(m[2] ?? '') ? n * 60 : n;
}

// ---------------------------------------------------------------------------------------------------------------

export interface TableSeries {
  /** The table's "**Target**:" in ms, when it names one ("< 500ms (p95)"). */
  targetMs?: number;
  /** Time cell → the Latency cell in ms (null for a row not measured yet). */
  points: Array<{ x: string; ms: number | null }>;
}

/**
 * The latency column of a monitoring table as written in the log, for its chart: so the chart always shows
 * what the log says, whichever run of the monitor wrote which row. Undefined when the table has no Latency column.
 */
export function latencySeries(input: string, heading: string): TableSeries | undefined {
  const doc = parseDoc(input);
  const section = findSection(doc.root.children, heading);
  const table = section && tables(section.nodes)[0];
  if (!section || !table) return undefined;
  const column = columnKeys(table).indexOf('latency');
  if (column <= 0) return undefined;
  const points = table.children.slice(1).map((row) => {
    const cell = row.children[column];
    return { x: plainText(row.children[0] ?? row).trim(), ms: cell ? toMs(plainText(cell)) : null };
  });
  const target = findFields(doc.text, section.nodes, 'Target')[0];
  const targetMs = target ? toMs(target.value) : null;
  return { points, ...(targetMs !== null && { targetMs }) };
}

function toMs(text: string): number | null {
  const m = /(\d+(?:\.\d+)?)\s*(ms|s)\b/i.exec(text);
  if (!m) return null;
  return m[2]!.toLowerCase() === 's' ? Number(m[1]) * 1000 : Number(m[1]);
}

// ---------------------------------------------------------------------------------------------------------------

function rollback(doc: Doc, update: NonNullable<MonitoringUpdate['rollback']>, warnings: string[]): Edit[] {
  const edits: Edit[] = [];
  const section = findSection(doc.root.children, 'Rollback Triggers');
  const boxes = section ? checkboxes(doc.text, section.nodes) : [];
  if (!section) warnings.push('no "Rollback Triggers" section; the triggers were not written');
  const fired: Array<{ trigger: string; critical: boolean }> = [];
  for (const t of update.triggers) {
    const found = boxes.filter((b) => checkboxMatches(b.label, t.trigger));
    if (section && found.length === 0) warnings.push(`no "${t.trigger}" checkbox under "Rollback Triggers"; it was not written`);
    for (const box of found) {
      const edit = setCheckbox(box, t.fired);
      if (edit) edits.push(edit);
    }
    if (t.fired) fired.push({ trigger: t.trigger, critical: found.some((b) => isCritical(doc, section!.nodes, b)) });
  }
  const field = findFields(doc.text, doc.root.children, 'Rollback Status')[0];
  if (field) edits.push(setField(field, update.status ?? rollbackStatus(fired)));
  else warnings.push('no "**Rollback Status**:" line; the rollback status was not written');
  return edits;
}

/** A trigger is critical when the paragraph that introduces its list says so ("**Critical Issues** (Immediate Rollback):"). */
function isCritical(doc: Doc, nodes: Doc['root']['children'], box: Checkbox): boolean {
  const index = nodes.indexOf(box.list);
  const intro = index > 0 ? nodes[index - 1] : undefined;
  return intro?.type === 'paragraph' && /critical|immediate/i.test(plainText(intro));
}

function rollbackStatus(fired: Array<{ trigger: string; critical: boolean }>): string {
  const critical = fired.filter((f) => f.critical).map((f) => f.trigger);
  if (critical.length) return `🔴 ROLLBACK REQUIRED (${critical.join('; ')})`;
  if (fired.length) return `⚠️ EVALUATE ROLLBACK (${fired.map((f) => f.trigger).join('; ')})`;
  return '✅ READY';
}
