/**
 * Small, dependency-free SVG charts for the promotion log: per-check durations of a smoke run, and latency over
 * the monitoring window. Pure functions of their data (no dates, no randomness), so they are golden-tested and
 * a rerun with the same figures writes the same bytes.
 */
import type { CheckStatus } from '../../src/results.ts';

const COLOR: Record<CheckStatus, string> = { passed: '#2e7d32', failed: '#c62828', flaky: '#ef6c00', skipped: '#9e9e9e' };
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12"';

export interface DurationBar {
  name: string;
  status: CheckStatus;
  durationMs: number;
}

/** One horizontal bar per check, coloured by status, its duration written after it. */
export function durationsChartSvg(bars: DurationBar[], title = 'Smoke check durations'): string {
  const width = 760;
  const labelWidth = 210;
  const valueWidth = 90;
  const rowHeight = 22;
  const top = 34;
  const height = top + Math.max(bars.length, 1) * rowHeight + 26;
  const max = niceCeiling(Math.max(1, ...bars.map((b) => b.durationMs)));
  const plot = width - labelWidth - valueWidth;
  const x = (ms: number) => labelWidth + (plot * ms) / max;

  const out: string[] = [header(width, height, title)];
  out.push(`<text x="12" y="20" ${FONT} font-weight="600">${esc(title)}</text>`);
  for (const tick of ticks(max)) {
    const tx = round(x(tick));
    out.push(`<line x1="${tx}" y1="${top - 4}" x2="${tx}" y2="${height - 22}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${tx}" y="${height - 8}" ${FONT} fill="#616161" text-anchor="middle">${formatMs(tick)}</text>`);
  }
  bars.forEach((bar, i) => {
    const y = top + i * rowHeight;
    const w = round(Math.max(bar.durationMs > 0 ? 1 : 0, x(bar.durationMs) - labelWidth));
    out.push(`<text x="${labelWidth - 8}" y="${y + 15}" ${FONT} text-anchor="end">${esc(bar.name)}</text>`);
    out.push(`<rect x="${labelWidth}" y="${y + 4}" width="${w}" height="${rowHeight - 8}" fill="${COLOR[bar.status]}"><title>${esc(`${bar.name}: ${bar.status}, ${formatMs(bar.durationMs)}`)}</title></rect>`);
    const label = bar.status === 'passed' ? formatMs(bar.durationMs) : `${formatMs(bar.durationMs)} ${bar.status}`;
    out.push(`<text x="${round(labelWidth + w + 6)}" y="${y + 15}" ${FONT} fill="#424242">${esc(label)}</text>`);
  });
  if (bars.length === 0) out.push(`<text x="${labelWidth}" y="${top + 15}" ${FONT} fill="#616161">no checks ran</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export interface LatencySeries {
  label: string;
  /** In window order: x is the time label ("10 min"), ms the latency measured then (null: no measurement). */
  points: Array<{ x: string; ms: number | null }>;
}

/** Latency over the monitoring window: one line per series, the target as a dashed line. */
export function latencyChartSvg(series: LatencySeries[], opts: { title: string; targetMs?: number }): string {
  const width = 760;
  const height = 300;
  const left = 64;
  const right = 150;
  const top = 36;
  const bottom = 40;
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))];
  const values = series.flatMap((s) => s.points.flatMap((p) => (p.ms === null ? [] : [p.ms])));
  const max = niceCeiling(Math.max(1, opts.targetMs ?? 0, ...values));
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x = (label: string) => left + (xs.length <= 1 ? plotW / 2 : (plotW * xs.indexOf(label)) / (xs.length - 1));
  const y = (ms: number) => top + plotH - (plotH * ms) / max;
  const palette = ['#1565c0', '#6a1b9a', '#00838f', '#ef6c00', '#2e7d32'];

  const out: string[] = [header(width, height, opts.title)];
  out.push(`<text x="12" y="20" ${FONT} font-weight="600">${esc(opts.title)}</text>`);
  for (const tick of ticks(max)) {
    const ty = round(y(tick));
    out.push(`<line x1="${left}" y1="${ty}" x2="${width - right}" y2="${ty}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${left - 6}" y="${ty + 4}" ${FONT} fill="#616161" text-anchor="end">${formatMs(tick)}</text>`);
  }
  for (const label of xs) {
    out.push(`<text x="${round(x(label))}" y="${height - bottom + 18}" ${FONT} fill="#616161" text-anchor="middle">${esc(label)}</text>`);
  }
  if (opts.targetMs !== undefined) {
    const ty = round(y(opts.targetMs));
    out.push(`<line x1="${left}" y1="${ty}" x2="${width - right}" y2="${ty}" stroke="#c62828" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${width - right + 6}" y="${ty + 4}" ${FONT} fill="#c62828">target ${formatMs(opts.targetMs)}</text>`);
  }
  series.forEach((s, i) => {
    const color = palette[i % palette.length]!;
    const pts = s.points.filter((p): p is { x: string; ms: number } => p.ms !== null);
    if (pts.length > 1) {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${round(x(p.x))},${round(y(p.ms))}`).join(' ')}"/>`);
    }
    for (const p of pts) {
      out.push(`<circle cx="${round(x(p.x))}" cy="${round(y(p.ms))}" r="3" fill="${color}"><title>${esc(`${s.label} at ${p.x}: ${formatMs(p.ms)}`)}</title></circle>`);
    }
    out.push(`<text x="${width - right + 6}" y="${top + 14 + i * 16}" ${FONT} fill="${color}">${esc(s.label)}</text>`);
  });
  if (values.length === 0) out.push(`<text x="${left + 8}" y="${top + 20}" ${FONT} fill="#616161">no measurements yet</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function header(width: number, height: number, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">\n<rect width="100%" height="100%" fill="#ffffff"/>`;
}

/** 1, 2 or 5 times a power of ten, at or above `n`. */
export function niceCeiling(n: number): number {
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * power >= n) return step * power;
  return 10 * power;
}

function ticks(max: number): number[] {
  return [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(2))}s` : `${Math.round(ms)}ms`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
