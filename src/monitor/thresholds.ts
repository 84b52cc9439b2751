/**
 * Targets and rollback triggers of the monitoring window, as the promotion log states them (section 6 targets,
 * section 7 triggers). One object, validated with zod, so the labels written into the log and the numbers
 * the monitor compares against are the same values.
 */
import { z } from 'zod';

export const monitorThresholdsSchema = z.object({
  errorRatePct: z.object({ target: z.number().nonnegative(), trigger: z.number().positive() }),
  apiP95Ms: z.object({ target: z.number().positive(), trigger: z.number().positive() }),
  dbP95Ms: z.object({ target: z.number().positive(), trigger: z.number().positive() }),
  realtimeMs: z.object({ target: z.number().positive(), trigger: z.number().positive() }),
  /** Minutes of continuous unavailability before "API completely unavailable" fires. */
  unavailableMinutes: z.number().positive(),
  /** How many measurements in a row must be over a high trigger before it fires (1: the first one). */
  consecutive: z.number().int().positive(),
});

export type MonitorThresholds = z.infer<typeof monitorThresholdsSchema>;

export const DEFAULT_THRESHOLDS: MonitorThresholds = {
  errorRatePct: { target: 0.1, trigger: 1 },
  apiP95Ms: { target: 500, trigger: 2000 },
  dbP95Ms: { target: 100, trigger: 500 },
  realtimeMs: { target: 100, trigger: 500 },
  unavailableMinutes: 5,
  consecutive: 1,
};

export type Metric = 'errorRatePct' | 'apiP95Ms' | 'dbP95Ms' | 'realtimeMs';
export type Health = 'ok' | 'degraded' | 'over';

/** ✅ at or under the target, ⚠️ between target and trigger, ❌ over the trigger. */
export function classify(value: number, limits: { target: number; trigger: number }): Health {
  if (value > limits.trigger) return 'over';
  if (value > limits.target) return 'degraded';
  return 'ok';
}

export const HEALTH_ICON: Record<Health, string> = { ok: '✅', degraded: '⚠️', over: '❌' };

/** Thresholds from a JSON file laid over the defaults (any subset of keys); errors name the file and the key. */
export function loadThresholds(file: string, text: string): MonitorThresholds {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
  const merged = { ...DEFAULT_THRESHOLDS, ...(typeof raw === 'object' && raw ? raw : {}) };
  const result = monitorThresholdsSchema.strict().safeParse(merged);
  if (!result.success) {
    throw new Error(`${file}: ${result.error.issues.map((i) => `${i.path.join('.') || 'thresholds'} ${i.message}`).join('; ')}`);
  }
  return result.data;
}
