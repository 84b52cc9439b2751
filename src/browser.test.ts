import { describe, expect, it } from 'vitest';
import { resolveChromium, SYSTEM_CHROMIUM } from './browser.ts';

describe('resolveChromium', () => {
  it('prefers CHROMIUM_PATH and gives it the headless flags', () => {
    const choice = resolveChromium({ CHROMIUM_PATH: '/opt/chrome' }, (p) => p === '/opt/chrome');
    expect(choice).toMatchObject({ source: 'CHROMIUM_PATH', executablePath: '/opt/chrome' });
    expect(choice.args).toContain('--no-sandbox');
  });

  it('rejects a CHROMIUM_PATH that does not exist', () => {
    expect(() => resolveChromium({ CHROMIUM_PATH: '/nope' }, () => false)).toThrow('CHROMIUM_PATH=/nope: no such file');
  });

  it("uses Playwright's own Chromium when installed, else the system's", () => {
    expect(resolveChromium({}, () => true).source).toBe('playwright');
    expect(resolveChromium({}, (p) => p === SYSTEM_CHROMIUM)).toMatchObject({ source: 'system', executablePath: SYSTEM_CHROMIUM });
  });

  it('says how to get a Chromium when there is none', () => {
    expect(() => resolveChromium({}, () => false)).toThrow(/playwright install chromium.*apt-get install chromium.*CHROMIUM_PATH/);
  });
});
