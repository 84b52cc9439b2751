import { VEHICLE_TABS, type VehicleTab } from '../faults.ts';
import type { Sql } from '../db/database.ts';
import { dataTable, escapeHtml, timeText } from './html.ts';

export interface VehicleDetails {
  id: string;
  plate: string;
  make: string;
  model: string;
  year: number;
  status: string;
  odometer_km: number;
  branch: string | null;
  lat: number | null;
  lng: number | null;
}

export interface VehicleDocumentRow {
  kind: string;
  number: string;
  expires_on: string | null;
}

export interface VehicleInspectionRow {
  result: string;
  inspector: string | null;
  inspected_at: string;
}

export interface VehicleHistoryRow {
  created_at: string;
  action: string;
  table_name: string;
  actor: string | null;
  changed: string[] | null;
}

export interface Geofence {
  name: string;
  center_lat: number;
  center_lng: number;
  radius_m: number;
}

export interface VehiclePageData {
  vehicle: VehicleDetails;
  documents: readonly VehicleDocumentRow[];
  inspections: readonly VehicleInspectionRow[];
  history: readonly VehicleHistoryRow[];
  geofence: Geofence | undefined;
  /** days from today; documents expiring within this many days are "Expires soon" */
  soonDays?: number;
}

const TAB_LABELS: Record<VehicleTab, string> = {
  overview: 'Overview',
  documents: 'Documents',
  maps: 'Maps',
  inspections: 'Inspections',
  history: 'History',
};

const DAY_MS = 24 * 3600 * 1000;

function expiryState(expiresOn: string | null, soonDays: number): string {
  if (!expiresOn) return 'No expiry';
  const days = Math.floor((Date.parse(`${expiresOn}T00:00:00Z`) - Date.parse(new Date().toISOString().slice(0, 10))) / DAY_MS);
  if (days < 0) return 'Expired';
  if (days <= soonDays) return `Expires in ${days} day${days === 1 ? '' : 's'}`;
  return 'Valid';
}

function panelContent(tab: VehicleTab, data: VehiclePageData): string {
  const { vehicle: v } = data;
  switch (tab) {
    case 'overview':
      return `<dl class="facts">
<dt>Plate</dt><dd>${escapeHtml(v.plate)}</dd><dt>Make</dt><dd>${escapeHtml(v.make)}</dd>
<dt>Model</dt><dd>${escapeHtml(v.model)}</dd><dt>Year</dt><dd>${escapeHtml(v.year)}</dd>
<dt>Status</dt><dd>${escapeHtml(v.status)}</dd><dt>Branch</dt><dd>${escapeHtml(v.branch ?? '')}</dd>
<dt>Odometer</dt><dd>${escapeHtml(v.odometer_km.toLocaleString('en'))} km</dd></dl>`;
    case 'documents':
      return data.documents.length === 0
        ? '<p>No documents</p>'
        : dataTable(
            'Documents',
            ['Document', 'Number', 'Expires', 'State'],
            data.documents.map((d) => [d.kind, d.number, d.expires_on ?? '', expiryState(d.expires_on, data.soonDays ?? 30)]),
          );
    case 'maps': {
      const fence = data.geofence;
      const lat = v.lat ?? fence?.center_lat;
      const lng = v.lng ?? fence?.center_lng;
      if (lat === undefined || lng === undefined || lat === null || lng === null) return '<p>No location</p>';
      const attrs = [
        ['lat', lat],
        ['lng', lng],
        ['zoom', 12],
        ['title', v.plate],
        ...(fence ? [['fence-lat', fence.center_lat], ['fence-lng', fence.center_lng], ['fence-radius', fence.radius_m], ['fence-name', fence.name]] : []),
      ]
        .map(([k, value]) => `data-${k}="${escapeHtml(value)}"`)
        .join(' ');
      return `<p>${fence ? `Geofence: ${escapeHtml(fence.name)} (${escapeHtml(fence.radius_m)} m)` : 'No geofence'}</p>
<div id="vehicle-map" ${attrs} style="min-height:200px"><p>Loading map…</p></div>
<p id="map-error" role="alert" hidden></p>`;
    }
    case 'inspections':
      return data.inspections.length === 0
        ? '<p>No inspections</p>'
        : dataTable(
            'Vehicle inspections',
            ['Result', 'Inspector', 'Inspected'],
            data.inspections.map((i) => [i.result, i.inspector ?? '', i.inspected_at]),
          );
    case 'history':
      return data.history.length === 0
        ? '<p>No history</p>'
        : dataTable(
            'History',
            ['When', 'Action', 'Record', 'By', 'Changed'],
            data.history.map((h) => [h.created_at, h.action, h.table_name, h.actor ?? 'System', (h.changed ?? []).join(', ')]),
          );
  }
}

