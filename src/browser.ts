/**
 * Which Chromium the suite drives: `CHROMIUM_PATH` when set, else Playwright's own Chromium when it is
 * installed (`pnpm exec playwright install chromium`), else the system's (`/usr/bin/chromium`, e.g. Debian's
 * package). Machines without internet can't download Playwright's build, so both must work.
 */
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { UsageError } from './errors.ts';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Flags a distribution Chromium needs when headless on a locked-down machine (no sandbox as root, no GPU, no phoning home). */
export const SYSTEM_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ChromiumChoice {
  source: 'CHROMIUM_PATH' | 'playwright' | 'system';
  /** Undefined means Playwright's default executable. */
  executablePath?: string;
  args: string[];
}

export function resolveChromium(env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = existsSync): ChromiumChoice {
  const override = env.CHROMIUM_PATH?.trim();
  if (override) {
    if (!exists(override)) throw new UsageError(`CHROMIUM_PATH=${override}: no such file`);
    return { source: 'CHROMIUM_PATH', executablePath: override, args: SYSTEM_CHROMIUM_ARGS };
  }
  let bundled: string | undefined;
  try {
    bundled = chromium.executablePath();
  } catch {
    bundled = undefined;
  }
  if (bundled && exists(bundled)) return { source: 'playwright', args: [] };
  if (exists(SYSTEM_CHROMIUM)) return { source: 'system', executablePath: SYSTEM_CHROMIUM, args: SYSTEM_CHROMIUM_ARGS };
  throw new UsageError(
    'no Chromium found: run "pnpm exec playwright install chromium", or install your system\'s (Debian: apt-get install chromium), or set CHROMIUM_PATH',
  );
}
