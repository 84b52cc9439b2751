/**
 * docs/BENCHMARKS.md is written by two commands: `pnpm bench` renders the whole file, `pnpm bench:false-failures`
 * owns one `## False failures …` section. These pure functions find that section, replace it leaving every other
 * byte as it was, and carry it over into a freshly rendered file, so neither command erases the other's figures.
 */

/** The false-failures section's heading, whatever run count it names ("## False failures (20 clean runs)"). */
export const FALSE_FAILURES_HEADING = /^##[ \t]+False failures\b/i;

/**
 * Where the section starting with a level-2 heading matching `heading` lies in `doc`: from the start of its
 * heading line to the start of the next level-1 or level-2 heading (outside code fences), or the end of the file.
 */
export function findSection(doc: string, heading: RegExp): { start: number; end: number } | undefined {
  let start: number | undefined;
  let fence: string | undefined;
  let at = 0;
  while (at < doc.length) {
    const nl = doc.indexOf('\n', at);
    const next = nl < 0 ? doc.length : nl + 1;
    const line = doc.slice(at, next).replace(/\r?\n$/, '');
    const fenceMark = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (fenceMark && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = undefined;
    } else if (fenceMark) {
      fence = fenceMark;
    } else if (start === undefined) {
      if (heading.test(line)) start = at;
    } else if (/^#{1,2}(?:[ \t]|$)/.test(line)) {
      return { start, end: at };
    }
    at = next;
  }
  return start === undefined ? undefined : { start, end: doc.length };
}

/** The section's text as it stands (heading to the next heading, blank lines before it included), if any. */
export function extractSection(doc: string, heading: RegExp): string | undefined {
  const range = findSection(doc, heading);
  return range && doc.slice(range.start, range.end);
}

/** Appends `section` after `doc`'s last line, one blank line between; `doc`'s own bytes stay as they are. */
function appendSection(doc: string, section: string): string {
  if (doc === '') return section;
  const eol = doc.includes('\r\n') ? '\r\n' : '\n';
  const ended = doc.endsWith('\n') ? doc : doc + eol;
  return `${ended}${/(\r?\n){2}$/.test(ended) ? '' : eol}${section}`;
}

/**
 * `doc` with the section matching `heading` replaced by `section` (which should start with such a heading), or
 * with `section` appended when `doc` has none. Only that section's bytes change: the blank lines that separated
 * it from the next heading, or the file's end, are kept.
 */
export function replaceSection(doc: string, heading: RegExp, section: string): string {
  const range = findSection(doc, heading);
  if (!range) return appendSection(doc, section.replace(/\s+$/, '') + '\n');
  const old = doc.slice(range.start, range.end);
  const trailing = /(\r?\n)*$/.exec(old)?.[0] ?? '';
  return doc.slice(0, range.start) + section.replace(/\s+$/, '') + trailing + doc.slice(range.end);
}

/**
 * The freshly rendered `next` with the section matching `heading` carried over, unchanged, from `previous` (the
 * file as it was): in place of the one `next` has, else appended at its end. `next` unchanged when `previous`
 * has no such section (or there is no previous file).
 */
export function carrySection(previous: string | undefined, next: string, heading: RegExp): string {
  const kept = previous === undefined ? undefined : extractSection(previous, heading);
  if (kept === undefined) return next;
  return replaceSection(next, heading, kept);
}
