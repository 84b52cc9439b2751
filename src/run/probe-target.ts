/**
 * Before any check runs: can the target be reached at all? A refused connection, a host that does not
 * resolve or one that never answers is an environment problem (exit 2), not a failed release (exit 1).
 * Any HTTP answer, even a 500, means the target is there and the checks decide.
 */
import { UsageError } from '../errors.ts';

export async function probeTarget(name: string, url: string, timeoutMs = 10_000): Promise<void> {
  try {
    const res = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
  } catch (e) {
    throw new UsageError(`${name} ${url}: ${describeNetworkError(e, timeoutMs)}`);
  }
}

function describeNetworkError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  switch (err.cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the target running?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host does not resolve';
    case 'ECONNRESET':
      return 'connection reset';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return `TLS certificate problem (${err.cause.code})`;
    default:
      return `unreachable (${err.cause?.code ?? err.cause?.message ?? String(e)})`;
  }
}
