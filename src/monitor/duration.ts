import { UsageError } from '../errors.ts';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "60m", "10s", "1h", "500ms" → milliseconds. A bare number is refused: the unit must be said. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new UsageError(`--${flag}=${text}: use a number with a unit: 500ms, 10s, 10m, 1h`);
  const ms = Number(m[1]) * UNITS[m[2]!]!;
  if (ms <= 0) throw new UsageError(`--${flag}=${text}: must be above 0`);
  return ms;
}

/** "10 min" for the log's Time column (minutes, as the promotion log counts them). */
export function minuteLabel(minutes: number): string {
  return `${Number.isInteger(minutes) ? minutes : minutes.toFixed(1)} min`;
}
