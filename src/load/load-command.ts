/**
 * `pnpm load --env=NAME --profile=NAME [--duration=S] [--connections=N] [--confirm-production]`:
 * one load profile against the target, judged by its thresholds. Exit 0 within thresholds, 1 a threshold
 * failed, 2 usage/config/environment. A production-looking environment needs --confirm-production.
 */
import { parseCliArgs } from '../cli/args.ts';
import { EXIT, UsageError } from '../errors.ts';
import { makeClient, describeError } from '../supabase.ts';
import { openTarget } from '../run/open-target.ts';
import { watchInterrupts } from '../run/interrupts.ts';
import { makeRunId } from '../run/run-id.ts';
import { syntheticUserAgent } from '../run/synthetic-traffic.ts';
import { writesAllowed } from '../config/target-env.ts';
import { createProbeVehicle, sweepProbeVehicles, type ProbeVehicle } from '../synthetic/probe-vehicle.ts';

/** Plates of the synthetic vehicles the writes profile creates. */
export const LOAD_PLATE_PREFIX = 'LOAD-';
import { PROFILE_NAMES, PROFILE_SETTINGS, profileRequests, type ProfileName, type ProfileSettings } from '../../load/profiles.ts';
import { runProfile, type LoadResult } from './run-profile.ts';

export interface CommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const USAGE = `usage: pnpm load --env=NAME --profile=${PROFILE_NAMES.join('|')} [--duration=SECONDS] [--connections=N] [--confirm-production]`;

export function looksLikeProduction(envName: string): boolean {
  return /prod/i.test(envName);
}

function positiveNumber(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`load: --${flag} must be a ${integer ? 'whole ' : ''}number above 0, got "${value}"`);
  }
  return n;
}

export async function runLoad(argv: string[], io: CommandIo): Promise<number> {
  let close: (() => Promise<void>) | undefined;
  // Ctrl-C or SIGTERM ends the load early: the figures so far are printed, the synthetic vehicle is removed.
  const interrupts = watchInterrupts();
  try {
    const args = parseCliArgs(argv, {
      command: 'load',
      flags: ['env', 'profile', 'duration', 'connections', 'confirm-production', 'json', 'help'],
      booleans: ['confirm-production', 'json', 'help'],
    });
    if (args.flags.help) {
      io.out(`${USAGE}\n`);
      return EXIT.ok;
    }
    const profile = args.flags.profile;
    if (!profile) throw new UsageError(`load: --profile is required (${PROFILE_NAMES.join(', ')})`);
    if (!(PROFILE_NAMES as readonly string[]).includes(profile)) {
      throw new UsageError(`load: --profile=${profile} is unknown (${PROFILE_NAMES.join(', ')})`);
    }
    const envName = args.flags.env ?? 'local';
    if (looksLikeProduction(envName) && args.flags['confirm-production'] !== 'true') {
      throw new UsageError(`load: --env=${envName} looks like production; add --confirm-production to send load to it`);
    }
    // Flags win over the profile's settings.
    const settings: ProfileSettings = {
      ...PROFILE_SETTINGS[profile as ProfileName],
      ...defined({
        durationSeconds: positiveNumber('duration', args.flags.duration, false),
        connections: positiveNumber('connections', args.flags.connections, true),
      }),
    };

    const target = await openTarget(envName, io.cwd, io.env, io.err);
    close = () => target.close();
    const { env } = target;
    if (profile === 'writes' && !writesAllowed(env)) {
      throw new UsageError(`load: the writes profile writes to the synthetic tenant; set SMOKE_ALLOW_WRITES=1 for --env=${envName} to allow it`);
    }
    let accessToken: string | undefined;
    const client = makeClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY);
    if (profile !== 'sign-in') {
      const { data, error } = await client.auth.signInWithPassword({ email: env.SMOKE_USER_EMAIL, password: env.SMOKE_USER_PASSWORD });
      if (error || !data.session) throw new UsageError(`load: the smoke user cannot sign in (${describeError(error)})`);
      accessToken = data.session.access_token;
    }
    const runId = makeRunId(new Date(), 'load');
    let vehicle: ProbeVehicle | undefined;
    if (profile === 'writes') {
      await sweepProbeVehicles(client, LOAD_PLATE_PREFIX, new Date(Date.now() - 3_600_000));
      vehicle = await createProbeVehicle(client, LOAD_PLATE_PREFIX, runId).catch((e: Error) => {
        throw new UsageError(`load: ${e.message}`);
      });
      const created = vehicle;
      const previous = close;
      close = async () => {
        await created.remove();
        await previous?.();
      };
    }
    const userAgent = syntheticUserAgent(`load ${profile}`, runId);
    const requests = profileRequests(profile as ProfileName, {
      anonKey: env.SUPABASE_ANON_KEY,
      accessToken,
      email: env.SMOKE_USER_EMAIL,
      password: env.SMOKE_USER_PASSWORD,
      syntheticVehicleId: vehicle?.id,
    }).map((r) => ({ ...r, headers: { ...r.headers, 'user-agent': userAgent } }));
    io.err(`load ${runId}: ${profile} on ${envName} for ${settings.durationSeconds} s with ${settings.connections} connections\n`);
    if (interrupts.signal) {
      io.err(`load: interrupted by ${interrupts.signal} before the load started\n`);
      return interrupts.exitCode();
    }
    const result = await runProfile(new URL(env.BASE_URL).origin, requests, settings, interrupts.received);
    io.out(args.flags.json === 'true' ? `${JSON.stringify({ profile, env: envName, settings, ...result })}\n` : describe(profile, settings, result));
    if (interrupts.signal) {
      io.err(`load: interrupted by ${interrupts.signal}: the figures above cover the ${result.requests} requests made until then\n`);
      return interrupts.exitCode();
    }
    return result.failures.length === 0 ? EXIT.ok : EXIT.checkFailed;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message.startsWith('load:') ? '' : 'load: '}${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  } finally {
    await close?.();
    interrupts.dispose();
  }
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function describe(profile: string, s: ProfileSettings, r: LoadResult): string {
  const l = r.latency;
  const lines = [
    `${profile}: ${r.requests} requests, ${r.requestsPerSecond.toFixed(0)} req/s, errors ${r.errors} (${r.errorRatePct.toFixed(2)}%, limit ${s.errorRatePct}%)`,
    `latency ms: p50 ${l.p50.toFixed(1)} · p95 ${l.p95.toFixed(1)} (limit ${s.p95Ms}) · p99 ${l.p99.toFixed(1)} · max ${l.max.toFixed(1)}`,
    r.failures.length === 0 ? 'PASSED: within thresholds' : `FAILED: ${r.failures.join('; ')}`,
  ];
  return `${lines.join('\n')}\n`;
}
