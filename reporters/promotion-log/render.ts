/**
 * Writes one smoke run into a promotion log: a pure function from (log text, results) to new log text.
 *
 * The log belongs to the team, so the text is never re-serialised from the syntax tree: mdast is only used to
 * find the places the reporter owns (by node offsets), and replacements are spliced into the original string
 * (markdown.ts). Every other byte, line endings and trailing spaces included, comes out as it went in.
 *
 * Owned places:
 * - section 5 ("Smoke Tests"): `**Timestamp**:`; per test section (h3 under Smoke Tests) `**Status**:`, the
 *   fenced block after `**Actual Result**:`, `**Screenshot**:`; the "Smoke Test Summary" table's rows of this
 *   run's checks and flows, and its Total row; `**Duration Chart**:` after that table; `**Overall Status**:`.
 * - sections 3 and 4: the checkboxes this run's checks claim (`verifies:` annotations), ticked only when every
 *   check claiming one passed and cleared otherwise; boxes nobody claims are left alone. The items of detail
 *   lists such as "**Migration Details**:" that a check measured.
 * - the last `**Last Updated**:` value of the document.
 *
 * Counting rules:
 * - Total row: `<passed+flaky>/<rows of this run>`; skipped and failed checks are not passed. Icon ❌ when any
 *   failed, else ⚠️ when any flaky, else ✅ (skips alone keep ✅ and are named in the notes).
 * - Overall Status, over every check: ❌ FAILED when any failed; ⚠️ INTERRUPTED when the run was stopped
 *   before every check ran; ⚠️ NO CHECKS RAN when none passed (all skipped, or no checks); ⚠️ PASSED WITH FLAKY
 *   CHECKS when any flaky; else ✅ PASSED. Skips never fail the run but are named.
 */
import type { Nodes, RootContent, Table, TableRow } from 'mdast';
import { STATUS_ICON, STATUS_LABEL, type CheckResult, type CheckStatus, type RunResults } from '../../src/results.ts';
import {
  cellSource,
  cellText,
  checkboxes,
  checkboxMatches,
  findFields,
  findSection,
  findSubsection,
  finish,
  formatDuration,
  formatUtc,
  lastUpdated,
  markdownLink,
  NotAPromotionLogError,
  normalizeTitle,
  oneLine,
  parseDoc,
  plainText,
  plural,
  rowKey,
  setCheckbox,
  setField,
  setOrAddField,
  span,
  tables,
  type Doc,
  type Edit,
  type RenderOutput,
  type Section,
} from './markdown.ts';

export { formatDuration, formatUtc, NotAPromotionLogError, type RenderOutput } from './markdown.ts';

export interface RenderOptions {
  now: Date;
  /** Check name → link to its screenshot, relative to the log file. */
  screenshotLinks: Map<string, string>;
  /** Link to the per-check durations chart, relative to the log file. */
  chartLink?: string;
}

const SMOKE_TESTS = 'smoke tests';
const SUMMARY = 'smoke test summary';

