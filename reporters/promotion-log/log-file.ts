/**
 * The promotion log on disk: the only place that reads or writes it. Rendering stays pure (render.ts); this file
 * adds what a shared file needs: a lock so two runs never interleave, the previous version kept as `<log>.bak`,
 * and an atomic replace (a temporary file beside the log, flushed, then renamed over it) so a reader or a crash
 * sees the old log or the new one, never a mix. A writer killed while holding the lock leaves a stale lock that
 * the next writer takes over once it is older than `lockStaleMs`, and a temporary file that it removes.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import lockfile from 'proper-lockfile';
import { assertPromotionLog, NotAPromotionLogError } from './render.ts';

export const TEMPLATE_PATH = fileURLToPath(new URL('../templates/promotion-log.md', import.meta.url));

/** A problem with the log file itself; the message is one line that names the path. */
export class LogFileError extends Error {
  override name = 'LogFileError';
}

export interface WriteLogOptions {
  /** Where a new log starts from; the bundled template by default. */
  templatePath?: string;
  /** How long to wait for another run that holds the lock. */
  lockWaitMs?: number;
  /** A lock not refreshed for this long belongs to a writer that died, and is taken over (at least 2000). */
  lockStaleMs?: number;
}

export interface WriteLogResult {
  /** True when the log did not exist and was made from the template. */
  created: boolean;
  /** The copy of the previous version, when there was one. */
  backupPath?: string;
}

export async function writePromotionLog(
  logPath: string,
  update: (text: string) => string,
  opts: WriteLogOptions = {},
): Promise<WriteLogResult> {
  await fs.promises.mkdir(path.dirname(logPath), { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    throw new LogFileError(`${logPath}: cannot create its folder (${e.code ?? e.message})`);
  });
  let compromised: Error | undefined;
  const wait = opts.lockWaitMs ?? 30_000;
  // realpath: false lets us lock a log that does not exist yet, so creating it from the template is locked too.
  const release = await lockfile
    .lock(logPath, {
      realpath: false,
      stale: Math.max(2000, opts.lockStaleMs ?? 10_000),
      retries: { retries: Math.ceil(wait / 100), factor: 1, minTimeout: 100, maxTimeout: 100 },
      onCompromised: (e) => {
        compromised = e;
      },
    })
    .catch((e: NodeJS.ErrnoException) => {
      throw new LogFileError(`${logPath}: could not take the lock ${logPath}.lock (${e.code ?? e.message})`);
    });
  try {
    await removeLeftovers(logPath);
    const previous = await readIfPresent(logPath);
    if (previous) assertWritable(logPath);
    const source = previous ?? (await readTemplate(opts.templatePath ?? TEMPLATE_PATH));
    let next: string;
    try {
      next = update(source.toString('utf8'));
    } catch (e) {
      if (e instanceof NotAPromotionLogError) throw new LogFileError(`${logPath}: ${e.message}`);
      throw e;
    }
    if (compromised) throw new LogFileError(`${logPath}: lost the lock while writing (${compromised.message})`);
    const backupPath = previous ? `${logPath}.bak` : undefined;
    try {
      if (backupPath && previous) await atomicWrite(backupPath, previous);
      await atomicWrite(logPath, next);
    } catch (e) {
      throw new LogFileError(`${logPath}: could not write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return { created: !previous, backupPath };
  } finally {
    await release().catch(() => undefined);
  }
}

const TEMP_MARK = '.tmp-';

function tempPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes `data` to a temporary file beside `file`, flushes it, and renames it over `file`; keeps `file`'s mode. */
export async function atomicWrite(file: string, data: Buffer | string): Promise<void> {
  const mode = await fs.promises.stat(file).then(
    (s) => s.mode & 0o7777,
    () => undefined,
  );
  const temp = tempPath(file);
  const handle = await fs.promises.open(temp, 'wx');
  try {
    if (mode !== undefined) await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(temp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await fs.promises.rename(temp, file);
  } catch (e) {
    await fs.promises.rm(temp, { force: true });
    throw e;
  }
  // The rename itself is durable only once the folder is flushed.
  const dir = await fs.promises.open(path.dirname(file), 'r').catch(() => undefined);
  await dir?.sync().catch(() => undefined);
  await dir?.close();
}

/** Temporary files of writers that died mid-write; only called with the lock held, so none is in use. */
async function removeLeftovers(logPath: string): Promise<void> {
  const dir = path.dirname(logPath);
  const prefixes = [logPath, `${logPath}.bak`].map((f) => `.${path.basename(f)}${TEMP_MARK}`);
  const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (prefixes.some((p) => name.startsWith(p))) await fs.promises.rm(path.join(dir, name), { force: true });
  }
}

/**
 * A log the team made read-only is not to be replaced (renaming over it would work, so ask first). The mode bits
 * are read too: root may write any file, but `chmod a-w` still says "leave this alone".
 */
function assertWritable(logPath: string): void {
  try {
    fs.accessSync(logPath, fs.constants.W_OK);
  } catch (e) {
    throw new LogFileError(`${logPath}: is read-only (${(e as NodeJS.ErrnoException).code})`);
  }
  if ((fs.statSync(logPath).mode & 0o222) === 0) throw new LogFileError(`${logPath}: is read-only (no write permission bit)`);
}

/**
 * Pre-flight for the CLI, before any test runs: throws LogFileError when the log could not be written later.
 * A missing log is fine (it will be made from the template). Reads only; never creates or changes anything.
 */
export function checkPromotionLog(logPath: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(logPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ENOTDIR: a parent is a file; the folder check below names that.
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new LogFileError(`${logPath}: unreadable (${code})`);
  }
  if (stat?.isDirectory()) throw new LogFileError(`${logPath}: is a directory, not a promotion log`);
  if (stat) {
    let text: string;
    try {
      text = fs.readFileSync(logPath, 'utf8');
    } catch (e) {
      throw new LogFileError(`${logPath}: unreadable (${(e as NodeJS.ErrnoException).code})`);
    }
    try {
      assertPromotionLog(text);
    } catch (e) {
      if (e instanceof NotAPromotionLogError) throw new LogFileError(`${logPath}: ${e.message}`);
      throw e;
    }
    assertWritable(logPath);
  }
  // The atomic write, the backup and the lock all live beside the log, so its folder (or the nearest existing
  // ancestor, when the folder is still to be made) must take new files.
  const dir = nearestExisting(path.dirname(logPath));
  try {
    if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new LogFileError(`${logPath}: directory ${dir} is not writable (${(e as NodeJS.ErrnoException).code})`);
  }
}

async function readIfPresent(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.promises.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new LogFileError(`${file}: unreadable (${code})`);
  }
}

async function readTemplate(file: string): Promise<Buffer> {
  try {
    return await fs.promises.readFile(file);
  } catch (e) {
    throw new LogFileError(`${file}: promotion log template unreadable (${(e as NodeJS.ErrnoException).code})`);
  }
}

function nearestExisting(dir: string): string {
  let current = path.resolve(dir);
  while (!fs.existsSync(current)) {
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}
