import { describe, expect, it } from 'vitest';
import { classify, DEFAULT_THRESHOLDS } from './thresholds.ts';
import { TriggerEvaluator } from './triggers.ts';

describe('classify', () => {
  it('is ok up to the target, degraded up to the trigger, over beyond it', () => {
    const limits = DEFAULT_THRESHOLDS.apiP95Ms;
    expect(classify(500, limits)).toBe('ok');
    expect(classify(501, limits)).toBe('degraded');
    expect(classify(2000, limits)).toBe('degraded');
    expect(classify(2001, limits)).toBe('over');
  });
});

describe('TriggerEvaluator', () => {
  it('fires a high trigger on the first measurement over it, once, with its evidence', () => {
    const t = new TriggerEvaluator(DEFAULT_THRESHOLDS);
    expect(t.observe({ minute: 0, apiAvailable: true, apiP95Ms: 300 })).toEqual([]);
    const fired = t.observe({ minute: 10, apiAvailable: true, apiP95Ms: 2500 });
    expect(fired).toEqual([{ id: 'api-latency', minute: 10, evidence: '2500 ms (p95) over the 2000 ms trigger (at 10 min)' }]);
    expect(t.observe({ minute: 20, apiAvailable: true, apiP95Ms: 2600 })).toEqual([]);
    expect(t.decision()).toBe('evaluate');
  });

  it('with consecutive=2 ignores one blip and fires on two in a row', () => {
    const t = new TriggerEvaluator({ ...DEFAULT_THRESHOLDS, consecutive: 2 });
    expect(t.observe({ minute: 0, apiAvailable: true, errorRatePct: 5 })).toEqual([]);
    expect(t.observe({ minute: 10, apiAvailable: true, errorRatePct: 0 })).toEqual([]);
    expect(t.observe({ minute: 20, apiAvailable: true, errorRatePct: 3 })).toEqual([]);
    expect(t.observe({ minute: 30, apiAvailable: true, errorRatePct: 4 }).map((f) => f.id)).toEqual(['error-rate']);
  });

  it('fires "API completely unavailable" only after more than the allowed minutes down', () => {
    const t = new TriggerEvaluator(DEFAULT_THRESHOLDS);
    expect(t.observe({ minute: 0, apiAvailable: false })).toEqual([]);
    expect(t.observe({ minute: 5, apiAvailable: false })).toEqual([]);
    expect(t.observe({ minute: 6, apiAvailable: true })).toEqual([]);
    expect(t.observe({ minute: 10, apiAvailable: false })).toEqual([]);
    const fired = t.observe({ minute: 15.5, apiAvailable: false });
    expect(fired.map((f) => f.id)).toEqual(['api-unavailable']);
    expect(t.decision()).toBe('rollback');
  });

  it('fires critical triggers on their evidence', () => {
    const t = new TriggerEvaluator(DEFAULT_THRESHOLDS);
    const fired = t.observe({ minute: 0, apiAvailable: true, dataLoss: 'synthetic row 42 written, then not readable' });
    expect(fired).toEqual([{ id: 'data-loss', minute: 0, evidence: 'synthetic row 42 written, then not readable' }]);
    expect(t.decision()).toBe('rollback');
  });
});

describe('loadThresholds', () => {
  it('lays a partial file over the defaults and names a bad key', async () => {
    const { loadThresholds } = await import('./thresholds.ts');
    expect(loadThresholds('t.json', '{"apiP95Ms":{"target":100,"trigger":300},"consecutive":2}')).toMatchObject({
      apiP95Ms: { target: 100, trigger: 300 },
      consecutive: 2,
      dbP95Ms: DEFAULT_THRESHOLDS.dbP95Ms,
    });
    expect(() => loadThresholds('t.json', '{"apiP95Ms":{"target":"fast"}}')).toThrow(/^t\.json: apiP95Ms\.target/);
    expect(() => loadThresholds('t.json', '{"apiLatency":1}')).toThrow(/^t\.json: thresholds Unrecognized key/);
    expect(() => loadThresholds('t.json', 'nope')).toThrow(/^t\.json: not JSON/);
  });
});
