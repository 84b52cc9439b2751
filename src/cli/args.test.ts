import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './args.ts';

const spec = { command: 'test:smoke', flags: ['env', 'log', 'help'] as const, booleans: ['help'] as const };

describe('parseCliArgs', () => {
  it('reads --flag=value and keeps what follows -- for Playwright', () => {
    const args = parseCliArgs(['--env=prod', '--log', 'x.md', '--', '--grep', 'Login'], spec);
    expect(args.flags).toEqual({ env: 'prod', log: 'x.md' });
    expect(args.passthrough).toEqual(['--grep', 'Login']);
  });

  it('names an unknown flag', () => {
    expect(() => parseCliArgs(['--evn=prod'], spec)).toThrow(/test:smoke: Unknown option '--evn'/);
  });

  it('rejects an empty value and stray arguments', () => {
    expect(() => parseCliArgs(['--env='], spec)).toThrow('test:smoke: --env needs a value');
    expect(() => parseCliArgs(['prod'], spec)).toThrow(/test:smoke: Unexpected argument 'prod'/);
  });
});
