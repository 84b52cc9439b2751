/**
 * docs/detection.md is generated from tests/proofs/detection-expectations.ts (`pnpm detection:doc`): it must be
 * exactly what the generator renders now, so the published matrix is the one the proof runs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MATRIX } from '../tests/proofs/detection-expectations.ts';
import { DOC_PATH, readable, renderDetectionDoc } from './detection-doc.ts';

describe('docs/detection.md', () => {
  it('is up to date with the detection expectations (run `pnpm detection:doc`)', () => {
    expect(readFileSync(DOC_PATH, 'utf8'), 'docs/detection.md is out of date: run `pnpm detection:doc`').toBe(renderDetectionDoc());
  });

  it('has a grid row and a section for every row of the matrix', () => {
    const doc = renderDetectionDoc();
    for (const row of MATRIX) {
      const label = row.fault === 'clean' ? '*clean*' : `\`${row.spec}\``;
      expect(doc, row.fault).toContain(`| ${label} |`);
    }
    expect(doc.match(/^### /gm)).toHaveLength(MATRIX.length);
  });

  it('shows reason patterns as text', () => {
    expect(readable(/^vehicle status of SYN-\d+ is [A-Z_]+ after Accept, expected IN_TRANSIT$/)).toBe(
      'vehicle status of SYN-… is … after Accept, expected IN_TRANSIT',
    );
    expect(readable(/^missing index on notifications \(/)).toBe('missing index on notifications (');
    expect(readable(/in \/_next\/static\/chunks\/env-config\.js$/)).toBe('in /_next/static/chunks/env-config.js');
  });
});
