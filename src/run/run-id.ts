import { randomBytes } from 'node:crypto';

/** A run id that sorts by time and is unique across machines: `smoke-20261203T183012Z-3f9a1c`. */
export function makeRunId(now: Date = new Date(), prefix = 'smoke'): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${prefix}-${stamp}-${randomBytes(3).toString('hex')}`;
}
