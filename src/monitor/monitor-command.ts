/**
 * `pnpm monitor --env=NAME --duration=60m --interval=10m [--log=PATH]`: the promotion log's 60-minute watch.
 * Measures at t=0 and every interval, writes each cycle's rows into section 6 as soon as they are measured
 * (a crash loses nothing already written), ticks fired rollback triggers in section 7, and exits 1 when any
 * trigger fired. `--time-scale=60` rehearses a window 60× faster and says so in the log.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCliArgs } from '../cli/args.ts';
import { writesAllowed } from '../config/target-env.ts';
import { appProfile } from '../config/app-profile.ts';
import { EXIT, UsageError } from '../errors.ts';
import { sendAlert } from '../alerts/webhook.ts';
import { watchInterrupts } from '../run/interrupts.ts';
import { makeRunId } from '../run/run-id.ts';
import { syntheticUserAgent } from '../run/synthetic-traffic.ts';
import { openTarget } from '../run/open-target.ts';
import { describeError, makeClient } from '../supabase.ts';
import { profileRequests } from '../../load/profiles.ts';
import { checkPromotionLog } from '../../reporters/promotion-log/log-file.ts';
import { writeMonitoringUpdate } from '../../reporters/promotion-log/monitoring-writer.ts';
import { DEFAULT_LOG } from '../run/smoke-command.ts';
import { minuteLabel, parseDuration } from './duration.ts';
import { probeIntegrity, probeRoleMatrix } from './guard-probes.ts';
import { databaseProbe, openRealtimeProbe, probeApi, probeHealth, probeSentry, PROBE_PLATE_PREFIX, type RealtimeProbe } from './probes.ts';
import { sweepProbeVehicles } from '../synthetic/probe-vehicle.ts';
import { errorRatePct, monitoringRows, TABLES, type CycleReport } from './rows.ts';
import { loadSchemaManifest } from '../db-checks/schema-manifest.ts';
import { DEFAULT_THRESHOLDS, loadThresholds, type MonitorThresholds } from './thresholds.ts';
import { TRIGGER_LABELS, TriggerEvaluator, type CycleMeasurement, type TriggerId } from './triggers.ts';

export interface CommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Waits; tests and rehearsals may pass a faster clock. */
  sleep?: (ms: number) => Promise<void>;
}

const USAGE = 'usage: pnpm monitor --env=NAME --duration=60m --interval=10m [--log=PATH] [--samples=20] [--consecutive=1] [--thresholds=FILE] [--time-scale=1]';

function positiveInt(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`monitor: --${flag} must be a whole number ≥ 1, got "${text}"`);
  return n;
}

