/**
 * Before any check runs against a target the suite did not start itself: can it be reached, and will it let the
 * suite in? Each question that fails is the environment's problem or the configuration's, not the release's, so
 * it stops the run with exit 2 and one line (UsageError), before a browser starts or the log is touched:
 * - a refused connection, a host that does not resolve, one that never answers (the pre-flight as a whole ends
 *   within PREFLIGHT_DEADLINE_MS of the process's start);
 * - a deployment behind protection (401/403, or a redirect to another host such as a login page): "environment
 *   blocked". Redirects are never followed with a secret: the app is probed with no key at all, the API with
 *   `redirect: 'manual'`, so the apikey reaches SUPABASE_URL's own host and no other;
 * - an anon key that is expired, a service-role key, or one the API refuses (another project's, revoked);
 * - smoke-user credentials the auth server refuses.
 * Any other HTTP answer, even a 500, means the target is there: the checks decide, and report it as a failure.
 */
import { UsageError } from '../errors.ts';
import { makeRedactor } from '../redact.ts';
import type { TargetEnv } from '../config/target-env.ts';

/**
 * The whole pre-flight ends within this many ms of the process's start (but gets at least PREFLIGHT_MIN_MS), so
 * a command whose target never answers says so within 10 s of being started, even when a busy machine made its
 * start-up slow.
 */
export const PREFLIGHT_DEADLINE_MS = 8_000;
export const PREFLIGHT_MIN_MS = 4_000;
const MAX_SAME_HOST_REDIRECTS = 5;

export interface PreflightOptions {
  /** Time for all of the pre-flight's requests together; by default what is left of PREFLIGHT_DEADLINE_MS. */
  budgetMs?: number;
  now?: Date;
}

export async function preflightTarget(env: TargetEnv, opts: PreflightOptions = {}): Promise<void> {
  const budget = opts.budgetMs ?? Math.max(PREFLIGHT_MIN_MS, PREFLIGHT_DEADLINE_MS - process.uptime() * 1000);
  const deadline = performance.now() + budget;
  // The deadline bounds the wait for a host that never answers; a host that has answered is reachable, and a slow
  // one (a busy deployment) gets the usual request timeout instead of being called unreachable.
  const answered = new Set<string>();
  const timeout: Timeout = (url) => (answered.has(url.host) ? ANSWERED_HOST_TIMEOUT_MS : Math.max(500, Math.ceil(deadline - performance.now())));
  timeout.answered = (url) => answered.add(url.host);
  const now = opts.now ?? new Date();
  for (const [name, expectedRole] of [['SUPABASE_ANON_KEY', 'anon'], ['SUPABASE_SERVICE_ROLE_KEY', 'service_role']] as const) {
    const problem = keyProblem(env[name], expectedRole, now);
    if (problem) throw new UsageError(`${name} ${problem}`);
  }
  await probeApp(env.BASE_URL, timeout);
  const redact = makeRedactor({ SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY, SMOKE_USER_PASSWORD: env.SMOKE_USER_PASSWORD });
  const apiKey = await probe('SUPABASE_URL', new URL('auth/v1/health', withSlash(env.SUPABASE_URL)), timeout, {
    headers: { apikey: env.SUPABASE_ANON_KEY },
  });
  const keyVerdict = judgeApiKeyAnswer(apiKey.status, apiKey.location, await serverMessage(apiKey.response, redact));
  if (keyVerdict) throw new UsageError(keyVerdict);
  await checkCredentials(env, timeout, redact);
}

/** The time a request to `url` may take (ms): what is left of the pre-flight's, until its host has answered. */
type Timeout = ((url: URL) => number) & { answered?: (url: URL) => void };

const ANSWERED_HOST_TIMEOUT_MS = 10_000;

/** The app's front page, followed through redirects on its own host (no secret is sent to it at all). */
async function probeApp(baseUrl: string, timeout: Timeout): Promise<void> {
  let url = new URL(baseUrl);
  for (let hop = 0; hop <= MAX_SAME_HOST_REDIRECTS; hop++) {
    const answer = await probe('BASE_URL', url, timeout);
    await answer.response.body?.cancel();
    const verdict = judgeAppAnswer(baseUrl, url, answer.status, answer.location);
    if (verdict.kind === 'blocked') throw new UsageError(verdict.message);
    if (verdict.kind === 'ok') return;
    url = verdict.next;
  }
}

async function checkCredentials(env: TargetEnv, timeout: Timeout, redact: (s: string) => string): Promise<void> {
  const base = withSlash(env.SUPABASE_URL);
  const signIn = await probe('SUPABASE_URL', new URL('auth/v1/token?grant_type=password', base), timeout, {
    method: 'POST',
    headers: { apikey: env.SUPABASE_ANON_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ email: env.SMOKE_USER_EMAIL, password: env.SMOKE_USER_PASSWORD }),
  });
  const body = await readJson(signIn.response);
  const verdict = judgeSignInAnswer(signIn.status, body, redact);
  if (verdict) throw new UsageError(verdict);
  // The session was only a question; end it so that runs do not pile up sessions on the auth server.
  const token = typeof body?.access_token === 'string' ? body.access_token : undefined;
  if (signIn.status === 200 && token) {
    await fetch(new URL('auth/v1/logout?scope=local', base), {
      method: 'POST',
      headers: { apikey: env.SUPABASE_ANON_KEY, authorization: `Bearer ${token}` },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeout(new URL(base))),
    })
      .then((r) => r.body?.cancel())
      .catch(() => undefined);
  }
}

