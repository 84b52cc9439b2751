/**
 * What the smoke suite's write flows leave in the synthetic tenant, found by the run id they tag it with: handshakes
 * and inspections (notes), probe vehicles (model), inspection photos (file name), and the emails' notifications.
 * `pnpm test:smoke` sweeps the leftovers of dead runs before it starts, and ends by proving that its own run left
 * nothing (a fixture that crashed mid-cleanup, or a check that forgot to clean up, fails the run).
 *
 * The tag format lives here, so the writers (tests/smoke/fixtures.ts) and the sweeper cannot drift apart.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { appProfile } from '../config/app-profile.ts';
import { describeError } from '../supabase.ts';

/** `text [smoke run <runId>#<hex>]`: the run id, then the writing test's own mark. */
export function smokeTag(text: string, mark: string): string {
  return `${text} [smoke run ${mark}]`;
}

const TAG = /\[smoke run ([^#\]\s]+)#[^\]]*\]/;
/** What the Handshake Accept flow writes into its handshake, so that a sweep can put the vehicle back. */
export const VEHICLE_WAS = (status: string) => `(vehicle was ${status})`;
const WAS = /\(vehicle was ([A-Z_]+)\)/;

export function taggedRunId(text: string | null | undefined): string | undefined {
  return text ? TAG.exec(text)?.[1] : undefined;
}

interface Tagged {
  table: 'handshakes' | 'inspections' | 'vehicles';
  id: string;
  runId: string;
  text: string;
  /** handshakes: vehicle, status, created_at; inspections: photo path */
  row: Record<string, unknown>;
}

export interface Leftovers {
  handshakes: number;
  inspections: number;
  vehicles: number;
  photos: string[];
}

/** Every tagged row of the smoke tenant (all runs, or only `runId`'s), and the photos named after those runs. */
async function findTagged(client: SupabaseClient, tenantId: string, runId?: string): Promise<{ rows: Tagged[]; photos: { path: string; runId: string }[] }> {
  const pattern = `*[smoke run ${runId ?? ''}*`;
  const [handshakes, inspections, vehicles] = await Promise.all([
    client.from('handshakes').select('id, notes, status, vehicle_id, created_at').eq('corporate_id', tenantId).like('notes', pattern),
    client.from('inspections').select('id, notes, photo_path').eq('corporate_id', tenantId).like('notes', pattern),
    client.from('vehicles').select('id, model').eq('corporate_id', tenantId).like('model', pattern),
  ]);
  for (const [what, answer] of [['handshakes', handshakes], ['inspections', inspections], ['vehicles', vehicles]] as const) {
    if (answer.error) throw new Error(`reading tagged ${what}: ${describeError(answer.error, answer.status)}`);
  }
  const rows: Tagged[] = [];
  const add = (table: Tagged['table'], data: Record<string, unknown>[] | null, column: string) => {
    for (const row of data ?? []) {
      const text = String(row[column] ?? '');
      const id = taggedRunId(text);
      if (id && (!runId || id === runId)) rows.push({ table, id: row.id as string, runId: id, text, row });
    }
  };
  add('handshakes', handshakes.data, 'notes');
  add('inspections', inspections.data, 'notes');
  add('vehicles', vehicles.data, 'model');
  return { rows, photos: await findPhotos(client, tenantId, runId) };
}

/** Photos are `<tenant>/<vehicle>/smoke-<runId>.png`; the folders are the tenant's vehicles. */
async function findPhotos(client: SupabaseClient, tenantId: string, runId?: string): Promise<{ path: string; runId: string }[]> {
  const bucket = client.storage.from(appProfile.inspectionPhotosBucket);
  const vehicles = await client.from('vehicles').select('id').eq('corporate_id', tenantId);
  if (vehicles.error) throw new Error(`reading the smoke tenant's vehicles: ${describeError(vehicles.error, vehicles.status)}`);
  const found: { path: string; runId: string }[] = [];
  for (const v of vehicles.data ?? []) {
    const folder = `${tenantId}/${v.id as string}`;
    const listed = await bucket.list(folder, { limit: 1000, search: `smoke-${runId ?? ''}` });
    if (listed.error) throw new Error(`listing ${folder}: ${describeError(listed.error)}`);
    for (const o of listed.data ?? []) {
      const id = /^smoke-(.+)\.png$/.exec(o.name)?.[1];
      if (id && (!runId || id === runId)) found.push({ path: `${folder}/${o.name}`, runId: id });
    }
  }
  return found;
}

/** This run's leftovers, counted (the proof a run ends with). */
export async function smokeLeftovers(client: SupabaseClient, tenantId: string, runId: string): Promise<Leftovers> {
  const { rows, photos } = await findTagged(client, tenantId, runId);
  const count = (table: Tagged['table']) => rows.filter((r) => r.table === table).length;
  return { handshakes: count('handshakes'), inspections: count('inspections'), vehicles: count('vehicles'), photos: photos.map((p) => p.path) };
}

export function describeLeftovers(l: Leftovers): string | undefined {
  const parts = [
    l.handshakes && `${l.handshakes} handshake${l.handshakes === 1 ? '' : 's'}`,
    l.inspections && `${l.inspections} inspection${l.inspections === 1 ? '' : 's'}`,
    l.vehicles && `${l.vehicles} vehicle${l.vehicles === 1 ? '' : 's'}`,
    l.photos.length && `${l.photos.length} photo${l.photos.length === 1 ? '' : 's'}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/**
 * Removes the leftovers of runs that are over: `isOver(runId)` says which (a dead process on this machine, or a run
 * older than any run lasts). Vehicles an accepted handshake left IN_TRANSIT get their recorded status back, and the
 * acceptance emails' notifications go with their handshakes. Returns what it removed.
 */
export async function sweepSmokeLeftovers(
  client: SupabaseClient,
  tenantId: string,
  userId: string,
  isOver: (runId: string) => boolean,
): Promise<Leftovers & { runs: string[] }> {
  const all = await findTagged(client, tenantId);
  const rows = all.rows.filter((r) => isOver(r.runId));
  const photos = all.photos.filter((p) => isOver(p.runId));
  const problems: string[] = [];
  const note = (what: string, error: unknown) => error && problems.push(`${what}: ${describeError(error)}`);
  const ids = (table: Tagged['table']) => rows.filter((r) => r.table === table).map((r) => r.id);

  const photoPaths = new Set([...photos.map((p) => p.path), ...rows.filter((r) => r.table === 'inspections' && r.row.photo_path).map((r) => String(r.row.photo_path))]);
  if (photoPaths.size > 0) note('removing photos', (await client.storage.from(appProfile.inspectionPhotosBucket).remove([...photoPaths])).error);
  if (ids('inspections').length) note('deleting inspections', (await client.from('inspections').delete().in('id', ids('inspections'))).error);
  for (const h of rows.filter((r) => r.table === 'handshakes')) {
    const was = WAS.exec(h.text)?.[1];
    if (h.row.status === 'ACCEPTED' && was) {
      note('restoring a vehicle', (await client.from('vehicles').update({ status: was }).eq('id', h.row.vehicle_id as string).eq('status', 'IN_TRANSIT')).error);
      const plate = await client.from('vehicles').select('plate').eq('id', h.row.vehicle_id as string).maybeSingle();
      if (plate.data) {
        const removed = await client
          .from('notifications')
          .delete()
          .eq('recipient_id', userId)
          .eq('subject', appProfile.email.subject(plate.data.plate as string))
          .gte('created_at', String(h.row.created_at));
        note('deleting notifications', removed.error);
      }
    }
  }
  if (ids('handshakes').length) note('deleting handshakes', (await client.from('handshakes').delete().in('id', ids('handshakes'))).error);
  if (ids('vehicles').length) note('deleting probe vehicles', (await client.from('vehicles').delete().in('id', ids('vehicles'))).error);
  if (problems.length > 0) throw new Error(`sweeping earlier runs' synthetic data: ${problems.join('; ')}`);
  const count = (table: Tagged['table']) => ids(table).length;
  return {
    handshakes: count('handshakes'),
    inspections: count('inspections'),
    vehicles: count('vehicles'),
    photos: [...photoPaths],
    runs: [...new Set([...rows.map((r) => r.runId), ...photos.map((p) => p.runId)])].sort(),
  };
}
