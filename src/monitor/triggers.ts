/**
 * Rollback triggers evaluated from measurements over the window. High triggers can require several
 * measurements in a row over the limit (no alarm on one blip); critical ones fire on the evidence itself.
 * Pure state: feed it each cycle's measurement, read what fired and why.
 */
import type { Metric, MonitorThresholds } from './thresholds.ts';

export type TriggerId =
  | 'database-corruption'
  | 'api-unavailable'
  | 'security-breach'
  | 'data-loss'
  | 'error-rate'
  | 'api-latency'
  | 'database-latency'
  | 'realtime-latency';

/** The checkbox text of each trigger in the log's Rollback Triggers (matched case-insensitively by prefix). */
export const TRIGGER_LABELS: Record<TriggerId, string> = {
  'database-corruption': 'Database corruption detected',
  'api-unavailable': 'API completely unavailable',
  'security-breach': 'Security breach detected',
  'data-loss': 'Data loss detected',
  'error-rate': 'Error rate',
  'api-latency': 'API latency',
  'database-latency': 'Database latency',
  'realtime-latency': 'Real-time latency',
};

export const CRITICAL: readonly TriggerId[] = ['database-corruption', 'api-unavailable', 'security-breach', 'data-loss'];

export interface CycleMeasurement {
  /** Minutes since the window opened. */
  minute: number;
  /** False when no probe got any answer from the API this cycle. */
  apiAvailable: boolean;
  errorRatePct?: number;
  apiP95Ms?: number;
  dbP95Ms?: number;
  realtimeMs?: number;
  /** A synthetic row written this cycle could not be read back. */
  dataLoss?: string;
  /** The role matrix let a user see or change what it must not. */
  securityBreach?: string;
  /** Integrity checks failed. */
  corruption?: string;
}

export interface FiredTrigger {
  id: TriggerId;
  minute: number;
  evidence: string;
}

const HIGH: { id: TriggerId; metric: Metric; unit: string }[] = [
  { id: 'error-rate', metric: 'errorRatePct', unit: '%' },
  { id: 'api-latency', metric: 'apiP95Ms', unit: ' ms (p95)' },
  { id: 'database-latency', metric: 'dbP95Ms', unit: ' ms (p95)' },
  { id: 'realtime-latency', metric: 'realtimeMs', unit: ' ms' },
];

export class TriggerEvaluator {
  private readonly streak = new Map<TriggerId, number>();
  private unavailableSince: number | undefined;
  readonly fired = new Map<TriggerId, FiredTrigger>();

  constructor(private readonly thresholds: MonitorThresholds) {}

  /** Records one cycle; returns the triggers that fired for the first time with it. */
  observe(m: CycleMeasurement): FiredTrigger[] {
    const newly: FiredTrigger[] = [];
    const fire = (id: TriggerId, evidence: string) => {
      if (this.fired.has(id)) return;
      const t = { id, minute: m.minute, evidence };
      this.fired.set(id, t);
      newly.push(t);
    };

    if (m.apiAvailable) this.unavailableSince = undefined;
    else {
      this.unavailableSince ??= m.minute;
      const down = m.minute - this.unavailableSince;
      if (down > this.thresholds.unavailableMinutes) {
        fire('api-unavailable', `no answer from the API for ${formatMinutes(down)} (since ${formatMinutes(this.unavailableSince)})`);
      }
    }
    if (m.dataLoss) fire('data-loss', m.dataLoss);
    if (m.securityBreach) fire('security-breach', m.securityBreach);
    if (m.corruption) fire('database-corruption', m.corruption);

    for (const { id, metric, unit } of HIGH) {
      const value = m[metric];
      if (value === undefined) continue;
      const limit = this.thresholds[metric].trigger;
      const streak = value > limit ? (this.streak.get(id) ?? 0) + 1 : 0;
      this.streak.set(id, streak);
      if (streak >= this.thresholds.consecutive) {
        const times = this.thresholds.consecutive > 1 ? ` in ${streak} measurements in a row` : '';
        fire(id, `${round(value)}${unit} over the ${limit}${unit.replace(' (p95)', '')} trigger${times} (at ${formatMinutes(m.minute)})`);
      }
    }
    return newly;
  }

  /** Immediate rollback on a critical trigger, evaluate on a high one, else ready and not needed. */
  decision(): 'rollback' | 'evaluate' | 'none' {
    const ids = [...this.fired.keys()];
    if (ids.some((id) => CRITICAL.includes(id))) return 'rollback';
    return ids.length > 0 ? 'evaluate' : 'none';
  }
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 0);
}

function formatMinutes(m: number): string {
  return Number.isInteger(m) ? `${m} min` : `${m.toFixed(1)} min`;
}
