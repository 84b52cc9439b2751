import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

/**
 * A new PGlite database spends seconds in initdb. The sandbox keeps a compressed copy of the data directory of a
 * freshly created and seeded database, and loads that instead (about 1 s). The copy is named after everything
 * that shapes its content: the PGlite version and every file of this folder (schema, seed, bootstrap code).
 * A stale or broken copy is never loaded: another name, or a failed load, means a fresh database.
 */
export const DEFAULT_SNAPSHOT_DIR = join(tmpdir(), 'marsana-sandbox');
const PREFIX = 'pglite-';
const SUFFIX = '.tar.gz';

export async function snapshotKey(): Promise<string> {
  const hash = createHash('sha256');
  // The package does not export its package.json; its entry point sits in dist/ beside it.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  hash.update(await readFile(join(dirname(entry), '..', 'package.json')));
  const folder = new URL('./', import.meta.url);
  for (const name of (await readdir(folder)).sort()) {
    if (name.endsWith('.test.ts')) continue;
    hash.update(name).update(await readFile(new URL(name, folder)));
  }
  return hash.digest('hex').slice(0, 16);
}

const fileFor = (dir: string, key: string) => join(dir, `${PREFIX}${key}${SUFFIX}`);

/**
 * The snapshot as a tar archive, or undefined when there is none or it is damaged. Decompressed here rather than
 * by PGlite, whose decompression leaves an unhandled rejection behind on damaged input; gzip's checksum then
 * guarantees that the archive is byte for byte the one PGlite wrote.
 */
export async function readSnapshot(dir: string, key: string): Promise<Blob | undefined> {
  let compressed: Buffer;
  try {
    compressed = await readFile(fileFor(dir, key));
  } catch {
    return undefined;
  }
  try {
    return new Blob([new Uint8Array(await promisify(gunzip)(compressed))], { type: 'application/x-tar' });
  } catch {
    await discardSnapshot(dir, key);
    return undefined;
  }
}

export async function discardSnapshot(dir: string, key: string): Promise<void> {
  await rm(fileFor(dir, key), { force: true });
}

/** Compresses (on the thread pool) and writes atomically, so that a reader sees a whole file or none; drops older copies. */
export async function saveSnapshot(dir: string, key: string, dataDir: Blob): Promise<void> {
  const compressed = await promisify(gzip)(new Uint8Array(await dataDir.arrayBuffer()));
  // Only this user may put a database there: the next start loads whatever it finds under the right name.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = join(dir, `.${PREFIX}${key}-${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temporary, compressed);
  await rename(temporary, fileFor(dir, key));
  for (const name of await readdir(dir)) {
    if (name.startsWith(PREFIX) && name.endsWith(SUFFIX) && name !== `${PREFIX}${key}${SUFFIX}`) {
      await rm(join(dir, name), { force: true });
    }
  }
}
