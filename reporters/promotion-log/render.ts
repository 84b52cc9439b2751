/**
 * Writes one smoke run into a promotion log: a pure function from (log text, results) to new log text.
 *
 * The log belongs to the team, so the text is never re-serialised from the syntax tree: mdast is only used to
 * find the places the reporter owns (by node offsets), and replacements are spliced into the original string.
 * Every other byte, line endings and trailing spaces included, comes out as it went in.
 *
 * Owned places (v1), all inside the "Smoke Tests" section unless noted:
 * - `**Timestamp**:` value: the run's start.
 * - per test section (h3 under Smoke Tests): `**Status**:` value, the fenced block after `**Actual Result**:`,
 *   `**Screenshot**:` value.
 * - the "Smoke Test Summary" table: the rows of this run's checks, and the Total row.
 * - `**Overall Status**:` value.
 * - the last `**Last Updated**:` value of the document.
 *
 * Counting rules:
 * - Total row: `<passed+flaky>/<summary-row checks>`; skipped and failed checks are not passed. Icon ❌ when any
 *   failed, else ⚠️ when any flaky, else ✅ (skips alone keep ✅ and are named in the notes).
 * - Overall Status, over every check (rows and sections): ❌ FAILED when any failed; ⚠️ NO CHECKS RAN when none
 *   passed (all skipped, or no checks); ⚠️ PASSED WITH FLAKY CHECKS when any flaky; else ✅ PASSED. Skips never
 *   fail the run but are named.
 */
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import type { Heading, Nodes, Paragraph, Root, RootContent, Table, TableCell, TableRow } from 'mdast';
import { STATUS_ICON, STATUS_LABEL, type CheckResult, type CheckStatus, type RunResults } from '../../src/results.ts';

export class NotAPromotionLogError extends Error {
  override name = 'NotAPromotionLogError';
}

export interface RenderOptions {
  now: Date;
  /** Check name → link to its screenshot, relative to the log file. */
  screenshotLinks: Map<string, string>;
}

export interface RenderOutput {
  text: string;
  warnings: string[];
}

const SMOKE_TESTS = 'smoke tests';
const SUMMARY = 'smoke test summary';

export function renderPromotionLog(input: string, results: RunResults, opts: RenderOptions): RenderOutput {
  // micromark drops a byte order mark from its offsets; set it aside so offsets index the text we splice.
  const bom = input.startsWith('\uFEFF') ? '\uFEFF' : '';
  const text = input.slice(bom.length);
  const log = parseLog(text);
  const warnings: string[] = [];
  const edits: Edit[] = [];
  const eol = lineEnding(text);
  const checks = dedupe(results.checks, warnings);

  const timestamp = findFields(text, log.smoke?.nodes ?? [], 'Timestamp')[0];
  if (timestamp) edits.push(setField(timestamp, formatUtc(results.startedAt, true)));
  else warnings.push('no "**Timestamp**:" line under "Smoke Tests"; the run time was not written');

  for (const check of checks) {
    if (check.place.kind !== 'test-section') continue;
    const section = log.smoke && findSubsection(log.smoke, check.place.heading);
    if (!section) {
      warnings.push(`test section "${check.place.heading}" not found under "Smoke Tests"; its result was not written`);
      continue;
    }
    edits.push(...renderTestSection(text, section, check, results, opts, eol, warnings));
  }

  const rows = checks.filter((c) => c.place.kind === 'summary-row');
  const table = log.summary?.nodes.find((n): n is Table => n.type === 'table');
  if (table) edits.push(...renderSummaryTable(text, table, rows, eol, warnings));
  else if (rows.length > 0) {
    warnings.push(`"Smoke Test Summary" table not found; ${rows.length} row result(s) not written: ${names(rows)}`);
  }

  // Under Smoke Tests, else beside the summary table when the team moved it out of that section.
  const overall = [log.smoke, log.summary].flatMap((sec) => findFields(text, sec?.nodes ?? [], 'Overall Status'))[0];
  if (overall) edits.push(setField(overall, overallStatus(checks)));
  else warnings.push('no "**Overall Status**:" line under "Smoke Tests"; the overall status was not written');

  const updated = findFields(text, log.root.children, 'Last Updated').at(-1);
  if (updated) edits.push(setField(updated, formatUtc(opts.now, false)));
  else warnings.push('no "**Last Updated**:" line; the update time was not written');

  return { text: bom + applyEdits(text, edits), warnings };
}

