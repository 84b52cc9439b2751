import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkPromotionLog, LogFileError, TEMPLATE_PATH, writePromotionLog } from './log-file.ts';
import { assertPromotionLog } from './render.ts';

const LOG = fs.readFileSync(new URL('./__fixtures__/promotion-log.md', import.meta.url), 'utf8');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promotion-log-file-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** An update that checks its input like the real renderer does, and marks the text. */
const append = (mark: string) => (text: string) => {
  assertPromotionLog(text);
  return `${text}${mark}\n`;
};

describe('writePromotionLog', () => {
  it('creates an absent log (and its folder) from the template, without a backup', async () => {
    const file = path.join(dir, 'promotion', 'nested', 'log.md');
    const result = await writePromotionLog(file, append('run 1'));
    expect(result).toEqual({ created: true, backupPath: undefined });
    expect(fs.readFileSync(file, 'utf8')).toBe(`${fs.readFileSync(TEMPLATE_PATH, 'utf8')}run 1\n`);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['log.md']);
  });

  it('keeps the previous version as <log>.bak, byte for byte', async () => {
    const file = path.join(dir, 'log.md');
    const before = Buffer.from(LOG.replace(/\n/g, '\r\n'), 'utf8');
    fs.writeFileSync(file, before);
    const result = await writePromotionLog(file, append('run 2'));
    expect(result).toEqual({ created: false, backupPath: `${file}.bak` });
    expect(fs.readFileSync(`${file}.bak`).equals(before)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${before.toString('utf8')}run 2\n`);
    expect(fs.readdirSync(dir).sort()).toEqual(['log.md', 'log.md.bak']);
  });

  // Unlocked, all five would read the same old text and the last write would drop the other four marks.
  it('serialises concurrent writers: every update lands, none is lost', async () => {
    const file = path.join(dir, 'log.md');
    fs.writeFileSync(file, LOG);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((m) => writePromotionLog(file, append(`run ${m}`))));
    const text = fs.readFileSync(file, 'utf8');
    for (const m of ['a', 'b', 'c', 'd', 'e']) expect(text).toContain(`\nrun ${m}\n`);
    expect(text.split('\n').filter((l) => l.startsWith('run ')).length).toBe(5);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('waits for the lock another process holds, then gives up with a one-line error', async () => {
    const file = path.join(dir, 'log.md');
    fs.writeFileSync(file, LOG);
    const release = await lockfile.lock(file, { realpath: false });
    try {
      const write = writePromotionLog(file, append('late'), { lockWaitMs: 300 });
      await expect(write).rejects.toThrow(LogFileError);
      await expect(write).rejects.toThrow(`${file}: could not take the lock ${file}.lock (ELOCKED)`);
      expect(fs.readFileSync(file, 'utf8')).toBe(LOG);
    } finally {
      await release();
    }
  });

  it.each([
    ['an empty file', Buffer.from(''), 'not a promotion log: the text is empty'],
    ['a binary file', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'not a promotion log: binary content (NUL bytes)'],
  ])('leaves %s untouched, byte for byte, with no backup', async (_what, content, message) => {
    const file = path.join(dir, 'log.md');
    fs.writeFileSync(file, content);
    await expect(writePromotionLog(file, append('x'))).rejects.toThrow(`${file}: ${message}`);
    expect(fs.readFileSync(file).equals(content)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['log.md']);
  });

  it('refuses a read-only log instead of renaming over it (root too: the mode bits say so)', async () => {
    const file = path.join(dir, 'log.md');
    fs.writeFileSync(file, LOG, { mode: 0o444 });
    const readOnly = /log\.md: is read-only \((EACCES|no write permission bit)\)$/;
    await expect(writePromotionLog(file, append('x'))).rejects.toThrow(readOnly);
    expect(() => checkPromotionLog(file)).toThrow(readOnly);
    expect(fs.readFileSync(file, 'utf8')).toBe(LOG);
  });

  it('keeps the log\'s file mode, and cleans up temporary files a killed writer left', async () => {
    const file = path.join(dir, 'log.md');
    fs.writeFileSync(file, LOG, { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    fs.writeFileSync(path.join(dir, '.log.md.tmp-4242-deadbeef'), 'half a log');
    await writePromotionLog(file, append('run'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(dir).sort()).toEqual(['log.md', 'log.md.bak']);
  });

  it('leaves a file that is not a promotion log untouched, and releases the lock', async () => {
    const file = path.join(dir, 'notes.md');
    fs.writeFileSync(file, '# Shopping list\n');
    await expect(writePromotionLog(file, append('x'))).rejects.toThrow(
      `${file}: not a promotion log: no "Smoke Tests" heading and no "Smoke Test Summary" table`,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe('# Shopping list\n');
    expect(fs.readdirSync(dir)).toEqual(['notes.md']);
  });
});

describe('checkPromotionLog', () => {
  const snapshot = () => fs.readdirSync(dir, { recursive: true }).sort();

  it('accepts an absent log in a folder still to be made, and creates nothing', () => {
    const before = snapshot();
    expect(() => checkPromotionLog(path.join(dir, 'promotion', 'log.md'))).not.toThrow();
    expect(snapshot()).toEqual(before);
  });

  it('accepts a promotion log without touching it', () => {
    const file = path.join(dir, 'log.md');
    fs.writeFileSync(file, LOG);
    const { mtimeMs } = fs.statSync(file);
    expect(() => checkPromotionLog(file)).not.toThrow();
    expect(fs.statSync(file).mtimeMs).toBe(mtimeMs);
    expect(snapshot()).toEqual(['log.md']);
  });

  it.each([
    ['an empty file', '', 'not a promotion log: the text is empty'],
    ['a binary file', '\u0089PNG\r\n\u001a\n\u0000\u0000', 'not a promotion log: binary content (NUL bytes)'],
    ['another Markdown file', '# Notes\n', 'not a promotion log: no "Smoke Tests" heading'],
  ])('rejects %s, naming the path', (_what, content, message) => {
    const file = path.join(dir, 'log.md');
    fs.writeFileSync(file, content);
    expect(() => checkPromotionLog(file)).toThrow(LogFileError);
    expect(() => checkPromotionLog(file)).toThrow(`${file}: ${message}`);
  });

  it('rejects a directory', () => {
    expect(() => checkPromotionLog(dir)).toThrow(`${dir}: is a directory, not a promotion log`);
  });

  it('rejects a log whose folder cannot be made', () => {
    const blocker = path.join(dir, 'file.txt');
    fs.writeFileSync(blocker, 'x');
    expect(() => checkPromotionLog(path.join(blocker, 'promotion', 'log.md'))).toThrow(`directory ${blocker} is not writable (ENOTDIR)`);
  });

  it.skipIf(process.getuid?.() === 0)('rejects a log in a read-only folder', () => {
    const ro = path.join(dir, 'ro');
    fs.mkdirSync(ro, { mode: 0o555 });
    expect(() => checkPromotionLog(path.join(ro, 'log.md'))).toThrow(`directory ${ro} is not writable (EACCES)`);
  });
});
