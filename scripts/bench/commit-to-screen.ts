/**
 * Realtime as the team's users see it: a signed-in browser on /vehicles, live, while vehicles are added through
 * the API one at a time. The screen's clock stops when the page's DOM shows the new row (a MutationObserver's
 * stamp). Two starts: the row's created_at (stamped by the database inside the writing transaction: the commit,
 * less its last microseconds; the sandbox shares this machine's clock) and the moment the insert was sent (the
 * Vehicles List Test's start, an upper bound that needs no server clock). See docs/measurement.md.
 */
import { chromium } from '@playwright/test';
import { startSandbox } from '../../sandbox/src/index.ts';
import { resolveChromium } from '../../src/browser.ts';
import { appProfile } from '../../src/config/app-profile.ts';
import { makeClient } from '../../src/supabase.ts';

export interface Spread {
  p50: number;
  p95: number;
  max: number;
}

export interface ScreenLatency {
  n: number;
  commitToScreen: Spread;
  sentToScreen: Spread;
}

const nearestRank = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function measureCommitToScreen(n: number): Promise<ScreenLatency> {
  const sandbox = await startSandbox({ port: 0, faults: '' });
  const choice = resolveChromium();
  const browser = await chromium.launch({ executablePath: choice.executablePath, args: choice.args });
  try {
    const { env } = sandbox;
    const page = await browser.newPage({ baseURL: env.BASE_URL });
    await page.goto(appProfile.paths.login);
    await page.getByLabel(appProfile.labels.email).fill(env.SMOKE_USER_EMAIL);
    await page.getByLabel(appProfile.labels.password).fill(env.SMOKE_USER_PASSWORD);
    await page.getByRole('button', { name: appProfile.labels.signIn }).click();
    await page.waitForURL((u) => u.pathname !== appProfile.paths.login);
    await page.goto(appProfile.paths.vehicles);
    const table = page.getByRole('table', { name: appProfile.labels.vehiclesTable });
    const { liveList } = appProfile.e2e;
    await table.and(page.locator(`[${liveList.attribute}="${liveList.joined}"]`)).waitFor({ timeout: 15_000 });

    const client = makeClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY);
    await client.auth.signInWithPassword({ email: env.SMOKE_USER_EMAIL, password: env.SMOKE_USER_PASSWORD });
    const { data: branch } = await client.from('branches').select('id, corporate_id').limit(1).single();
    const fromCommit: number[] = [];
    const fromSend: number[] = [];
    for (let i = 0; i < n + 3; i++) {
      const plate = `BENCH-${String(i).padStart(3, '0')}`;
      await table.evaluate((el, plate) => {
        const w = window as unknown as { __seenAt?: number };
        delete w.__seenAt;
        const observer = new MutationObserver(() => {
          if (!Array.from((el as HTMLTableElement).rows).some((tr) => tr.cells[0]?.textContent?.trim() === plate)) return;
          w.__seenAt = performance.timeOrigin + performance.now();
          observer.disconnect();
        });
        observer.observe(el, { subtree: true, childList: true, characterData: true });
      }, plate);
      const sentAt = Date.now();
      const { data: row } = await client
        .from('vehicles')
        .insert({ corporate_id: branch!.corporate_id, branch_id: branch!.id, plate, make: 'Bench', model: 'screen', year: 2024 })
        .select('created_at')
        .single();
      const seenAt = (await (await page.waitForFunction(() => (window as unknown as { __seenAt?: number }).__seenAt, undefined, { timeout: 10_000 })).jsonValue()) as number;
      // The first few warm the page's code paths and the channel.
      if (i >= 3) {
        fromCommit.push(seenAt - Date.parse(row!.created_at as string));
        fromSend.push(seenAt - sentAt);
      }
      await client.from('vehicles').delete().eq('plate', plate);
    }
    const spread = (values: number[]): Spread => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50: Math.round(nearestRank(sorted, 50)), p95: Math.round(nearestRank(sorted, 95)), max: Math.round(sorted.at(-1)!) };
    };
    return { n, commitToScreen: spread(fromCommit), sentToScreen: spread(fromSend) };
  } finally {
    await browser.close();
    await sandbox.stop();
  }
}