/** Throws NotAPromotionLogError unless `text` has the places the reporter writes into. */
export function assertPromotionLog(text: string): void {
  parseLog(text);
}

// ---------------------------------------------------------------------------------------------------------------
// Finding places

interface Section {
  heading: Heading;
  depth: number;
  /** Root children after the heading, up to the next heading of the same or a higher level. */
  nodes: RootContent[];
}

interface Log {
  root: Root;
  smoke?: Section;
  summary?: Section;
}

function parseLog(text: string): Log {
  if (text.trim() === '') throw new NotAPromotionLogError('not a promotion log: the text is empty');
  if (text.includes('\u0000')) throw new NotAPromotionLogError('not a promotion log: binary content (NUL bytes)');
  const root = fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const smoke = findSection(root.children, SMOKE_TESTS);
  // The summary normally sits under Smoke Tests; a log that moved it elsewhere still gets it written.
  const summary = (smoke && findSection(smoke.nodes, SUMMARY)) ?? findSection(root.children, SUMMARY);
  const hasTable = summary?.nodes.some((n) => n.type === 'table') ?? false;
  if (!smoke && !hasTable) {
    throw new NotAPromotionLogError('not a promotion log: no "Smoke Tests" heading and no "Smoke Test Summary" table');
  }
  return { root, smoke, summary: hasTable ? summary : undefined };
}

function findSection(nodes: RootContent[], title: string, minDepth = 1): Section | undefined {
  const start = nodes.findIndex(
    (n) => n.type === 'heading' && n.depth >= minDepth && normalizeTitle(plainText(n)) === normalizeTitle(title),
  );
  if (start < 0) return undefined;
  const heading = nodes[start] as Heading;
  let end = start + 1;
  while (end < nodes.length) {
    const n = nodes[end]!;
    if (n.type === 'heading' && n.depth <= heading.depth) break;
    end++;
  }
  return { heading, depth: heading.depth, nodes: nodes.slice(start + 1, end) };
}

function findSubsection(parent: Section, title: string): Section | undefined {
  return findSection(parent.nodes, title, parent.depth + 1);
}

/** "## 5. Smoke Tests", "## Smoke tests" and "## 5) SMOKE TESTS:" all name the same section. */
function normalizeTitle(title: string): string {
  return title
    .replace(/^\s*\d+(?:\.\d+)*[.)]?\s+/, '')
    .replace(/\s+/g, ' ')
    .replace(/:\s*$/, '')
    .trim()
    .toLowerCase();
}

function plainText(node: Nodes): string {
  if ('value' in node && (node.type === 'text' || node.type === 'inlineCode')) return node.value;
  if ('children' in node) return (node.children as Nodes[]).map(plainText).join('');
  return '';
}

interface Field {
  paragraph: Paragraph;
  /** Where the value starts: after the colon and the spaces that follow it. */
  valueStart: number;
  /** Where the value ends: before trailing blanks (they may be a hard break) and the line ending. */
  valueEnd: number;
  /** True when nothing separates the colon from the value, so a space must be added. */
  needsSpace: boolean;
  /** True when the field is on the last line of its paragraph. */
  lastLine: boolean;
}

/**
 * `**Label**: value` lines of top-level paragraphs, in document order. One paragraph may hold several fields on
 * consecutive lines (as the log's closing "Log Version / Last Updated / Status" block does).
 */
function findFields(text: string, nodes: RootContent[], label: string): Field[] {
  const name = label.split(' ').join('\\s+');
  const pattern = new RegExp(`^[ \\t]*\\*\\*[ \\t]*${name}[ \\t]*(?::[ \\t]*\\*\\*|\\*\\*[ \\t]*:)([ \\t]*)(.*?)[ \\t]*$`, 'i');
  const fields: Field[] = [];
  for (const node of nodes) {
    if (node.type !== 'paragraph') continue;
    const { start, end } = span(node);
    let lineStart = start;
    while (lineStart < end) {
      const newline = text.indexOf('\n', lineStart);
      const next = newline < 0 || newline >= end ? end : newline + 1;
      let lineEnd = next === end ? end : newline;
      if (text[lineEnd - 1] === '\r') lineEnd--;
      const match = pattern.exec(text.slice(lineStart, lineEnd));
      if (match) {
        const gap = match[1] ?? '';
        const value = match[2] ?? '';
        const valueEnd = lineStart + match[0].replace(/[ \t]+$/, '').length;
        fields.push({
          paragraph: node,
          valueStart: valueEnd - value.length,
          valueEnd,
          // An empty value leaves the blanks after the colon as trailing blanks, so the value needs its own space.
          needsSpace: gap === '' || value === '',
          lastLine: next === end,
        });
      }
      lineStart = next;
    }
  }
  return fields;
}

