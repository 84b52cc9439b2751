import { dataTable, escapeHtml, raw } from './html.ts';
import type { Permissions } from './permissions.ts';

export interface VehicleChoice {
  id: string;
  plate: string;
  branch_id: string;
}

export interface BranchChoice {
  id: string;
  name: string;
}

export interface HandshakeRow {
  id: string;
  plate: string | null;
  origin: string | null;
  destination: string | null;
  status: string;
  requested_at: string;
}

export interface InspectionRow {
  plate: string | null;
  result: string;
  inspector: string | null;
  inspected_at: string;
  photo_path: string | null;
}

const options = (items: readonly { id: string; label: string }[], placeholder: string) =>
  [`<option value="">${escapeHtml(placeholder)}</option>`, ...items.map((i) => `<option value="${escapeHtml(i.id)}">${escapeHtml(i.label)}</option>`)].join('');

/** A button that shows and hides a form (the app's browser code does it; before that it does nothing). */
const disclosure = (label: string, controls: string) =>
  `<p><button type="button" aria-expanded="false" aria-controls="${controls}">${escapeHtml(label)}</button></p>`;

export function handshakesPageBody(
  rows: readonly HandshakeRow[],
  vehicles: readonly VehicleChoice[],
  branches: readonly BranchChoice[],
  may: Pick<Permissions, 'createHandshake' | 'decideHandshake'>,
): string {
  const table = dataTable(
    'Handshakes',
    ['Vehicle', 'From', 'To', 'Status', 'Requested', 'Actions'],
    rows.map((h) => [
      h.plate ?? '',
      h.origin ?? '',
      h.destination ?? '',
      h.status,
      h.requested_at,
      raw(
        h.status === 'PENDING' && may.decideHandshake
          ? `<button type="button" data-handshake-action="accept" data-id="${escapeHtml(h.id)}" aria-label="Accept ${escapeHtml(h.plate ?? '')}">Accept</button>
<button type="button" data-handshake-action="reject" data-id="${escapeHtml(h.id)}" aria-label="Reject ${escapeHtml(h.plate ?? '')}">Reject</button>`
          : '',
      ),
    ]),
    (i) => `data-id="${escapeHtml(rows[i]!.id)}"`,
  );
  const form = `${disclosure('Create Handshake', 'handshake-form')}
<form id="handshake-form" class="panel" aria-label="Create handshake" hidden>
  <label for="handshake-vehicle">Vehicle</label>
  <select id="handshake-vehicle" name="vehicle_id" required>${options(vehicles.map((v) => ({ id: v.id, label: v.plate })), 'Choose a vehicle')}</select>
  <label for="handshake-to">To branch</label>
  <select id="handshake-to" name="to_branch_id" required>${options(branches.map((b) => ({ id: b.id, label: b.name })), 'Choose a branch')}</select>
  <label for="handshake-notes">Notes</label>
  <textarea id="handshake-notes" name="notes" rows="2"></textarea>
  <p><button type="submit">Create</button></p>
</form>`;
  return `<h1>Handshakes</h1>
${may.createHandshake ? form : ''}
<p id="handshake-error" role="alert" hidden></p>
${table}`;
}

export const CHECKLIST = ['Tyres', 'Brakes', 'Lights', 'Bodywork', 'Fluids'] as const;
const RESULTS = [
  ['PASS', 'Pass'],
  ['DAMAGE', 'Damage'],
  ['SERVICE_DUE', 'Service due'],
] as const;

export function inspectionsPageBody(rows: readonly InspectionRow[], vehicles: readonly VehicleChoice[], may: Pick<Permissions, 'createInspection'>): string {
  const table = dataTable(
    'Inspections',
    ['Vehicle', 'Result', 'Inspector', 'Inspected', 'Photo'],
    rows.map((r) => [r.plate ?? '', r.result, r.inspector ?? '', r.inspected_at, r.photo_path ? 'Yes' : '']),
  );
  const checklist = CHECKLIST.map(
    (item) => `<input type="checkbox" id="check-${item.toLowerCase()}" name="checklist" value="${item}"><label for="check-${item.toLowerCase()}">${item}</label>`,
  ).join('\n');
  const results = RESULTS.map(
    ([value, label]) => `<input type="radio" id="result-${value.toLowerCase()}" name="result" value="${value}" required><label for="result-${value.toLowerCase()}">${label}</label>`,
  ).join('\n');
  const form = `${disclosure('Create Inspection', 'inspection-form')}
<form id="inspection-form" class="panel" aria-label="Create inspection" hidden>
  <label for="inspection-vehicle">Vehicle</label>
  <select id="inspection-vehicle" name="vehicle_id" required>${options(vehicles.map((v) => ({ id: v.id, label: v.plate })), 'Choose a vehicle')}</select>
  <fieldset><legend>Checklist</legend>
${checklist}
  </fieldset>
  <label for="inspection-photo">Photo</label>
  <input type="file" id="inspection-photo" name="photo" accept="image/*">
  <fieldset><legend>Result</legend>
${results}
  </fieldset>
  <label for="inspection-notes">Notes</label>
  <textarea id="inspection-notes" name="notes" rows="2"></textarea>
  <p><button type="submit">Save inspection</button></p>
</form>`;
  return `<h1>Inspections</h1>
${may.createInspection ? form : ''}
<p id="inspection-error" role="alert" hidden></p>
${table}`;
}
