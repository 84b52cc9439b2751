/**
 * The User-Agent of the suite's own HTTP probes, so the target's request logs (Vercel, Supabase) can tell
 * synthetic traffic from users' and leave it out of their analytics, and so a run's requests can be found by
 * its id. It says which part of the suite sent it: "monitor api", "monitor health", "synthetic api".
 */
export function syntheticUserAgent(part: string, runId: string): string {
  return `marsana-fleet-smoke (${part}; ${runId})`;
}
