/**
 * Takes secret values out of the files a run leaves behind: text files are redacted in place, zip archives
 * (Playwright traces, blob reports, Allure's copies of traces) entry by entry, nested archives included.
 * Images and other binary content are left as they are: they hold no text to grep, and rewriting them would
 * only break them.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import type { Redactor } from './redact.ts';

export interface RedactReport {
  /** Files looked at. */
  files: number;
  /** Files rewritten because they held a secret. */
  changed: string[];
}

/** Redacts every file under `target` (a file or a folder); a missing target is nothing to do. */
export async function redactTree(target: string, redact: Redactor): Promise<RedactReport> {
  const report: RedactReport = { files: 0, changed: [] };
  const stat = await fs.promises.lstat(target).catch(() => undefined);
  if (!stat) return report;
  const files = stat.isDirectory()
    ? (await fs.promises.readdir(target, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => path.join(d.parentPath ?? (d as { path?: string }).path ?? target, d.name))
    : stat.isFile()
      ? [target]
      : [];
  for (const file of files) {
    report.files++;
    const before = await fs.promises.readFile(file);
    const after = redactBuffer(before, redact);
    if (!after) continue;
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.redact-${randomBytes(4).toString('hex')}`);
    await fs.promises.writeFile(temp, after);
    await fs.promises.rename(temp, file);
    report.changed.push(file);
  }
  return report;
}

/** The redacted content, or undefined when there was nothing to redact (or it is not text). */
export function redactBuffer(content: Uint8Array, redact: Redactor): Uint8Array | undefined {
  if (isZip(content)) return redactZip(content, redact);
  if (!isText(content)) return undefined;
  const text = Buffer.from(content).toString('utf8');
  const redacted = redact(text);
  return redacted === text ? undefined : Buffer.from(redacted, 'utf8');
}

function redactZip(content: Uint8Array, redact: Redactor): Uint8Array | undefined {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(content);
  } catch {
    return undefined;
  }
  let changed = false;
  const out: Zippable = {};
  for (const [name, data] of Object.entries(entries)) {
    const redacted = redactBuffer(data, redact);
    if (redacted) changed = true;
    out[name] = redacted ?? data;
  }
  return changed ? zipSync(out, { level: 6 }) : undefined;
}

export function isZip(content: Uint8Array): boolean {
  return content.length >= 4 && content[0] === 0x50 && content[1] === 0x4b && content[2] === 0x03 && content[3] === 0x04;
}

const BINARY_MAGIC = [
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x47, 0x49, 0x46, 0x38], // GIF
  [0x1a, 0x45, 0xdf, 0xa3], // WebM
  [0x52, 0x49, 0x46, 0x46], // RIFF (WebP)
  [0x1f, 0x8b], // gzip
];

/** Text is what has no NUL byte and is not a known binary format. */
export function isText(content: Uint8Array): boolean {
  if (BINARY_MAGIC.some((magic) => magic.every((b, i) => content[i] === b))) return false;
  return !content.subarray(0, 64 * 1024).includes(0);
}
