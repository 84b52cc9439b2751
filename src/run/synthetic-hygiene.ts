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
  await sweep(target, envName, (id) => id !== runId && runIsOver(id), err, (swept, what) =>
    `test:smoke: swept synthetic data of ${swept.length} earlier run${swept.length === 1 ? '' : 's'} that did not finish (${swept.join(', ')}): ${what}\n`,
  );
}

/**
 * After an interrupted run, once Playwright and its browsers have exited: sweeps what the run itself still has
 * tagged. The fixtures clean up in their teardown, but a write the browser sent just before the signal can
 * commit after the teardown looked (tests/proofs/robustness.test.ts once found such a row left behind).
 */
export async function sweepInterruptedRun(target: TargetEnv, envName: string, runId: string, err: (line: string) => void): Promise<void> {
  await sweep(target, envName, (id) => id === runId, err, (_swept, what) => `test:smoke: swept what the interrupted run ${runId} still had: ${what}\n`);
}

async function sweep(target: TargetEnv, envName: string, isOver: (runId: string) => boolean, err: (line: string) => void, say: (runs: string[], what: string) => string): Promise<void> {
  if (!writesAllowed(target)) return;
  try {
    const user = await smokeUser(target);
    if (!user || writeRefusal(target, envName, user.tenantId)) return;
    const swept = await sweepSmokeLeftovers(user.client, user.tenantId, user.userId, isOver);
    const what = describeLeftovers(swept);
    if (what) err(say(swept.runs, what));
    await user.client.auth.signOut({ scope: 'local' });
  } catch (e) {
    err(`test:smoke: could not sweep synthetic data (${(e as Error).message.split('\n')[0]})\n`);
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
