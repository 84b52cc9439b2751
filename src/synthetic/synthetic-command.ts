/**
 * `pnpm synthetic --env=NAME [--history=PATH] [--log=PATH]`: what a scheduler runs. One probe cycle (API p95,
 * error rate, health) plus the smoke flows, appended as one line to the history (JSON lines). Its exit code is
 * the smoke run's. Scheduled runs write their own log (default .smoke/synthetic/promotion-log.md), never the
 * release's promotion log unless --log says so.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { appProfile } from '../config/app-profile.ts';
import { parseCliArgs } from '../cli/args.ts';
import { EXIT, UsageError } from '../errors.ts';
import { probeApi } from '../monitor/probes.ts';
import { openTarget } from '../run/open-target.ts';
import { makeRunId } from '../run/run-id.ts';
import { syntheticUserAgent } from '../run/synthetic-traffic.ts';
import { runSmoke, type SmokeIo } from '../run/smoke-command.ts';
import { profileRequests } from '../../load/profiles.ts';
import type { RunSummary } from '../../reporters/summary/summary.ts';
import { appendHistory, formatTrends, readHistory, trends, type HistoryEntry } from './history.ts';

export const DEFAULT_HISTORY = '.smoke/history.jsonl';

export async function runSynthetic(argv: string[], io: SmokeIo): Promise<number> {
  let close: (() => Promise<void>) | undefined;
  try {
    const args = parseCliArgs(argv, { command: 'synthetic', flags: ['env', 'history', 'log'] });
    const envName = args.flags.env ?? 'local';
    const historyFile = path.resolve(io.cwd, args.flags.history ?? DEFAULT_HISTORY);
    const logPath = path.resolve(io.cwd, args.flags.log ?? '.smoke/synthetic/promotion-log.md');
    const outputDir = path.resolve(io.cwd, '.smoke/synthetic/test-results');
    const target = await openTarget(envName, io.cwd, io.env, io.err);
    close = () => target.close();
    const { env } = target;

    const probeRunId = makeRunId(new Date(), 'synthetic');
    const api = await probeApi(
      new URL(env.BASE_URL).origin,
      profileRequests('read-mix', { anonKey: env.SUPABASE_ANON_KEY, email: env.SMOKE_USER_EMAIL, password: env.SMOKE_USER_PASSWORD }),
      20,
      appProfile.paths.health,
      { userAgent: syntheticUserAgent('synthetic api', probeRunId) },
    );
    const exitCode = await runSmoke([`--env=${envName}`, `--log=${logPath}`], { ...io, env: { ...io.env, SMOKE_OUTPUT_DIR: outputDir } }, { target });
    let summary: RunSummary | undefined;
    try {
      summary = JSON.parse(readFileSync(path.join(outputDir, 'summary.json'), 'utf8')) as RunSummary;
    } catch {
      summary = undefined;
    }
    const entry: HistoryEntry = {
      at: new Date().toISOString(),
      env: envName,
      runId: summary?.runId ?? probeRunId,
      exitCode,
      checks: Object.fromEntries((summary?.checks ?? []).map((c) => [c.name, { status: c.status, durationMs: c.durationMs }])),
      probes: { apiP95Ms: api.p95Ms, errorRatePct: api.requests ? (api.failed / api.requests) * 100 : undefined, healthy: api.healthy },
    };
    appendHistory(historyFile, entry);
    io.err(`synthetic: appended to ${path.relative(io.cwd, historyFile) || historyFile}\n`);
    return exitCode;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message.startsWith('synthetic:') ? '' : 'synthetic: '}${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  } finally {
    await close?.();
  }
}

/** `pnpm history [--history=PATH]`: uptime and p95 trends per check. */
export function runHistory(argv: string[], io: SmokeIo): number {
  try {
    const args = parseCliArgs(argv, { command: 'history', flags: ['history'] });
    const file = path.resolve(io.cwd, args.flags.history ?? DEFAULT_HISTORY);
    const { entries, skipped } = readHistory(file);
    if (entries.length === 0) throw new UsageError(`history: no runs recorded in ${file} (run pnpm synthetic first)`);
    io.out(`${entries.length} runs from ${entries[0]!.at} to ${entries.at(-1)!.at}${skipped ? ` (${skipped} unreadable lines skipped)` : ''}\n`);
    io.out(`${formatTrends(trends(entries))}\n`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
