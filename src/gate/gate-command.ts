/**
 * `pnpm gate [--log=PATH] [--summary=PATH] [--allow-flaky] [--allow-skipped] [--no-monitoring]`:
 * exit 0 when the release may be promoted, 1 listing every failed criterion, 2 on bad input.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCliArgs } from '../cli/args.ts';
import { EXIT, UsageError } from '../errors.ts';
import { sendAlert } from '../alerts/webhook.ts';
import { DEFAULT_LOG } from '../run/smoke-command.ts';
import type { RunSummary } from '../../reporters/summary/summary.ts';
import { SUMMARY_SCHEMA } from '../../reporters/summary/summary.ts';
import { DEFAULT_POLICY, evaluateGate, type GatePolicy } from './evaluate-gate.ts';

export interface CommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export const DEFAULT_SUMMARY = 'test-results/summary.json';
export const GATE_FLAGS = ['log', 'summary', 'allow-flaky', 'allow-skipped', 'no-monitoring'] as const;
const BOOLEAN_FLAGS = ['allow-flaky', 'allow-skipped', 'no-monitoring', 'help'] as const;

export interface GateOutcome {
  failures: string[];
  runId?: string;
}

/** Reads the inputs named by the flags (flag, then environment, then default) and judges them. */
export function judge(flags: Partial<Record<(typeof GATE_FLAGS)[number], string>>, io: CommandIo): GateOutcome {
  const logPath = path.resolve(io.cwd, flags.log ?? io.env.PROMOTION_LOG ?? DEFAULT_LOG);
  const summaryPath = path.resolve(io.cwd, flags.summary ?? io.env.SMOKE_SUMMARY ?? DEFAULT_SUMMARY);
  const policy: GatePolicy = {
    allowFlaky: flags['allow-flaky'] === 'true' || DEFAULT_POLICY.allowFlaky,
    allowSkipped: flags['allow-skipped'] === 'true' || DEFAULT_POLICY.allowSkipped,
    requireMonitoring: flags['no-monitoring'] === 'true' ? false : DEFAULT_POLICY.requireMonitoring,
  };
  let summary: RunSummary | undefined;
  let summaryProblem: string | undefined;
  try {
    const parsed = JSON.parse(readFileSync(summaryPath, 'utf8')) as RunSummary;
    if (parsed.schema !== SUMMARY_SCHEMA) throw new UsageError(`gate: ${summaryPath} is not a smoke summary (schema ${String(parsed.schema)})`);
    summary = parsed;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    summaryProblem = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${summaryPath} not found (run pnpm test:smoke first)` : `${summaryPath} unreadable: ${(e as Error).message}`;
  }
  let logText: string | undefined;
  let logProblem: string | undefined;
  try {
    logText = readFileSync(logPath, 'utf8');
  } catch (e) {
    logProblem = `${logPath} ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : 'unreadable'}`;
  }
  try {
    return { failures: evaluateGate({ summary, summaryProblem, logText, logProblem }, policy), runId: summary?.runId };
  } catch (e) {
    throw new UsageError(`gate: ${logPath}: ${(e as Error).message}`);
  }
}

export async function runGate(argv: string[], io: CommandIo): Promise<number> {
  try {
    const args = parseCliArgs(argv, { command: 'gate', flags: [...GATE_FLAGS, 'help'], booleans: BOOLEAN_FLAGS });
    if (args.flags.help) {
      io.out('usage: pnpm gate [--log=PATH] [--summary=PATH] [--allow-flaky] [--allow-skipped] [--no-monitoring]\n');
      return EXIT.ok;
    }
    const { failures, runId } = judge(args.flags, io);
    if (failures.length === 0) {
      io.out(`gate: PASSED: promotion may proceed (smoke run ${runId})\n`);
      return EXIT.ok;
    }
    io.out(`gate: FAILED: ${failures.length} criterion${failures.length === 1 ? '' : 'a'} not met\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
    const problem = await sendAlert(io.env.ALERT_WEBHOOK_URL, {
      title: `Marsana Fleet: release gate failed (${failures.length} criterion${failures.length === 1 ? '' : 'a'})`,
      lines: failures,
      context: runId ? `smoke run ${runId}` : undefined,
    });
    if (problem) io.err(`gate: ${problem}\n`);
    return EXIT.checkFailed;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
