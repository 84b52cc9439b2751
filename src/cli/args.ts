/**
 * Command-line parsing shared by the scripts: `--name=value` flags, and everything after a bare `--` kept
 * for Playwright. Unknown flags are usage errors (exit 2), named in the message.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';

export interface ParsedArgs<K extends string> {
  flags: Partial<Record<K, string>>;
  /** Arguments after `--`, passed through untouched. */
  passthrough: string[];
  positionals: string[];
}

export function parseCliArgs<K extends string>(
  argv: string[],
  spec: { flags: readonly K[]; booleans?: readonly K[]; positionals?: number; command: string },
): ParsedArgs<K> {
  const dashDash = argv.indexOf('--');
  const own = dashDash < 0 ? argv : argv.slice(0, dashDash);
  const passthrough = dashDash < 0 ? [] : argv.slice(dashDash + 1);
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const f of spec.flags) options[f] = { type: spec.booleans?.includes(f) ? 'boolean' : 'string' };
  let parsed;
  try {
    parsed = parseArgs({ args: own, options, allowPositionals: (spec.positionals ?? 0) > 0, strict: true });
  } catch (e) {
    // node's messages are one line already ("Unknown option '--foo'"); keep them, add the command.
    throw new UsageError(`${spec.command}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (parsed.positionals.length > (spec.positionals ?? 0)) {
    throw new UsageError(`${spec.command}: unexpected argument "${parsed.positionals[spec.positionals ?? 0]}"`);
  }
  const flags: Partial<Record<K, string>> = {};
  for (const [k, v] of Object.entries(parsed.values)) {
    if (typeof v === 'string' && v.trim() === '') throw new UsageError(`${spec.command}: --${k} needs a value`);
    flags[k as K] = typeof v === 'boolean' ? String(v) : v;
  }
  return { flags, passthrough, positionals: parsed.positionals };
}