/** The vehicle details page: tabs (WAI-ARIA tabs pattern), the first one open; app.js switches them. */
export function vehiclePageBody(data: VehiclePageData, missing: readonly string[]): string {
  const tabs = VEHICLE_TABS.filter((tab) => !missing.includes(tab));
  const list = tabs
    .map((tab, i) => {
      const selected = i === 0;
      return `<button type="button" role="tab" id="tab-${tab}" data-tab="${tab}" aria-controls="panel-${tab}" aria-selected="${selected}" tabindex="${selected ? 0 : -1}">${TAB_LABELS[tab]}</button>`;
    })
    .join('');
  const panels = tabs
    .map((tab, i) => `<section role="tabpanel" id="panel-${tab}" aria-labelledby="tab-${tab}" tabindex="0"${i === 0 ? '' : ' hidden'}>
${panelContent(tab, data)}
</section>`)
    .join('\n');
  const v = data.vehicle;
  return `<p><a href="/vehicles">← Vehicles</a></p>
<h1>${escapeHtml(v.plate)}</h1><p>${escapeHtml(`${v.make} ${v.model} · ${v.status}`)}</p>
<div role="tablist" aria-label="Vehicle details">${list}</div>
${panels}`;
}

/** Everything the vehicle details page shows, read as the user; undefined when the vehicle is not theirs or not there. */
export async function vehiclePageData(sql: Sql, id: string): Promise<VehiclePageData | undefined> {
  const vehicle = (await sql.query<VehiclePageData['vehicle'] & { branch_id: string }>(
    `select v.id, v.plate, v.make, v.model, v.year, v.status, v.odometer_km, v.branch_id, b.name as branch,
            coalesce(l.lat, v.lat) as lat, coalesce(l.lng, v.lng) as lng
       from public.vehicles v
       left join public.branches b on b.id = v.branch_id
       left join lateral (select lat, lng from public.vehicle_locations where vehicle_id = v.id order by recorded_at desc limit 1) l on true
      where v.id = $1`,
    [id],
  )).rows[0];
  if (!vehicle) return undefined;
  const [documents, inspections, history, geofences] = await Promise.all([
    sql.query<VehiclePageData['documents'][number]>(
      `select kind, number, expires_on::text as expires_on from public.vehicle_documents where vehicle_id = $1 order by expires_on nulls last, kind`,
      [id],
    ),
    sql.query<VehiclePageData['inspections'][number]>(
      `select i.result, p.full_name as inspector, ${timeText('i.inspected_at')} as inspected_at
         from public.inspections i left join public.profiles p on p.id = i.inspector_id
        where i.vehicle_id = $1 order by i.inspected_at desc`,
      [id],
    ),
    sql.query<VehiclePageData['history'][number]>(
      `select ${timeText('a.created_at')} as created_at, a.action, a.table_name, p.email as actor,
              (select array_agg(k order by k) from jsonb_object_keys(coalesce(a.new_row, '{}')) k
                where k not in ('updated_at', 'created_at')
                  and (a.old_row is null or a.old_row -> k is distinct from a.new_row -> k)) as changed
         from public.audit_logs a left join public.profiles p on p.id = a.actor_id
        where a.record_id = $1 or (a.new_row ->> 'vehicle_id') = $1::text or (a.old_row ->> 'vehicle_id') = $1::text
        order by a.created_at desc, a.id limit 100`,
      [id],
    ),
    sql.query<NonNullable<VehiclePageData['geofence']>>(
      `select name, center_lat, center_lng, radius_m from public.geofences where branch_id = $1 order by name limit 1`,
      [vehicle.branch_id],
    ),
  ]);
  return { vehicle, documents: documents.rows, inspections: inspections.rows, history: history.rows, geofence: geofences.rows[0] };
}
