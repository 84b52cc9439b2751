/**
 * `pnpm release:tag vX.Y.Z [--push] [gate flags]`: runs the gate and creates the annotated tag only when it
 * passes; `--push` pushes it to origin. Exit 0 tagged, 1 the gate refused, 2 bad input or git problem.
 */
import { execFileSync } from 'node:child_process';
import { parseCliArgs } from '../cli/args.ts';
import { EXIT, UsageError } from '../errors.ts';
import { GATE_FLAGS, judge, type CommandIo } from './gate-command.ts';

const TAG = /^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

function git(io: CommandIo, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: io.cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim().split('\n')[0];
    throw new UsageError(`release:tag: git ${args[0]} failed: ${stderr || (e as Error).message}`);
  }
}

export async function runReleaseTag(argv: string[], io: CommandIo): Promise<number> {
  try {
    const args = parseCliArgs(argv, {
      command: 'release:tag',
      flags: [...GATE_FLAGS, 'push'],
      booleans: ['allow-flaky', 'allow-skipped', 'no-monitoring', 'push'],
      positionals: 1,
    });
    const tag = args.positionals[0];
    if (!tag) throw new UsageError('release:tag: name the release: pnpm release:tag vX.Y.Z [--push]');
    if (!TAG.test(tag)) throw new UsageError(`release:tag: "${tag}" is not a release tag like v1.2.3`);
    git(io, ['rev-parse', '--git-dir']);
    if (git(io, ['tag', '--list', tag]) === tag) throw new UsageError(`release:tag: tag ${tag} already exists`);

    const { failures, runId } = judge(args.flags, io);
    if (failures.length > 0) {
      io.out(`release:tag: ${tag} NOT created; the gate failed:\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
      return EXIT.checkFailed;
    }
    git(io, ['tag', '-a', tag, '-m', `Release ${tag} - Marsana Fleet\n\nPromotion gate passed (smoke run ${runId}).`]);
    io.out(`release:tag: created ${tag} at ${git(io, ['rev-parse', '--short', `${tag}^{commit}`])}\n`);
    if (args.flags.push === 'true') {
      git(io, ['push', 'origin', tag]);
      io.out(`release:tag: pushed ${tag} to origin\n`);
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
