/**
 * Synthetic vehicles the monitor and the load profiles write to. They belong to the smoke user's tenant, their
 * plate carries a prefix and the run id, they are deleted when the run ends, and leftovers of killed runs are
 * swept by prefix and age at the next start.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { describeError } from '../supabase.ts';

export interface ProbeVehicle {
  id: string;
  plate: string;
  remove(): Promise<void>;
}

export async function createProbeVehicle(client: SupabaseClient, prefix: string, runId: string): Promise<ProbeVehicle> {
  const { data: branch, error: branchError } = await client.from('branches').select('id, corporate_id').limit(1).maybeSingle();
  if (branchError || !branch) throw new Error(`no branch visible to the smoke user (${branchError ? describeError(branchError) : '0 rows'})`);
  const plate = `${prefix}${runId.slice(-13)}`;
  const { data, error } = await client
    .from('vehicles')
    .insert({ corporate_id: branch.corporate_id, branch_id: branch.id, plate, make: 'Synthetic', model: runId, year: 2024 })
    .select('id')
    .single();
  if (error || !data) throw new Error(`cannot create the synthetic vehicle ${plate} (${describeError(error)})`);
  const id = data.id as string;
  return {
    id,
    plate,
    async remove() {
      await client.from('vehicles').delete().eq('id', id);
    },
  };
}

/** Deletes synthetic vehicles with this prefix created before `olderThan`; returns how many. */
export async function sweepProbeVehicles(client: SupabaseClient, prefix: string, olderThan: Date): Promise<number> {
  const { data } = await client.from('vehicles').delete().like('plate', `${prefix}%`).lt('created_at', olderThan.toISOString()).select('id');
  return data?.length ?? 0;
}
