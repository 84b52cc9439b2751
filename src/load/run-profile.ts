/**
 * Runs one load profile with autocannon and judges it by its thresholds. autocannon reports no p95, so every
 * response's latency goes into an HDR histogram; errors are non-2xx answers plus failed connections.
 */
import autocannon from 'autocannon';
import { LatencyHistogram, type LatencySummary } from '../measure/latency-histogram.ts';
import type { LoadRequest, ProfileSettings } from '../../load/profiles.ts';

export interface LoadResult {
  requests: number;
  errors: number;
  errorRatePct: number;
  requestsPerSecond: number;
  latency: LatencySummary;
  /** Every threshold that was not met, as a sentence naming the figure and the limit. */
  failures: string[];
}

/** `stop`: when it settles, the load ends early and the result covers the requests made until then. */
export async function runProfile(origin: string, requests: LoadRequest[], settings: ProfileSettings, stop?: Promise<unknown>): Promise<LoadResult> {
  const histogram = new LatencyHistogram();
  let ok = 0;
  let failed = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: origin,
        connections: settings.connections,
        duration: settings.durationSeconds,
        requests: requests.map((r) => ({ method: r.method, path: r.path, headers: r.headers, body: r.body })),
        timeout: 10,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    void stop?.then(() => instance.stop());
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      histogram.record(responseTime);
      if (statusCode >= 200 && statusCode < 400) ok++;
      else failed++;
    });
  });
  // Timeouts and connection errors never produce a response event; count them as failed requests.
  failed += result.errors + result.timeouts;
  const total = ok + failed;
  const errorRatePct = total === 0 ? 100 : (failed / total) * 100;
  const latency = histogram.summary();
  const failures: string[] = [];
  if (total === 0) failures.push('no request completed');
  if (latency.p95 >= settings.p95Ms) failures.push(`p95 ${latency.p95.toFixed(1)} ms is not under ${settings.p95Ms} ms`);
  if (errorRatePct > settings.errorRatePct) failures.push(`error rate ${errorRatePct.toFixed(2)}% is over ${settings.errorRatePct}%`);
  return {
    requests: total,
    errors: failed,
    errorRatePct,
    requestsPerSecond: total / (result.duration || settings.durationSeconds),
    latency,
    failures,
  };
}
