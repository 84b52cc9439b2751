/**
 * Helpers for proofs that look at everything a run leaves behind: running Playwright itself against a target
 * (as a CI shard does), and reading every file, zip entries included, to search it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { isZip } from '../../src/redact-files.ts';
import { cleanEnv, ROOT, type CliResult } from './run-cli.ts';

const PLAYWRIGHT_CLI = createRequire(import.meta.url).resolve('@playwright/test/cli');

/** `playwright <args>` with this project's config, from the project root. */
export function playwright(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawn(process.execPath, [PLAYWRIGHT_CLI, ...args, '-c', path.join(ROOT, 'playwright.config.ts')], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export interface ArtifactText {
  /** The file, and for a zip entry the entries leading to it: "test-results/x/trace.zip!trace.network". */
  where: string;
  text: string;
}

/** Every file under `root` as text (binary bytes read as latin1, so any ASCII secret still shows), zips opened. */
export function readArtifacts(root: string): ArtifactText[] {
  const out: ArtifactText[] = [];
  const visit = (where: string, bytes: Uint8Array) => {
    if (isZip(bytes)) {
      for (const [name, entry] of Object.entries(unzipSync(bytes))) visit(`${where}!${name}`, entry);
      return;
    }
    out.push({ where, text: Buffer.from(bytes).toString('latin1') + '\n' + Buffer.from(bytes).toString('utf8') });
  };
  for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    visit(path.relative(root, file), fs.readFileSync(file));
  }
  return out;
}

/** The forms a secret can take in a file: as is, escaped in JSON, URL- or form-encoded. */
export function secretForms(secret: string): string[] {
  const uri = encodeURIComponent(secret);
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), uri, uri.replace(/%20/g, '+')])];
}
