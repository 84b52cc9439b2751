import { describe, expect, it } from 'vitest';
import { runLoad } from './load-command.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s), cwd: process.cwd(), env: {} } };
}

describe('pnpm load refuses bad input with exit 2 and one line', () => {
  it.each([
    [[], /load: --profile is required/],
    [['--profile=stampede'], /load: --profile=stampede is unknown \(read-mix, sign-in, writes\)/],
    [['--profile=read-mix', '--env=prod'], /--env=prod looks like production; add --confirm-production/],
    [['--profile=read-mix', '--duration=-1'], /--duration must be a number above 0/],
    [['--profile=read-mix', '--connections=1.5'], /--connections must be a whole number above 0/],
  ])('%j', async (argv, message) => {
    const t = io();
    expect(await runLoad(argv, t.io)).toBe(2);
    expect(t.err.join('')).toMatch(message);
    expect(t.err.join('').trim().split('\n')).toHaveLength(1);
  });
});
