import { describe, expect, it } from 'vitest';
import { describeLeftovers, smokeTag, taggedRunId, VEHICLE_WAS } from './smoke-leftovers.ts';

describe('smoke leftovers: the tag', () => {
  it('reads back the run id the writers put in, and nothing from untagged text', () => {
    const text = smokeTag(`Smoke test handshake to accept ${VEHICLE_WAS('AVAILABLE')}`, 'smoke-20261204T040000Z-abc123#9f00aa11');
    expect(text).toBe('Smoke test handshake to accept (vehicle was AVAILABLE) [smoke run smoke-20261204T040000Z-abc123#9f00aa11]');
    expect(taggedRunId(text)).toBe('smoke-20261204T040000Z-abc123');
    expect(taggedRunId('a handshake a person wrote [smoke run]')).toBeUndefined();
    expect(taggedRunId(null)).toBeUndefined();
  });

  it('describes what is left in one line, and nothing when nothing is', () => {
    expect(describeLeftovers({ handshakes: 1, inspections: 0, vehicles: 2, photos: ['a/b/smoke-x.png'] })).toBe('1 handshake, 2 vehicles, 1 photo');
    expect(describeLeftovers({ handshakes: 0, inspections: 0, vehicles: 0, photos: [] })).toBeUndefined();
  });
});
