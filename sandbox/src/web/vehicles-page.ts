import { VEHICLE_STATUSES } from '../db/seed-data.ts';
import { dataTable, escapeHtml, raw } from './html.ts';

export interface VehicleListRow {
  id: string;
  plate: string;
  make: string;
  model: string;
  status: string;
  branch_id: string | null;
  branch: string | null;
}

export interface BranchOption {
  id: string;
  name: string;
}

const option = (value: string, label: string) => `<option value="${escapeHtml(value)}">${escapeHtml(label)}</option>`;

/**
 * The vehicles list. The app's browser code (client/app.js) filters the rows in place (search, status, branch;
 * rows stay in the DOM and are hidden) and keeps the list live over Realtime.
 */
export function vehiclesPageBody(vehicles: readonly VehicleListRow[], branches: readonly BranchOption[]): string {
  const statuses = [option('', 'All statuses'), ...VEHICLE_STATUSES.map((s) => option(s, s))];
  const branchOptions = [option('', 'All branches'), ...branches.map((b) => option(b.id, b.name))];
  const table = dataTable(
    'Vehicles',
    ['Plate', 'Make', 'Model', 'Status', 'Branch'],
    vehicles.map((v) => [raw(`<a href="/vehicles/${escapeHtml(v.id)}">${escapeHtml(v.plate)}</a>`), v.make, v.model, v.status, v.branch ?? '']),
    (i) => {
      const v = vehicles[i]!;
      const haystack = `${v.plate} ${v.make} ${v.model}`.toLowerCase();
      return `data-search="${escapeHtml(haystack)}" data-id="${escapeHtml(v.id)}" data-status="${escapeHtml(v.status)}" data-branch="${escapeHtml(v.branch_id ?? '')}"`;
    },
    'data-vehicles-list',
  );
  return `<h1>Vehicles</h1>
<div class="filters">
  <div><label for="vehicle-search">Search vehicles</label><input id="vehicle-search" type="search" autocomplete="off"></div>
  <div><label for="vehicle-status">Status</label><select id="vehicle-status">${statuses.join('')}</select></div>
  <div><label for="vehicle-branch">Branch</label><select id="vehicle-branch">${branchOptions.join('')}</select></div>
</div>
${table}
${vehicles.length === 0 ? '<p>No vehicles</p>' : ''}
<p id="no-match" role="status" hidden>No vehicles match</p>`;
}
