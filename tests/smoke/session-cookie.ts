/**
 * Reads the Supabase session that `@supabase/ssr` keeps in cookies: `sb-<ref>-auth-token`, possibly split
 * into `.0`, `.1`… chunks, holding JSON or `base64-` + base64url(JSON).
 */
export interface CookieLike {
  name: string;
  value: string;
}

export function sessionFromCookies(cookies: CookieLike[], pattern: RegExp): { access_token: string } | undefined {
  const matching = cookies.filter((c) => pattern.test(c.name));
  if (matching.length === 0) return undefined;
  const chunkIndex = (name: string) => Number(/\.(\d+)$/.exec(name)?.[1] ?? -1);
  const raw = matching
    .sort((a, b) => chunkIndex(a.name) - chunkIndex(b.name))
    .map((c) => c.value)
    .join('');
  const decoded = decodeURIComponent(raw);
  const json = decoded.startsWith('base64-') ? Buffer.from(decoded.slice('base64-'.length), 'base64url').toString('utf8') : decoded;
  try {
    const parsed = JSON.parse(json) as unknown;
    const session = Array.isArray(parsed) ? { access_token: parsed[0] } : (parsed as { access_token?: unknown });
    return typeof session.access_token === 'string' ? { access_token: session.access_token } : undefined;
  } catch {
    return undefined;
  }
}
