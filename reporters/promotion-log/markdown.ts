/**
 * Finding places in a promotion log and splicing values into them, without ever re-serialising the document.
 *
 * mdast is only used to locate nodes (by their offsets); every change is an Edit on the original string, so
 * the bytes around it, line endings and trailing spaces included, come out as they went in. Shared by the
 * smoke renderer (render.ts) and the monitoring renderer (monitoring.ts).
 */
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import type { Heading, List, ListItem, Nodes, Paragraph, Root, RootContent, Table, TableCell, TableRow } from 'mdast';

export class NotAPromotionLogError extends Error {
  override name = 'NotAPromotionLogError';
}

export interface RenderOutput {
  text: string;
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// The document

export interface Doc {
  /** The text the offsets index: the input without its byte order mark. */
  text: string;
  bom: string;
  eol: string;
  root: Root;
}

export function parseDoc(input: string): Doc {
  if (input.replace(/^\uFEFF/, '').trim() === '') throw new NotAPromotionLogError('not a promotion log: the text is empty');
  if (input.includes('\u0000')) throw new NotAPromotionLogError('not a promotion log: binary content (NUL bytes)');
  // micromark drops a byte order mark from its offsets; set it aside so offsets index the text we splice.
  const bom = input.startsWith('\uFEFF') ? '\uFEFF' : '';
  const text = input.slice(bom.length);
  const root = fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  return { text, bom, eol: lineEnding(text), root };
}

export function finish(doc: Doc, edits: Edit[]): string {
  return doc.bom + applyEdits(doc.text, edits);
}

// ---------------------------------------------------------------------------------------------------------------
// Sections

export interface Section {
  heading: Heading;
  depth: number;
  /** Root children after the heading, up to the next heading of the same or a higher level. */
  nodes: RootContent[];
}

/** The first heading titled `title` (at `minDepth` or deeper) among `nodes`, with what follows it. */
export function findSection(nodes: RootContent[], title: string, minDepth = 1): Section | undefined {
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

export function findSubsection(parent: Section, title: string): Section | undefined {
  return findSection(parent.nodes, title, parent.depth + 1);
}

/** "## 5. Smoke Tests", "## Smoke tests" and "## 5) SMOKE TESTS:" all name the same section. */
export function normalizeTitle(title: string): string {
  return title
    .replace(/^\s*\d+(?:\.\d+)*[.)]?\s+/, '')
    .replace(/\s+/g, ' ')
    .replace(/:\s*$/, '')
    .trim()
    .toLowerCase();
}

export function plainText(node: Nodes): string {
  if ('value' in node && (node.type === 'text' || node.type === 'inlineCode')) return node.value;
  if ('children' in node) return (node.children as Nodes[]).map(plainText).join('');
  return '';
}

export function span(node: Nodes): { start: number; end: number } {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  if (start === undefined || end === undefined) throw new Error(`mdast node without offsets: ${node.type}`);
  return { start, end };
}

// ---------------------------------------------------------------------------------------------------------------
// `**Label**: value` fields

export interface Field {
  paragraph: Paragraph;
  /** Where the value starts: after the colon and the spaces that follow it. */
  valueStart: number;
  /** Where the value ends: before trailing blanks (they may be a hard break) and the line ending. */
  valueEnd: number;
  /** The value as written. */
  value: string;
  /** True when nothing separates the colon from the value, so a space must be added. */
  needsSpace: boolean;
  /** True when the field is on the last line of its paragraph. */
  lastLine: boolean;
}

/**
 * `**Label**: value` lines of top-level paragraphs, in document order. One paragraph may hold several fields on
 * consecutive lines (as the log's closing "Log Version / Last Updated / Status" block does).
 */
export function findFields(text: string, nodes: RootContent[], label: string): Field[] {
  const name = label.split(' ').map(escapeRegExp).join('\\s+');
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
          value,
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

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function setField(field: Field, value: string): Edit {
  return { start: field.valueStart, end: field.valueEnd, text: (field.needsSpace ? ' ' : '') + value };
}

/**
 * Sets `**label**: value` in a section; when the section has no such field, adds one after `after` (a node of
 * the section), so the next render finds and replaces it instead of adding another.
 */
export function setOrAddField(doc: Doc, nodes: RootContent[], label: string, value: string, after: Nodes): Edit {
  const field = findFields(doc.text, nodes, label)[0];
  if (field) return setField(field, value);
  const at = span(after).end;
  return { start: at, end: at, text: `${doc.eol}${doc.eol}**${label}**: ${value}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Edits

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Applies edits in position order; insertions at the same place keep the order they were made in. */
export function applyEdits(text: string, edits: Edit[]): string {
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

export function lineEnding(text: string): string {
  const newline = text.indexOf('\n');
  return newline > 0 && text[newline - 1] === '\r' ? '\r\n' : '\n';
}

// ---------------------------------------------------------------------------------------------------------------
// Tables

export function tables(nodes: RootContent[]): Table[] {
  return nodes.filter((n): n is Table => n.type === 'table');
}

/** The first cell's text, normalised like a heading, bold markers dropped: "**Total**" → "total". */
export function rowKey(row: TableRow): string {
  const first = row.children[0];
  return first ? normalizeTitle(plainText(first).replace(/\*\*/g, '')) : '';
}

/** A cell as written, without its pipes and surrounding blanks. */
export function cellSource(text: string, cell: TableCell): string {
  const { start, end } = span(cell);
  return text.slice(start, end).replace(/^\s*\|/, '').replace(/(?<!\\)\|\s*$/, '').trim();
}

/** The header cells' texts, normalised, for finding a column by name. */
export function columnKeys(table: Table): string[] {
  return (table.children[0]?.children ?? []).map((c) => normalizeTitle(plainText(c)));
}

/**
 * A row rebuilt with `cells` replacing the columns they name (by index), every other cell kept as written.
 * Cells past the header's width (a team's extra column) stay as they were, trailing text included.
 */
export function rebuildRow(text: string, row: TableRow, cells: Map<number, string>, width: number): string {
  const out: string[] = [];
  for (let i = 0; i < width; i++) {
    const cell = row.children[i];
    out.push(cells.get(i) ?? (cell ? cellSource(text, cell) : ''));
  }
  const extra = row.children[width];
  const tail = extra ? text.slice(span(extra).start, span(row).end) : '|';
  return `|${out.map((c) => (c === '' ? ' ' : ` ${c} `)).join('|')}${tail}`;
}

/** One line for a table cell: no line breaks, pipes escaped. */
export function cellText(value: string): string {
  return oneLine(value).replace(/\|/g, '\\|');
}

// ---------------------------------------------------------------------------------------------------------------
// Checkbox lists

export interface Checkbox {
  item: ListItem;
  /** The item's text, for matching: "Production URL accessible". */
  label: string;
  checked: boolean;
  /** Offset of the character between the brackets. */
  box: number;
  /** The list holding the item. */
  list: List;
}

/** The task-list items of the lists among `nodes` (not nested lists), in document order. */
export function checkboxes(text: string, nodes: RootContent[]): Checkbox[] {
  const out: Checkbox[] = [];
  for (const list of nodes) {
    if (list.type !== 'list') continue;
    for (const item of list.children) {
      if (typeof item.checked !== 'boolean') continue;
      const { start } = span(item);
      const match = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[[ xX]\]/.exec(text.slice(start, start + 40));
      if (!match) continue;
      const first = item.children[0];
      out.push({ item, label: first ? plainText(first).trim() : '', checked: item.checked, box: start + match[0].length - 2, list });
    }
  }
  return out;
}

/** Ticks or clears a box; a box already in that state is left exactly as written ("[X]" stays). */
export function setCheckbox(box: Checkbox, checked: boolean): Edit | undefined {
  if (box.checked === checked) return undefined;
  return { start: box.box, end: box.box + 1, text: checked ? 'x' : ' ' };
}

/**
 * Checkbox texts compared loosely: case and punctuation do not matter, and a claim matches an item that says
 * more ("Environment variables set" matches "Environment variables set correctly"). A claim without numbers
 * matches an item that has counts ("All tables present" matches "All 12 tables present"); a claim with numbers
 * must match them ("API latency > 2 seconds" does not match "API latency > 5 seconds").
 */
export function checkboxMatches(label: string, claim: string): boolean {
  const want = looseWords(claim);
  if (want.length === 0) return false;
  const counted = want.some(isCount);
  const item = looseWords(label).filter((w) => counted || !isCount(w));
  return want.every((w, i) => item[i] === w);
}

function looseWords(s: string): string[] {
  return s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}%<>=.]+/gu, ' ')
    .replace(/(?<!\d)\.|\.(?!\d)/g, ' ')
    .split(' ')
    .filter(Boolean);
}

function isCount(word: string): boolean {
  return /^\d+$/.test(word);
}

// ---------------------------------------------------------------------------------------------------------------
// Small formats

export function oneLine(value: string): string {
  return value.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A link to `link` named after its file, or an image when `alt` is given. */
export function markdownLink(link: string, alt?: string): string {
  const name = alt ?? (link.split('/').at(-1) || link);
  // Spaces and parentheses would end a Markdown link destination early.
  const dest = link.replace(/[ ()]/g, (c) => ({ ' ': '%20', '(': '%28', ')': '%29' })[c]!);
  return `${alt === undefined ? '' : '!'}[${name.replace(/([[\]])/g, '\\$1')}](${dest})`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(2)}s`;
}

/** "2026-12-03 18:30:12 UTC" (with seconds) or "2026-12-03 18:30 UTC". */
export function formatUtc(date: Date, seconds: boolean): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)} UTC`;
}

/** Sets the document's last "**Last Updated**:" value. */
export function lastUpdated(doc: Doc, now: Date, warnings: string[]): Edit[] {
  const field = findFields(doc.text, doc.root.children, 'Last Updated').at(-1);
  if (field) return [setField(field, formatUtc(now, false))];
  warnings.push('no "**Last Updated**:" line; the update time was not written');
  return [];
}
