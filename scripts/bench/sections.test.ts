import { describe, expect, it } from 'vitest';
import { carrySection, extractSection, FALSE_FAILURES_HEADING, findSection, replaceSection } from './sections.ts';

const BENCH = `# Benchmarks

- Date: 2026-12-04 05:59 UTC

## Main job

| figure | median |
|---|---|
| cold run | 24.55 s |

## Reporter overhead

Some text.
`;

const FF = `## False failures (20 clean runs)

- Runs: 20; green: 20 of 20
- Wall time per run: median 24.5 s
`;

describe('findSection / extractSection', () => {
  it('runs from its heading to the next level-1 or level-2 heading, or the end', () => {
    const doc = `${BENCH}\n${FF}`;
    expect(extractSection(doc, FALSE_FAILURES_HEADING)).toBe(FF);
    const middle = `${BENCH.replace('## Reporter overhead', `${FF}\n## Reporter overhead`)}`;
    expect(extractSection(middle, FALSE_FAILURES_HEADING)).toBe(`${FF}\n`);
  });

  it('matches the heading whatever run count it names, and level-3 headings stay inside', () => {
    const section = '## False failures (2 clean runs)\n\n### detail\n\ntext\n';
    expect(extractSection(`${BENCH}\n${section}`, FALSE_FAILURES_HEADING)).toBe(section);
    expect(extractSection(BENCH, FALSE_FAILURES_HEADING)).toBeUndefined();
    expect(findSection('### False failures\n', FALSE_FAILURES_HEADING)).toBeUndefined();
  });

  it('ignores headings inside code fences', () => {
    const section = '## False failures (3 clean runs)\n\n```md\n## not a heading\n```\n\nafter\n';
    expect(extractSection(`${section}\n## Next\n`, FALSE_FAILURES_HEADING)).toBe(`${section}\n`);
    expect(extractSection('```\n## False failures\n```\n', FALSE_FAILURES_HEADING)).toBeUndefined();
  });
});

describe('replaceSection', () => {
  it('changes only the section: every byte before and after it stays', () => {
    const before = BENCH.replace('## Reporter overhead', `${FF}\n## Reporter overhead`);
    const next = '## False failures (2 clean runs)\n\n- Runs: 2\n';
    const after = replaceSection(before, FALSE_FAILURES_HEADING, next);
    const at = before.indexOf('## False failures');
    expect(after.slice(0, at)).toBe(before.slice(0, at));
    expect(after.slice(at)).toBe(`${next}\n## Reporter overhead\n\nSome text.\n`);
  });

  it('keeps the end of the file as it was (final newline or none)', () => {
    expect(replaceSection(`${BENCH}\n${FF}`, FALSE_FAILURES_HEADING, '## False failures (1 clean runs)\n\nnew\n\n\n')).toBe(
      `${BENCH}\n## False failures (1 clean runs)\n\nnew\n`,
    );
    expect(replaceSection('# B\n\n## False failures\nold', FALSE_FAILURES_HEADING, '## False failures\nnew\n')).toBe('# B\n\n## False failures\nnew');
  });

  it('appends the section after one blank line when the file has none', () => {
    expect(replaceSection(BENCH, FALSE_FAILURES_HEADING, FF)).toBe(`${BENCH}\n${FF}`);
    expect(replaceSection('# B\n\n', FALSE_FAILURES_HEADING, FF)).toBe(`# B\n\n${FF}`);
    expect(replaceSection('# B', FALSE_FAILURES_HEADING, FF)).toBe(`# B\n\n${FF}`);
    expect(replaceSection('', FALSE_FAILURES_HEADING, FF)).toBe(FF);
  });

  it('is idempotent', () => {
    const once = replaceSection(BENCH, FALSE_FAILURES_HEADING, FF);
    expect(replaceSection(once, FALSE_FAILURES_HEADING, FF)).toBe(once);
  });
});

describe('carrySection (pnpm bench rewriting the whole file)', () => {
  it('carries the previous file’s section over, unchanged, to the end of the new one', () => {
    const previous = `${BENCH}\n${FF}`;
    const rendered = BENCH.replace('24.55 s', '23.10 s');
    const out = carrySection(previous, rendered, FALSE_FAILURES_HEADING);
    expect(out).toBe(`${rendered}\n${FF}`);
    expect(extractSection(out, FALSE_FAILURES_HEADING)).toBe(extractSection(previous, FALSE_FAILURES_HEADING));
  });

  it('carries a section that sat between others, its text unchanged', () => {
    const previous = BENCH.replace('## Reporter overhead', `${FF}\n## Reporter overhead`);
    expect(carrySection(previous, BENCH, FALSE_FAILURES_HEADING)).toBe(`${BENCH}\n${FF}`);
  });

  it('leaves the new file as rendered when there was no previous file or no section', () => {
    expect(carrySection(undefined, BENCH, FALSE_FAILURES_HEADING)).toBe(BENCH);
    expect(carrySection(BENCH, BENCH, FALSE_FAILURES_HEADING)).toBe(BENCH);
  });

  it('is stable over repeated bench runs', () => {
    const first = carrySection(`${BENCH}\n${FF}`, BENCH, FALSE_FAILURES_HEADING);
    expect(carrySection(first, BENCH, FALSE_FAILURES_HEADING)).toBe(first);
  });
});