export async function runMonitor(argv: string[], io: CommandIo): Promise<number> {
  let closeTarget: (() => Promise<void>) | undefined;
  let realtime: RealtimeProbe | undefined;
  let db: ReturnType<typeof databaseProbe> | undefined;
  // Ctrl-C or SIGTERM: no new measurement starts, the one under way is dropped unwritten, the rows already
  // written stay, and the finally block removes the probe vehicle and stops the sandbox.
  const interrupts = watchInterrupts();
  try {
    const args = parseCliArgs(argv, {
      command: 'monitor',
      flags: ['env', 'duration', 'interval', 'log', 'samples', 'consecutive', 'time-scale', 'thresholds', 'help'],
      booleans: ['help'],
    });
    if (args.flags.help) {
      io.out(`${USAGE}\n`);
      return EXIT.ok;
    }
    const durationMs = parseDuration('duration', args.flags.duration ?? '60m');
    const intervalMs = parseDuration('interval', args.flags.interval ?? '10m');
    if (intervalMs > durationMs) throw new UsageError('monitor: --interval must not be longer than --duration');
    const samples = positiveInt('samples', args.flags.samples, 20);
    const scale = positiveInt('time-scale', args.flags['time-scale'], 1);
    // Flags over the thresholds file over the defaults.
    const base = args.flags.thresholds ? readThresholds(path.resolve(io.cwd, args.flags.thresholds)) : DEFAULT_THRESHOLDS;
    const thresholds: MonitorThresholds = { ...base, consecutive: positiveInt('consecutive', args.flags.consecutive, base.consecutive) };
    const logPath = path.resolve(io.cwd, args.flags.log ?? io.env.PROMOTION_LOG ?? DEFAULT_LOG);
    const manifest = loadSchemaManifest(io.env.SMOKE_SCHEMA_MANIFEST, io.cwd);
    checkPromotionLog(logPath);

    const envName = args.flags.env ?? 'local';
    const target = await openTarget(envName, io.cwd, io.env, io.err);
    closeTarget = () => target.close();
    const { env } = target;
    const runId = makeRunId(new Date(), 'monitor');
    const client = makeClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY);
    const signIn = await client.auth.signInWithPassword({ email: env.SMOKE_USER_EMAIL, password: env.SMOKE_USER_PASSWORD });
    const accessToken = signIn.data.session?.access_token;
    if (!accessToken) io.err(`monitor: the smoke user cannot sign in (${describeError(signIn.error)}); REST probes run with the anon key\n`);

    let realtimeNote: string | undefined;
    if (!accessToken) realtimeNote = 'not measured: the smoke user cannot sign in';
    else if (!writesAllowed(env)) realtimeNote = 'not measured: read-only (SMOKE_ALLOW_WRITES is not 1)';
    else {
      // Probe vehicles left by a killed monitor are older than any window that could still be running.
      await sweepProbeVehicles(client, PROBE_PLATE_PREFIX, new Date(Date.now() - 2 * durationMs - 3_600_000));
      realtime = await openRealtimeProbe(client, runId).catch((e: Error) => {
        realtimeNote = e.message;
        return undefined;
      });
    }
    db = databaseProbe(env.SUPABASE_DB_URL);
    const anon = makeClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY);
    const tenantId = accessToken ? await smokeTenant(client, signIn.data.user?.id) : undefined;
    const requests = profileRequests('read-mix', { anonKey: env.SUPABASE_ANON_KEY, accessToken, email: env.SMOKE_USER_EMAIL, password: env.SMOKE_USER_PASSWORD });
    const evaluator = new TriggerEvaluator(thresholds);
    const sleep = io.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const origin = new URL(env.BASE_URL).origin;
    const started = Date.now();
    const cycles = Math.floor(durationMs / intervalMs) + 1;
    io.err(`monitor ${runId}: ${cycles} measurements, every ${intervalMs / 1000} s${scale > 1 ? ` (rehearsal, time ×${scale})` : ''}; log: ${path.relative(io.cwd, logPath) || logPath}\n`);

    let written = 0;
    for (let cycle = 0; cycle < cycles && !interrupts.signal; cycle++) {
      const dueAt = started + cycle * intervalMs;
      if (Date.now() < dueAt) await Promise.race([sleep(dueAt - Date.now()), interrupts.received]);
      if (interrupts.signal) break;
      const minute = ((cycle * intervalMs) / 60_000) * scale;
      const api = await probeApi(origin, requests, samples, appProfile.paths.health, { userAgent: syntheticUserAgent('monitor api', runId) });
      const rt = realtime ? await realtime.measure(Math.max(3, Math.round(samples / 4))) : { samples: 0, note: realtimeNote ?? 'not measured' };
      const report: CycleReport = {
        time: minuteLabel(minute),
        api: { p95Ms: api.p95Ms, requests: api.requests, failed: api.failed, note: api.note },
        db: await db.measure(Math.max(3, Math.round(samples / 4))),
        realtime: rt,
        sentry: await probeSentry(
          { token: env.SENTRY_AUTH_TOKEN, org: env.SENTRY_ORG, project: env.SENTRY_PROJECT, baseUrl: io.env.SENTRY_BASE_URL },
          intervalMs / 60_000,
        ),
      };
      const securityBreach = await probeRoleMatrix(anon, accessToken ? client : undefined, tenantId, appProfile.tableChecks);
      const integrity = await probeIntegrity(env.SUPABASE_DB_URL, manifest);
      const measurement: CycleMeasurement = {
        minute,
        apiAvailable: api.healthy || (await probeHealth(origin, appProfile.paths.health, { userAgent: syntheticUserAgent('monitor health', runId) })),
        errorRatePct: errorRatePct(report.api),
        apiP95Ms: api.p95Ms,
        dbP95Ms: report.db.p95Ms,
        // A channel that delivers nothing is as late as it gets.
        realtimeMs: rt.p95Ms ?? (realtime && rt.note?.startsWith('no event') ? Number.POSITIVE_INFINITY : undefined),
        dataLoss: 'dataLoss' in rt ? rt.dataLoss : undefined,
        securityBreach,
        corruption: integrity.corruption,
      };
      if (interrupts.signal) break;
      const fired = evaluator.observe(measurement);
      const triggers = (Object.keys(TRIGGER_LABELS) as TriggerId[]).map((id) => ({ trigger: TRIGGER_LABELS[id], fired: evaluator.fired.has(id) }));
      const warnings = await writeMonitoringUpdate(logPath, {
        rows: monitoringRows(report, thresholds),
        rollback: { triggers, status: rollbackStatus(evaluator) },
        issues: issuesByTable(evaluator),
      });
      written++;
      for (const w of warnings) io.err(`monitor: ${w}\n`);
      if (fired.length > 0) {
        const problem = await sendAlert(env.ALERT_WEBHOOK_URL, {
          title: `Marsana Fleet (${envName}): rollback trigger fired at ${report.time}`,
          lines: [...fired.map((f) => `${TRIGGER_LABELS[f.id]}: ${f.evidence}`), rollbackStatus(evaluator)],
          context: `monitor ${runId} · log ${path.basename(logPath)}`,
        });
        if (problem) io.err(`monitor: ${problem}\n`);
      }
      io.out(
        `${report.time}: error rate ${measurement.errorRatePct?.toFixed(2) ?? '-'}% · API p95 ${fmt(api.p95Ms)} · DB p95 ${fmt(report.db.p95Ms)} · realtime p95 ${fmt(rt.p95Ms)}` +
          `${fired.length ? ` · FIRED: ${fired.map((f) => TRIGGER_LABELS[f.id]).join(', ')}` : ''}\n`,
      );
    }
    if (interrupts.signal) {
      io.err(`monitor: interrupted by ${interrupts.signal} after ${written} of ${cycles} measurements; the log holds those\n`);
      return interrupts.exitCode();
    }
    const decision = evaluator.decision();
    io.out(`monitor: ${rollbackStatus(evaluator)}\n`);
    return decision === 'none' ? EXIT.ok : EXIT.checkFailed;
  } catch (e) {
    if (e instanceof UsageError || (e instanceof Error && e.name === 'LogFileError')) {
      io.err(`${e.message.startsWith('monitor:') ? '' : 'monitor: '}${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  } finally {
    await realtime?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await closeTarget?.();
    interrupts.dispose();
  }
}

/** Each fired trigger's evidence goes to the **Issues** line of the table that measured it. */
const ISSUE_TABLE: Record<TriggerId, string> = {
  'error-rate': TABLES.errorRate,
  'api-latency': TABLES.api,
  'api-unavailable': TABLES.api,
  'database-latency': TABLES.db,
  'database-corruption': TABLES.db,
  'realtime-latency': TABLES.realtime,
  'data-loss': TABLES.realtime,
  'security-breach': TABLES.api,
};

function issuesByTable(evaluator: TriggerEvaluator): Record<string, string> | undefined {
  const byTable: Record<string, string[]> = {};
  for (const f of evaluator.fired.values()) (byTable[ISSUE_TABLE[f.id]] ??= []).push(`${TRIGGER_LABELS[f.id]}: ${f.evidence}`);
  const entries = Object.entries(byTable);
  return entries.length > 0 ? Object.fromEntries(entries.map(([t, list]) => [t, list.join('; ')])) : undefined;
}

/** The smoke user's corporate, from its own profile row (the role matrix compares every row against it). */
async function smokeTenant(client: ReturnType<typeof makeClient>, userId: string | undefined): Promise<string | undefined> {
  if (!userId) return undefined;
  const { profiles } = appProfile;
  const { data } = await client.from(profiles.table).select(profiles.tenantColumn).eq(profiles.idColumn, userId).maybeSingle();
  const id = (data as Record<string, unknown> | null)?.[profiles.tenantColumn];
  return typeof id === 'string' ? id : undefined;
}

function readThresholds(file: string): MonitorThresholds {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`monitor: --thresholds=${file}: cannot read the file`);
  }
  try {
    return loadThresholds(file, text);
  } catch (e) {
    throw new UsageError(`monitor: --thresholds=${(e as Error).message}`);
  }
}

function fmt(ms: number | undefined): string {
  return ms === undefined ? '-' : `${ms.toFixed(1)} ms`;
}

function rollbackStatus(evaluator: TriggerEvaluator): string {
  const fired = [...evaluator.fired.values()].map((f) => TRIGGER_LABELS[f.id]);
  switch (evaluator.decision()) {
    case 'rollback':
      return `❌ ROLLBACK: critical trigger fired (${fired.join(', ')})`;
    case 'evaluate':
      return `⚠️ EVALUATE ROLLBACK: ${fired.join(', ')}`;
    default:
      return '✅ READY (no trigger fired)';
  }
}
