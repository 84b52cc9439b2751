/**
 * The smoke run's synthetic data, around the Playwright run: before it, the leftovers of runs that are over (killed
 * mid-way) are swept; after it, the run proves it left nothing tagged with its own id. Both act as the smoke user,
 * in its own tenant, and only when writes are allowed (read-only runs write nothing to clean).
 */
import { appProfile } from '../config/app-profile.ts';
import { writeRefusal, writesAllowed, type TargetEnv } from '../config/target-env.ts';
import { makeClient } from '../supabase.ts';
import { describeLeftovers, smokeLeftovers, sweepSmokeLeftovers } from '../synthetic/smoke-leftovers.ts';
import { runIsOver } from './run-registry.ts';

async function smokeUser(target: TargetEnv) {
  const client = makeClient(target.SUPABASE_URL, target.SUPABASE_ANON_KEY);
  const { data, error } = await client.auth.signInWithPassword({ email: target.SMOKE_USER_EMAIL, password: target.SMOKE_USER_PASSWORD });
  if (error || !data.user) return undefined;
  const { profiles } = appProfile;
  const own = await client.from(profiles.table).select(profiles.tenantColumn).eq(profiles.idColumn, data.user.id).maybeSingle();
  const tenantId = (own.data as Record<string, unknown> | null)?.[profiles.tenantColumn];
  return typeof tenantId === 'string' ? { client, userId: data.user.id, tenantId } : undefined;
}

/** Sweeps earlier runs' leftovers; one line on stderr when it removed any. Never fails the run: the checks will. */
export async function sweepEarlierRuns(target: TargetEnv, envName: string, runId: string, err: (line: string) => void): Promise<void> {
  if (!writesAllowed(target)) return;
  try {
    const user = await smokeUser(target);
    if (!user || writeRefusal(target, envName, user.tenantId)) return;
    const swept = await sweepSmokeLeftovers(user.client, user.tenantId, user.userId, (id) => id !== runId && runIsOver(id));
    const what = describeLeftovers(swept);
    if (what) err(`test:smoke: swept synthetic data of ${swept.runs.length} earlier run${swept.runs.length === 1 ? '' : 's'} that did not finish (${swept.runs.join(', ')}): ${what}\n`);
    await user.client.auth.signOut({ scope: 'local' });
  } catch (e) {
    err(`test:smoke: could not sweep earlier runs' synthetic data (${(e as Error).message.split('\n')[0]})\n`);
  }
}

/** What this run left behind ("1 handshake, 1 photo"), undefined when nothing; a failure to look is reported too. */
export async function leftBehind(target: TargetEnv, runId: string): Promise<string | undefined> {
  if (!writesAllowed(target)) return undefined;
  try {
    const user = await smokeUser(target);
    if (!user) return undefined;
    const left = describeLeftovers(await smokeLeftovers(user.client, user.tenantId, runId));
    await user.client.auth.signOut({ scope: 'local' });
    return left;
  } catch (e) {
    return `unknown: could not count it (${(e as Error).message.split('\n')[0]})`;
  }
}