function span(node: Nodes): { start: number; end: number } {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  if (start === undefined || end === undefined) throw new Error(`mdast node without offsets: ${node.type}`);
  return { start, end };
}

// ---------------------------------------------------------------------------------------------------------------
// Edits

interface Edit {
  start: number;
  end: number;
  text: string;
}

function setField(field: Field, value: string): Edit {
  return { start: field.valueStart, end: field.valueEnd, text: (field.needsSpace ? ' ' : '') + value };
}

/** Applies edits in position order; insertions at the same place keep the order they were made in. */
function applyEdits(text: string, edits: Edit[]): string {
  const sorted = edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.start - b.start || a.end - b.end || a.i - b.i);
  let out = '';
  let at = 0;
  for (const edit of sorted) {
    if (edit.start < at) throw new Error(`overlapping edits at offset ${edit.start}`);
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + text.slice(at);
}

function lineEnding(text: string): string {
  const newline = text.indexOf('\n');
  return newline > 0 && text[newline - 1] === '\r' ? '\r\n' : '\n';
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

function markdownLink(link: string): string {
  const name = link.split('/').at(-1) || link;
  // Spaces and parentheses would end a Markdown link destination early.
  const dest = link.replace(/[ ()]/g, (c) => ({ ' ': '%20', '(': '%28', ')': '%29' })[c]!);
  return `[${name.replace(/([[\]])/g, '\\$1')}](${dest})`;
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
    const cells = [STATUS_ICON[check.status], `${Math.round(check.durationMs)}ms`, cellText(check.notes)];
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

function rowKey(row: TableRow): string {
  const first = row.children[0];
  return first ? normalizeTitle(plainText(first).replace(/\*\*/g, '')) : '';
}

/** Keeps the row's own first cell as written, and any column the team added after the fourth. */
function tableRow(text: string, row: TableRow, cells: string[]): string {
  const first = cellSource(text, row.children[0]!);
  const extra = row.children[4];
  const tail = extra ? text.slice(span(extra).start, span(row).end) : '|';
  return `| ${first} | ${cells.join(' | ')} ${tail}`;
}

function cellSource(text: string, cell: TableCell): string {
  const { start, end } = span(cell);
  return text.slice(start, end).replace(/^\s*\|/, '').replace(/(?<!\\)\|\s*$/, '').trim();
}

function totalCells(rows: CheckResult[]): string[] {
  const by = groupByStatus(rows);
  const passed = by.passed.length + by.flaky.length;
  const icon = by.failed.length ? STATUS_ICON.failed : by.flaky.length ? STATUS_ICON.flaky : STATUS_ICON.passed;
  const duration = rows.reduce((sum, c) => sum + Math.round(c.durationMs), 0);
  const notes = [notPassedNote(by, 'failed'), notPassedNote(by, 'flaky'), notPassedNote(by, 'skipped')].filter(Boolean);
  return [`**${icon} ${passed}/${rows.length}**`, `**${duration}ms**`, cellText(notes.join('; ') || 'All tests passed')];
}

function cellText(value: string): string {
  return oneLine(value).replace(/\|/g, '\\|');
}

// ---------------------------------------------------------------------------------------------------------------
// Overall status

function overallStatus(checks: CheckResult[]): string {
  const by = groupByStatus(checks);
  const skipped = notPassedNote(by, 'skipped');
  if (by.failed.length) return `❌ FAILED (${by.failed.length} of ${plural(checks.length, 'check')} failed)`;
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
// Small formats

/** Two results for one place (e.g. the same spec in two projects) would fight over it: the later one wins. */
function dedupe(checks: CheckResult[], warnings: string[]): CheckResult[] {
  const byPlace = new Map<string, CheckResult>();
  for (const check of checks) {
    const key = `${check.place.kind}:${normalizeTitle(check.name)}`;
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

function oneLine(value: string): string {
  return value.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(2)}s`;
}

/** "2026-12-03 18:30:12 UTC" (with seconds) or "2026-12-03 18:30 UTC". */
export function formatUtc(date: Date, seconds: boolean): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)} UTC`;
}
