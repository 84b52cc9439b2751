import { describe, expect, it } from 'vitest';
import { CHECKBOX, migrationDetails, parseLogAnnotation, parseLogPlace, summaryRow, testSection, verifies } from './log-annotations.ts';

describe('log annotations', () => {
  it('parse back into places and checkbox claims', () => {
    expect(parseLogAnnotation(summaryRow('API Health').description)).toEqual({ kind: 'place', place: { kind: 'summary-row', row: 'API Health' } });
    expect(parseLogAnnotation(testSection('Login Test').description)).toEqual({ kind: 'place', place: { kind: 'test-section', heading: 'Login Test' } });
    expect(parseLogAnnotation(CHECKBOX.apiEndpoints.description)).toEqual({
      kind: 'verifies',
      claim: { section: 'Deployment Verification', item: 'API endpoints responding' },
    });
    // The checkbox text may hold a slash; the section name is what comes before the first one.
    expect(parseLogAnnotation(verifies('Migration Verification', 'Tables created/updated').description)).toEqual({
      kind: 'verifies',
      claim: { section: 'Migration Verification', item: 'Tables created/updated' },
    });
  });

  it('reject what names nothing', () => {
    for (const d of [undefined, '', 'row:API', 'summary-row:', 'verifies:no slash', 'verifies:/item', 'verifies:Section/']) {
      expect(parseLogAnnotation(d), String(d)).toBeUndefined();
    }
    expect(parseLogPlace(CHECKBOX.productionUrl.description)).toBeUndefined();
  });
});

describe('migrationDetails', () => {
  it('counts what a catalog check found and names the first few, sorted', () => {
    const details = migrationDetails({
      tables: ['vehicles', 'alerts', 'branches', 'corporates', 'handshakes', 'inspections', 'profiles', 'audit_logs'],
      policies: ['vehicles_tenant'],
      indexes: [],
      triggers: ['audit_vehicles', 'audit_vehicles'],
    });
    expect(details).toEqual({
      list: 'Migration Details',
      items: {
        'Tables Created/Updated': '8 found: alerts, audit_logs, branches, corporates, handshakes, inspections, … (+2 more)',
        'RLS Policies': '1 found: vehicles_tenant',
        Indexes: 'none found',
        'Audit Triggers': '1 found: audit_vehicles',
      },
    });
  });
});