export function renderPromotionLog(input: string, results: RunResults, opts: RenderOptions): RenderOutput {
  const log = parseLog(input);
  const { doc } = log;
  const text = doc.text;
  const eol = doc.eol;
  const warnings: string[] = [];
  const edits: Edit[] = [];
  const checks = dedupe(results.checks, warnings);

  const timestamp = findFields(text, log.smoke?.nodes ?? [], 'Timestamp')[0];
  if (timestamp) edits.push(setField(timestamp, formatUtc(results.startedAt, true)));
  else warnings.push('no "**Timestamp**:" line under "Smoke Tests"; the run time was not written');

  for (const check of checks) {
    if (check.place?.kind !== 'test-section') continue;
    const section = log.smoke && findSubsection(log.smoke, check.place.heading);
    if (!section) {
      warnings.push(`test section "${check.place.heading}" not found under "Smoke Tests"; its result was not written`);
      continue;
    }
    edits.push(...renderTestSection(text, section, check, results, opts, eol, warnings));
  }

  // Every check and flow with a place has a row: the table is the run at a glance.
  const rows = checks.filter((c) => c.place);
  const table = log.summary && tables(log.summary.nodes)[0];
  if (table && log.summary) {
    edits.push(...renderSummaryTable(text, table, rows, eol, warnings));
    if (opts.chartLink) edits.push(setOrAddField(doc, log.summary.nodes, 'Duration Chart', markdownLink(opts.chartLink, 'Smoke check durations'), table));
  } else if (rows.length > 0) {
    warnings.push(`"Smoke Test Summary" table not found; ${rows.length} row result(s) not written: ${names(rows)}`);
  }

  // Under Smoke Tests, else beside the summary table when the team moved it out of that section.
  const overall = [log.smoke, log.summary].flatMap((sec) => findFields(text, sec?.nodes ?? [], 'Overall Status'))[0];
  if (overall) edits.push(setField(overall, overallStatus(checks, results.interrupted)));
  else warnings.push('no "**Overall Status**:" line under "Smoke Tests"; the overall status was not written');

  edits.push(...renderCheckboxes(doc, checks, warnings));
  edits.push(...renderDetails(doc, checks, warnings));
  edits.push(...lastUpdated(doc, opts.now, warnings));

  return { text: finish(doc, edits), warnings };
}

/** Throws NotAPromotionLogError unless `text` has the places the reporter writes into. */
export function assertPromotionLog(text: string): void {
  parseLog(text);
}

