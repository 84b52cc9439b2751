import type { MiddlewareHandler } from 'hono';
import type { ActiveFaults } from '../faults.ts';

/**
 * The headers Marsana Fleet's `next.config.js` sends with every page, as a security scan expects them. The CSP
 * names only `frame-ancestors`: a fuller policy would have to list every script the pages load, and the point
 * here is clickjacking, which X-Frame-Options covers for older browsers too.
 */
export const SECURITY_HEADERS = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains; preload',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(self)',
  'Content-Security-Policy': "frame-ancestors 'none'",
} as const;

/**
 * Adds the security headers to every HTML response, whichever route (or the not-found and error pages) made it.
 * Fault `headers_missing`: none are sent, as when a deploy drops the `headers()` block of the Next.js config.
 */
export function securityHeaders(faults: ActiveFaults): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (faults.isOn('headers_missing')) return;
    if (!c.res.headers.get('content-type')?.startsWith('text/html')) return;
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  };
}