interface Answer {
  status: number;
  location?: string;
  response: Response;
}

/** One request that never follows a redirect; network failures become the one-line UsageError. */
async function probe(name: string, url: URL, timeout: Timeout, init: RequestInit = {}): Promise<Answer> {
  const timeoutMs = timeout(url);
  try {
    const response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    timeout.answered?.(url);
    return { status: response.status, location: response.headers.get('location') ?? undefined, response };
  } catch (e) {
    throw new UsageError(`${name} ${url.origin}: ${describeNetworkError(e, timeoutMs)}`);
  }
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

async function readJson(response: Response): Promise<Record<string, unknown> | undefined> {
  const text = await response.text().catch(() => '');
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The server's own words for a refusal (Supabase's gateway: `message`; GoTrue: `msg`, `error_description`), redacted. */
async function serverMessage(response: Response, redact: (s: string) => string): Promise<string | undefined> {
  return messageOf(await readJson(response), redact);
}

function messageOf(body: Record<string, unknown> | undefined, redact: (s: string) => string): string | undefined {
  const text = [body?.message, body?.msg, body?.error_description, body?.error].find((v): v is string => typeof v === 'string' && v.trim() !== '');
  return text === undefined ? undefined : redact(text.split('\n')[0]!.trim().slice(0, 120));
}

// ---------------------------------------------------------------------------------------------------------------
// Pure verdicts

export type AppVerdict = { kind: 'ok' } | { kind: 'follow'; next: URL } | { kind: 'blocked'; message: string };

/** What the app's front page said: reachable, a redirect to follow on the same host, or a wall in front of it. */
export function judgeAppAnswer(baseUrl: string, url: URL, status: number, location: string | undefined): AppVerdict {
  if (status === 401 || status === 403) {
    return { kind: 'blocked', message: `environment blocked: BASE_URL ${baseUrl} answers ${status} (deployment protection or a login wall in front of the app); nothing was run` };
  }
  if (status >= 300 && status < 400 && location) {
    const next = new URL(location, url);
    // The same host and port, or the same host moving to https: still the app. Anything else is someone else.
    const upgraded = next.hostname === url.hostname && url.protocol === 'http:' && next.protocol === 'https:' && next.port === '';
    if (next.host !== url.host && !upgraded) {
      return {
        kind: 'blocked',
        message: `environment blocked: BASE_URL ${baseUrl} redirects to ${next.origin} (a login host or deployment protection, not the app); nothing was sent there and nothing was run`,
      };
    }
    return { kind: 'follow', next };
  }
  return { kind: 'ok' };
}

/** What the API said to the anon key: undefined when the key was let through (any answer but 401 and redirects). */
export function judgeApiKeyAnswer(status: number, location: string | undefined, message: string | undefined): string | undefined {
  if (status >= 300 && status < 400) {
    const where = location ? ` to ${safeOrigin(location)}` : '';
    return `environment blocked: SUPABASE_URL redirects${where} (a login host or a proxy in front of the API); the key was not sent there and nothing was run`;
  }
  if (status === 401) {
    return `SUPABASE_ANON_KEY: the API refuses it (401${message ? ` "${message}"` : ''}): another project's key, or revoked`;
  }
  return undefined;
}

/** What the auth server said to the smoke user's password sign-in: undefined unless it refused the credentials. */
export function judgeSignInAnswer(status: number, body: Record<string, unknown> | undefined, redact: (s: string) => string): string | undefined {
  if (status >= 300 && status < 400) return judgeApiKeyAnswer(status, undefined, undefined);
  if (status === 401) return judgeApiKeyAnswer(status, undefined, messageOf(body, redact));
  const code = [body?.error_code, body?.code, body?.error].find((v): v is string => typeof v === 'string');
  if (status === 400 && code && REFUSED_CREDENTIALS.has(code)) {
    return `SMOKE_USER_EMAIL / SMOKE_USER_PASSWORD: the auth server refuses them (400 ${code}): a wrong password, or no such user; nothing was run`;
  }
  return undefined;
}

/** GoTrue's codes for a password sign-in it refuses (invalid_grant: older GoTrue versions). */
const REFUSED_CREDENTIALS = new Set(['invalid_credentials', 'invalid_grant', 'email_not_confirmed', 'user_banned']);

/**
 * What can be told of an API key without asking the server: a JWT-shaped key (Supabase's legacy keys) that has
 * expired, or whose role is not the one its variable names. Other key formats pass (the server decides).
 */
export function keyProblem(key: string | undefined, expectedRole: 'anon' | 'service_role', now: Date): string | undefined {
  const parts = key?.split('.');
  if (!parts || parts.length !== 3 || !key!.startsWith('eyJ')) return undefined;
  let claims: { exp?: unknown; role?: unknown };
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return 'is not a valid JWT (its payload does not decode)';
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= now.getTime()) {
    return `expired on ${new Date(claims.exp * 1000).toISOString()}`;
  }
  if (typeof claims.role === 'string' && claims.role !== expectedRole) {
    return `is a "${claims.role}" key, not an ${expectedRole === 'anon' ? 'anon' : 'service_role'} key`;
  }
  return undefined;
}

function safeOrigin(location: string): string {
  return URL.canParse(location) ? new URL(location).origin : 'another address';
}

export function describeNetworkError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${(timeoutMs / 1000).toFixed(1)} s`;
  switch (err.cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the target running?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host does not resolve';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection closed without an answer';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return `TLS certificate problem (${err.cause.code})`;
    default:
      return `unreachable (${err.cause?.code ?? err.cause?.message ?? String(e)})`;
  }
}