/** The value of the first `**label**:` field of a log ("Release Version" → "v1.2.0"), or undefined. */
export function readLogField(text: string, label: string): string | undefined {
  try {
    const doc = parseDoc(text);
    return findFields(doc.text, doc.root.children, label)[0]?.value.trim() || undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Finding places

interface Log {
  doc: Doc;
  smoke?: Section;
  summary?: Section;
}

function parseLog(input: string): Log {
  const doc = parseDoc(input);
  const root = doc.root;
  const smoke = findSection(root.children, SMOKE_TESTS);
  // The summary normally sits under Smoke Tests; a log that moved it elsewhere still gets it written.
  const summary = (smoke && findSection(smoke.nodes, SUMMARY)) ?? findSection(root.children, SUMMARY);
  const hasTable = summary ? tables(summary.nodes).length > 0 : false;
  if (!smoke && !hasTable) {
    throw new NotAPromotionLogError('not a promotion log: no "Smoke Tests" heading and no "Smoke Test Summary" table');
  }
  return { doc, smoke, summary: hasTable ? summary : undefined };
}

// ---------------------------------------------------------------------------------------------------------------
// Test sections

function renderTestSection(
  text: string,
  section: Section,
  check: CheckResult,
  run: RunResults,
  opts: RenderOptions,
  eol: string,
  warnings: string[],
): Edit[] {
  const edits: Edit[] = [];
  const where = `test section "${check.name}"`;

  const status = findFields(text, section.nodes, 'Status')[0];
  const label = STATUS_LABEL[check.status] + (check.status === 'skipped' && check.notes ? ` — ${oneLine(check.notes)}` : '');
  if (status) edits.push(setField(status, label));
  else warnings.push(`${where} has no "**Status**:" line; its status was not written`);

  const actual = findFields(text, section.nodes, 'Actual Result')[0];
  const block = actualResult(check, run);
  if (!actual) {
    warnings.push(`${where} has no "**Actual Result**:" line; its actual result was not written`);
  } else {
    const index = section.nodes.indexOf(actual.paragraph);
    const next = section.nodes[index + 1];
    const content = block.join(eol) + eol;
    const fence = next?.type === 'code' ? fencedContent(text, next) : undefined;
    if (fence) edits.push({ ...fence, text: content });
    else if (actual.lastLine && next?.type !== 'code') {
      // No block yet (e.g. a hand-edited log): add one; the next render finds it and replaces its contents.
      edits.push({ start: span(actual.paragraph).end, end: span(actual.paragraph).end, text: `${eol}\`\`\`${eol}${content}\`\`\`` });
    } else warnings.push(`${where}: no closed fenced block right after "**Actual Result**:"; its actual result was not written`);
  }

  const screenshot = findFields(text, section.nodes, 'Screenshot')[0];
  const link = opts.screenshotLinks.get(check.name);
  if (screenshot) edits.push(setField(screenshot, link ? markdownLink(link) : 'none'));
  else if (link) warnings.push(`${where} has no "**Screenshot**:" line; its screenshot link was not written`);

  return edits;
}

/** The span between a fenced block's opening and closing fence lines; undefined for indented or unclosed blocks. */
function fencedContent(text: string, node: Nodes): { start: number; end: number } | undefined {
  const { start, end } = span(node);
  const open = /^[ ]{0,3}(`{3,}|~{3,})/.exec(text.slice(start, end));
  if (!open) return undefined;
  const openEnd = text.indexOf('\n', start);
  if (openEnd < 0 || openEnd >= end) return undefined;
  const closeStart = text.lastIndexOf('\n', end - 1) + 1;
  const fence = open[1]!;
  const close = text.slice(closeStart, end).trim();
  if (closeStart <= openEnd || close[0] !== fence[0] || close.length < fence.length || /[^`~]/.test(close)) return undefined;
  return { start: openEnd + 1, end: closeStart };
}

function actualResult(check: CheckResult, run: RunResults): string[] {
  const took = formatDuration(check.durationMs);
  const tag = `run ${run.runId} (${run.env})`;
  const lines: string[] = [];
  switch (check.status) {
    case 'passed':
      lines.push(`✅ PASSED in ${took} · ${tag}`);
      break;
    case 'flaky':
      lines.push(`⚠️ FLAKY: passed on attempt ${check.attempts} in ${took} · ${tag}`);
      if (check.error) lines.push(`Earlier failure: ${oneLine(check.error)}`);
      break;
    case 'failed':
      lines.push(`❌ FAILED: ${oneLine(check.error || check.notes || 'no error message')}`);
      break;
    case 'skipped':
      lines.push(`⏭️ SKIPPED: ${oneLine(check.notes || 'no reason given')} · ${tag}`);
      break;
  }
  check.steps.forEach((step, i) => {
    lines.push(`${i + 1}. ${step.ok ? '✅' : '❌'} ${oneLine(step.title)} (${formatDuration(step.durationMs)})`);
  });
  const notes = oneLine(check.notes);
  if (notes && check.status !== 'skipped' && notes !== oneLine(check.error ?? '')) lines.push(`Notes: ${notes}`);
  if (check.evidencePath && check.status !== 'passed' && check.status !== 'skipped') {
    lines.push(`Evidence: ${check.evidencePath}`);
  }
  if (check.status === 'failed') lines.push(`Failed after ${plural(check.attempts, 'attempt')} in ${took} · ${tag}`);
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------
// Summary table

function renderSummaryTable(text: string, table: Table, rows: CheckResult[], eol: string, warnings: string[]): Edit[] {
  const edits: Edit[] = [];
  const body = table.children.slice(1);
  const total = body.find((row) => rowKey(row) === 'total');
  // New rows go above the Total row, or at the end of the table when it has none.
  const insertAt = total ? span(total).start : span(table.children.at(-1)!).end;
  const insert = (line: string) =>
    edits.push(total ? { start: insertAt, end: insertAt, text: line + eol } : { start: insertAt, end: insertAt, text: eol + line });

  for (const check of rows) {
    const row = body.find((r) => r !== total && rowKey(r) === normalizeTitle(check.name));
    const cells = [STATUS_ICON[check.status], `${Math.round(check.durationMs)}ms`, cellText(rowNotes(check))];
    if (row) edits.push({ ...span(row), text: tableRow(text, row, cells) });
    else {
      insert(`| ${cellText(check.name)} | ${cells.join(' | ')} |`);
      warnings.push(`summary row "${check.name}" not found; added it to the "Smoke Test Summary" table`);
    }
  }

  if (rows.length === 0) return edits;
  const cells = totalCells(rows);
  if (total) edits.push({ ...span(total), text: tableRow(text, total, cells) });
  else {
    insert(`| **Total** | ${cells.join(' | ')} |`);
    warnings.push('the "Smoke Test Summary" table had no Total row; added one');
  }
  return edits;
}

/** The Notes cell: the check's evidence or reason, else what the status alone cannot say. */
function rowNotes(check: CheckResult): string {
  if (check.notes) return check.notes;
  if (check.status === 'failed') return check.error ?? 'failed';
  if (check.status === 'flaky') return `passed on attempt ${check.attempts}`;
  return check.status === 'skipped' ? 'skipped' : 'passed';
}

/** Keeps the row's own first cell as written, and any column the team added after the fourth. */
function tableRow(text: string, row: TableRow, cells: string[]): string {
  const first = cellSource(text, row.children[0]!);
  const extra = row.children[4];
  const tail = extra ? text.slice(span(extra).start, span(row).end) : '|';
  return `| ${first} | ${cells.join(' | ')} ${tail}`;
}

function totalCells(rows: CheckResult[]): string[] {
  const by = groupByStatus(rows);
  const passed = by.passed.length + by.flaky.length;
  const icon = by.failed.length ? STATUS_ICON.failed : by.flaky.length ? STATUS_ICON.flaky : STATUS_ICON.passed;
  const duration = rows.reduce((sum, c) => sum + Math.round(c.durationMs), 0);
  const notes = [notPassedNote(by, 'failed'), notPassedNote(by, 'flaky'), notPassedNote(by, 'skipped')].filter(Boolean);
  return [`**${icon} ${passed}/${rows.length}**`, `**${duration}ms**`, cellText(notes.join('; ') || 'All tests passed')];
}

// ---------------------------------------------------------------------------------------------------------------
// Overall status

function overallStatus(checks: CheckResult[], interrupted = false): string {
  const by = groupByStatus(checks);
  const skipped = notPassedNote(by, 'skipped');
  if (by.failed.length) return `❌ FAILED (${by.failed.length} of ${plural(checks.length, 'check')} failed${interrupted ? '; the run was interrupted' : ''})`;
  if (interrupted) {
    return `⚠️ INTERRUPTED (${by.passed.length + by.flaky.length} of ${plural(checks.length, 'check')} passed before the run was stopped)`;
  }
  if (by.passed.length + by.flaky.length === 0) return `⚠️ NO CHECKS RAN${skipped ? ` (${skipped})` : ''}`;
  if (by.flaky.length) {
    return `⚠️ PASSED WITH FLAKY CHECKS (${[notPassedNote(by, 'flaky'), skipped].filter(Boolean).join('; ')})`;
  }
  return `✅ PASSED${skipped ? ` (${skipped})` : ''}`;
}

function groupByStatus(checks: CheckResult[]): Record<CheckStatus, CheckResult[]> {
  const by: Record<CheckStatus, CheckResult[]> = { passed: [], failed: [], flaky: [], skipped: [] };
  for (const check of checks) by[check.status].push(check);
  return by;
}

/** "2 failed: Authentication, Vehicles Table", or '' when there are none. */
function notPassedNote(by: Record<CheckStatus, CheckResult[]>, status: CheckStatus): string {
  const list = by[status];
  return list.length ? `${list.length} ${status}: ${names(list)}` : '';
}

// ---------------------------------------------------------------------------------------------------------------
// Verification checkboxes (sections 3 and 4)

function renderCheckboxes(doc: Doc, checks: CheckResult[], warnings: string[]): Edit[] {
  const claims = new Map<string, { section: string; item: string; by: CheckResult[] }>();
  for (const check of checks) {
    for (const claim of check.verifies ?? []) {
      const key = `${normalizeTitle(claim.section)}\u0000${claim.item.toLowerCase()}`;
      const entry = claims.get(key) ?? { ...claim, by: [] };
      entry.by.push(check);
      claims.set(key, entry);
    }
  }
  // Two claims may land on one box ("Environment variables set" and "… set correctly"): it needs both.
  const boxes = new Map<number, { box: ReturnType<typeof checkboxes>[number]; verified: boolean }>();
  for (const claim of claims.values()) {
    const section = findSection(doc.root.children, claim.section);
    if (!section) {
      warnings.push(`checkbox section "${claim.section}" not found; "${claim.item}" was not written`);
      continue;
    }
    const found = checkboxes(doc.text, section.nodes).filter((b) => checkboxMatches(b.label, claim.item));
    if (found.length === 0) {
      warnings.push(`no "${claim.item}" checkbox under "${claim.section}"; it was not written`);
      continue;
    }
    const verified = claim.by.every((c) => c.status === 'passed');
    for (const box of found) {
      const seen = boxes.get(box.box);
      boxes.set(box.box, { box, verified: (seen?.verified ?? true) && verified });
    }
  }
  return [...boxes.values()].flatMap(({ box, verified }) => setCheckbox(box, verified) ?? []);
}

// ---------------------------------------------------------------------------------------------------------------
// Detail lists ("**Migration Details**:" and its "- Label: value" items)

function renderDetails(doc: Doc, checks: CheckResult[], warnings: string[]): Edit[] {
  const edits: Edit[] = [];
  for (const check of checks) {
    if (check.status === 'skipped') continue;
    for (const details of check.details ?? []) {
      const field = findFields(doc.text, doc.root.children, details.list)[0];
      const index = field ? doc.root.children.indexOf(field.paragraph) : -1;
      const list = doc.root.children[index + 1];
      if (!field || list?.type !== 'list') {
        warnings.push(`no "**${details.list}**:" list; the details "${check.name}" found were not written`);
        continue;
      }
      for (const [label, value] of Object.entries(details.items)) {
        const item = list.children.map((li) => detailItem(doc.text, li)).find((d) => d && checkboxMatches(d.label, label));
        if (!item) {
          warnings.push(`"${details.list}" has no "${label}" item; it was not written`);
          continue;
        }
        edits.push({ start: item.valueStart, end: item.valueEnd, text: (item.needsSpace ? ' ' : '') + oneLine(value) });
      }
    }
  }
  return edits;
}

/** "- Tables Created/Updated: [Pending]": the label and where the value is, on the item's first line. */
function detailItem(text: string, item: RootContent | { type: string }) {
  if (item.type !== 'listItem' || !('children' in item)) return undefined;
  const paragraph = (item.children as RootContent[])[0];
  if (paragraph?.type !== 'paragraph') return undefined;
  const { start, end } = span(paragraph);
  const lineEnd = Math.min(end, ...[text.indexOf('\n', start)].filter((i) => i >= 0));
  const line = text.slice(start, lineEnd).replace(/\r$/, '');
  const match = /^([^:]*?)\s*:([ \t]*)(.*?)[ \t]*$/.exec(line);
  if (!match) return undefined;
  const value = match[3] ?? '';
  const valueEnd = start + match[0].replace(/[ \t]+$/, '').length;
  return {
    label: match[1]!.replace(/\*\*/g, ''),
    valueStart: valueEnd - value.length,
    valueEnd,
    needsSpace: (match[2] ?? '') === '' || value === '',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Small formats

/** Two results for one place (e.g. the same spec in two projects) would fight over it: the later one wins. */
function dedupe(checks: CheckResult[], warnings: string[]): CheckResult[] {
  const byPlace = new Map<string, CheckResult>();
  for (const check of checks) {
    const key = `${check.place?.kind ?? 'check'}:${normalizeTitle(check.name)}`;
    if (byPlace.has(key)) {
      warnings.push(`two results for "${check.name}"; the log shows the later one`);
      byPlace.delete(key);
    }
    byPlace.set(key, check);
  }
  return [...byPlace.values()];
}

function names(checks: CheckResult[]): string {
  return checks.map((c) => c.name).join(', ');
}

