/**
 * One monitoring cycle's measurements as rows of the log's section 6 tables. Pure: the same numbers the
 * trigger evaluator judges are the ones written, with the status each earned.
 */
import type { MonitoringRow } from '../../reporters/promotion-log/monitoring.ts';
import { classify, HEALTH_ICON, type MonitorThresholds } from './thresholds.ts';

export interface CycleReport {
  time: string;
  api: { p95Ms?: number; requests: number; failed: number; note?: string };
  db: { p95Ms?: number; connections?: number; note?: string };
  realtime: { p95Ms?: number; samples: number; note?: string };
  sentry: { critical?: number; high?: number; note?: string };
}

export const TABLES = {
  errorRate: 'Error Rate Monitoring',
  api: 'API Latency Monitoring',
  db: 'Database Performance Monitoring',
  realtime: 'Real-time Latency Monitoring',
  sentry: 'Sentry Error Monitoring',
} as const;

const ms = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)}ms`;

export function errorRatePct(api: CycleReport['api']): number | undefined {
  return api.requests === 0 ? undefined : (api.failed / api.requests) * 100;
}

export function monitoringRows(r: CycleReport, t: MonitorThresholds): MonitoringRow[] {
  const rows: MonitoringRow[] = [];
  const rate = errorRatePct(r.api);
  rows.push({
    table: TABLES.errorRate,
    time: r.time,
    cells:
      rate === undefined
        ? { 'Error Rate': '-', Status: '❌', Notes: r.api.note ?? 'no request completed' }
        : {
            'Error Rate': `${rate.toFixed(rate < 1 ? 2 : 1)}%`,
            Status: HEALTH_ICON[classify(rate, t.errorRatePct)],
            Notes: `${r.api.failed} of ${r.api.requests} requests failed`,
          },
  });
  rows.push({
    table: TABLES.api,
    time: r.time,
    cells:
      r.api.p95Ms === undefined
        ? { Latency: '-', Status: '❌', Notes: r.api.note ?? 'no answer' }
        : { Latency: `${ms(r.api.p95Ms)} (p95)`, Status: HEALTH_ICON[classify(r.api.p95Ms, t.apiP95Ms)], Notes: `${r.api.requests} requests` },
  });
  rows.push({
    table: TABLES.db,
    time: r.time,
    cells:
      r.db.p95Ms === undefined
        ? { Latency: '-', Connections: '-', Status: r.db.note ?? 'not configured' }
        : {
            Latency: `${ms(r.db.p95Ms)} (p95)`,
            Connections: r.db.connections === undefined ? '-' : String(r.db.connections),
            Status: HEALTH_ICON[classify(r.db.p95Ms, t.dbP95Ms)],
          },
  });
  rows.push({
    table: TABLES.realtime,
    time: r.time,
    cells:
      r.realtime.p95Ms === undefined
        ? { Latency: '-', Status: r.realtime.note?.startsWith('not ') ? '⏭️' : '❌', Notes: r.realtime.note ?? 'not measured' }
        : {
            Latency: `${ms(r.realtime.p95Ms)}`,
            Status: HEALTH_ICON[classify(r.realtime.p95Ms, t.realtimeMs)],
            Notes: `p95 of ${r.realtime.samples} events, commit to arrival${r.realtime.note ? `; ${r.realtime.note}` : ''}`,
          },
  });
  rows.push({
    table: TABLES.sentry,
    time: r.time,
    cells:
      r.sentry.critical === undefined
        ? { 'Critical Errors': '-', 'High Errors': '-', Status: r.sentry.note ?? 'not configured' }
        : {
            'Critical Errors': String(r.sentry.critical),
            'High Errors': String(r.sentry.high ?? 0),
            Status: r.sentry.critical > 0 ? '❌' : (r.sentry.high ?? 0) > 0 ? '⚠️' : '✅',
          },
  });
  return rows;
}
