/**
 * The monitor's way into the promotion log: one call per measurement, under the same lock, atomic replace and
 * backup as the smoke reporter (log-file.ts), so a monitor and a smoke run writing at once never lose a result.
 */
import fs from 'node:fs';
import path from 'node:path';
import { latencyChartSvg, type LatencySeries } from './charts.ts';
import { writePromotionLog, type WriteLogOptions } from './log-file.ts';
import { renderMonitoring, type MonitoringRow, type MonitoringUpdate } from './monitoring.ts';

export interface MonitoringChart {
  title: string;
  series: LatencySeries[];
  targetMs?: number;
}

export interface MonitoringWriteOptions extends WriteLogOptions {
  now?: Date;
  /** Monitoring heading → chart to draw (SVG beside the log, in charts/) and link from that subsection. */
  charts?: Record<string, MonitoringChart>;
}

export async function writeMonitoringUpdate(logPath: string, update: MonitoringUpdate, opts: MonitoringWriteOptions = {}): Promise<string[]> {
  const links: Record<string, string> = { ...update.charts };
  for (const [heading, chart] of Object.entries(opts.charts ?? {})) {
    const link = `charts/${chartFileName(heading)}`;
    const file = path.join(path.dirname(logPath), link);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises.writeFile(file, latencyChartSvg(chart.series, { title: chart.title, targetMs: chart.targetMs }));
    links[heading] = link;
  }
  const warnings: string[] = [];
  await writePromotionLog(
    logPath,
    (text) => {
      const out = renderMonitoring(text, { ...update, charts: links }, opts.now ?? new Date());
      warnings.push(...out.warnings);
      return out.text;
    },
    opts,
  );
  return warnings;
}

/** One monitoring row, e.g. `writeMonitoringRow(log, { table: 'Error Rate Monitoring', time: '10 min', cells: {…} })`. */
export function writeMonitoringRow(logPath: string, row: MonitoringRow, opts: MonitoringWriteOptions = {}): Promise<string[]> {
  return writeMonitoringUpdate(logPath, { rows: [row] }, opts);
}

export function chartFileName(heading: string): string {
  return `${heading.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'chart'}.svg`;
}
