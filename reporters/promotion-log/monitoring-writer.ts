/**
 * The monitor's way into the promotion log: one call per measurement, under the same lock, atomic replace and
 * backup as the smoke reporter (log-file.ts), so a monitor and a smoke run writing at once never lose a result.
 *
 * Each monitoring table with a Latency column that an update writes to gets a chart of that column over the
 * window (charts/<table>.svg beside the log, with its Target as a dashed line), linked from the table as
 * `**Chart**:`. It is drawn from the table as the log has it after the update.
 */
import fs from 'node:fs';
import path from 'node:path';
import { latencyChartSvg, type LatencySeries } from './charts.ts';
import { writePromotionLog, type WriteLogOptions } from './log-file.ts';
import { latencySeries, renderMonitoring, type MonitoringRow, type MonitoringUpdate } from './monitoring.ts';

export interface MonitoringChart {
  title: string;
  series: LatencySeries[];
  targetMs?: number;
}

export interface MonitoringWriteOptions extends WriteLogOptions {
  now?: Date;
  /** Monitoring heading → chart to draw (SVG beside the log, in charts/) and link from that subsection. */
  charts?: Record<string, MonitoringChart>;
  /** Draw the latency tables an update writes to (default true). */
  latencyCharts?: boolean;
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
  const now = opts.now ?? new Date();
  await writePromotionLog(
    logPath,
    (text) => {
      const out = renderMonitoring(text, { ...update, charts: links }, now);
      warnings.push(...out.warnings);
      if (opts.latencyCharts === false) return out.text;
      // Second pass: the charts of the latency tables this update wrote to, drawn from the updated text.
      const drawn: Record<string, string> = {};
      for (const heading of new Set((update.rows ?? []).map((r) => r.table))) {
        if (links[heading]) continue;
        const series = latencySeries(out.text, heading);
        if (!series) continue;
        const link = `charts/${chartFileName(heading)}`;
        const file = path.join(path.dirname(logPath), link);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, latencyChartSvg([{ label: 'latency', points: series.points }], { title: heading, targetMs: series.targetMs }));
        drawn[heading] = link;
      }
      if (Object.keys(drawn).length === 0) return out.text;
      const linked = renderMonitoring(out.text, { charts: drawn }, now);
      warnings.push(...linked.warnings.filter((w) => !warnings.includes(w)));
      return linked.text;
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
