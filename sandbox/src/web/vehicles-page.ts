import { VEHICLE_STATUSES } from '../db/seed-data.ts';
import { dataTable, escapeHtml } from './html.ts';

export interface VehicleListRow {
  plate: string;
  make: string;
  model: string;
  status: string;
  branch: string | null;
}

// Filters in the browser, as the app's client component does: rows stay in the DOM and are hidden.
const FILTER_SCRIPT = `
(() => {
  const search = document.getElementById('vehicle-search');
  const status = document.getElementById('vehicle-status');
  const rows = Array.from(document.querySelectorAll('table[aria-label="Vehicles"] tbody tr'));
  const noMatch = document.getElementById('no-match');
  function apply() {
    const term = search.value.trim().toLowerCase();
    let visible = 0;
    for (const row of rows) {
      const show = row.dataset.search.includes(term) && (!status.value || row.dataset.status === status.value);
      row.hidden = !show;
      if (show) visible++;
    }
    noMatch.hidden = rows.length === 0 || visible > 0;
  }
  search.addEventListener('input', apply);
  status.addEventListener('change', apply);
  apply();
})();`;

export function vehiclesPageBody(vehicles: readonly VehicleListRow[]): string {
  const options = [`<option value="">All statuses</option>`, ...VEHICLE_STATUSES.map((s) => `<option value="${s}">${s}</option>`)];
  const table = dataTable(
    'Vehicles',
    ['Plate', 'Make', 'Model', 'Status', 'Branch'],
    vehicles.map((v) => [v.plate, v.make, v.model, v.status, v.branch ?? '']),
    (i) => {
      const v = vehicles[i]!;
      const haystack = `${v.plate} ${v.make} ${v.model}`.toLowerCase();
      return `data-search="${escapeHtml(haystack)}" data-status="${escapeHtml(v.status)}"`;
    },
  );
  return `<h1>Vehicles</h1>
<div class="filters">
  <div><label for="vehicle-search">Search vehicles</label><input id="vehicle-search" type="search" autocomplete="off"></div>
  <div><label for="vehicle-status">Status</label><select id="vehicle-status">${options.join('')}</select></div>
</div>
${table}
${vehicles.length === 0 ? '<p>No vehicles</p>' : ''}
<p id="no-match" role="status" hidden>No vehicles match</p>
<script>${FILTER_SCRIPT}</script>`;
}
