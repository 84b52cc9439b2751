import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { makeRedactor } from './redact.ts';
import { isText, redactTree } from './redact-files.ts';

const PASSWORD = 'hunter2-Secret!';
const KEY = 'sb-anon-key-0123456789abcdef';
const redact = makeRedactor({ SMOKE_USER_PASSWORD: PASSWORD, SUPABASE_ANON_KEY: KEY });
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), Buffer.from(PASSWORD)]);

describe('redactTree', () => {
  it('redacts text files and zip entries, nested zips included, and leaves images alone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redact-tree-'));
    // A trace as Playwright writes it: actions and network as JSON lines, a screencast frame, resources.
    const trace = zipSync({
      'trace.trace': strToU8(`${JSON.stringify({ type: 'before', method: 'fill', params: { value: PASSWORD } })}\n`),
      'trace.network': strToU8(JSON.stringify({ request: { headers: [{ name: 'apikey', value: KEY }], postData: { text: JSON.stringify({ password: PASSWORD }) } } })),
      'resources/page@1.jpeg': new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...strToU8(PASSWORD)]),
      'resources/body.txt': strToU8(`password=${encodeURIComponent(PASSWORD)}`),
    });
    const blob = zipSync({ 'report.jsonl': strToU8(`{"stdout":"${KEY}"}\n`), 'resources/trace.zip': trace });
    fs.mkdirSync(path.join(dir, 'nested/deeper'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'junit.xml'), `<failure message="sign-in with ${PASSWORD} failed"/>`);
    fs.writeFileSync(path.join(dir, 'nested/deeper/report-1.zip'), blob);
    fs.writeFileSync(path.join(dir, 'nested/shot.png'), PNG);
    fs.writeFileSync(path.join(dir, 'clean.json'), '{"ok":true}');

    const report = await redactTree(dir, redact);
    expect(report.files).toBe(4);
    expect(report.changed.map((f) => path.relative(dir, f)).sort()).toEqual(['junit.xml', 'nested/deeper/report-1.zip']);
    expect(fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8')).toBe('<failure message="sign-in with [REDACTED:SMOKE_USER_PASSWORD] failed"/>');
    expect(fs.readFileSync(path.join(dir, 'nested/shot.png')).equals(PNG)).toBe(true);

    const outer = unzipSync(fs.readFileSync(path.join(dir, 'nested/deeper/report-1.zip')));
    expect(strFromU8(outer['report.jsonl']!)).toBe('{"stdout":"[REDACTED:SUPABASE_ANON_KEY]"}\n');
    const inner = unzipSync(outer['resources/trace.zip']!);
    expect(strFromU8(inner['trace.trace']!)).toContain('"value":"[REDACTED:SMOKE_USER_PASSWORD]"');
    expect(strFromU8(inner['trace.network']!)).not.toContain(KEY);
    expect(strFromU8(inner['trace.network']!)).not.toContain(PASSWORD);
    expect(strFromU8(inner['resources/body.txt']!)).toBe('password=[REDACTED:SMOKE_USER_PASSWORD]');
    // The screencast frame is an image: untouched.
    expect(Buffer.from(inner['resources/page@1.jpeg']!).subarray(4).toString()).toBe(PASSWORD);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('does nothing for a path that does not exist', async () => {
    expect(await redactTree('/nonexistent/test-results', redact)).toEqual({ files: 0, changed: [] });
  });
});

describe('isText', () => {
  it('tells text from binary', () => {
    expect(isText(strToU8('{"a":1}\n'))).toBe(true);
    expect(isText(PNG)).toBe(false);
    expect(isText(new Uint8Array([0x61, 0, 0x62]))).toBe(false);
  });
});
