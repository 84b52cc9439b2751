import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FaultSwitchboard } from '../faults.ts';
import { appBundle } from './assets.ts';

describe('the app bundle as served', () => {
  it('leaves out the wiring of a broken feature, and never shows a marker', async () => {
    const source = await readFile(new URL('./client/app.js', import.meta.url), 'utf8');
    const clean = appBundle(source, new FaultSwitchboard(''));
    expect(clean).toContain("search.addEventListener('input', apply);");
    expect(clean).toContain("status.addEventListener('change', apply);");
    expect(clean).not.toMatch(/\/\*(search|filters)\*\//);

    const noSearch = appBundle(source, new FaultSwitchboard('search_broken'));
    expect(noSearch).not.toContain("search.addEventListener('input'");
    expect(noSearch).not.toContain('row.dataset.search.includes(term)');
    expect(noSearch).toContain("status.addEventListener('change', apply);");

    const noFilters = appBundle(source, new FaultSwitchboard('filter_broken'));
    expect(noFilters).not.toContain("status.addEventListener('change'");
    expect(noFilters).not.toContain("branch.addEventListener('change'");
    expect(noFilters).not.toContain('row.dataset.status !== status.value');
    expect(noFilters).toContain("search.addEventListener('input', apply);");
    for (const bundle of [clean, noSearch, noFilters]) expect(bundle).not.toMatch(/\bfaults?\b|broken/i);
  });
});
