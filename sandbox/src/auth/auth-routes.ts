import { Hono, type Context } from 'hono';
import { bearerToken } from '../http/gateway.ts';
import type { KeyRing } from '../keys.ts';
import { AuthApiError } from './auth-error.ts';
import type { AuthService } from './auth-service.ts';

const API_VERSION_HEADER = 'X-Supabase-Api-Version';
const API_VERSION = '2024-01-01';

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new AuthApiError(400, 'bad_json', 'Could not parse request body as JSON');
}

/** GoTrue's admin check: the Bearer JWT itself must carry role service_role. */
async function requireServiceRole(c: Context, keys: KeyRing): Promise<void> {
  const token = bearerToken(c);
  if (!token) throw new AuthApiError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  const verified = await keys.verify(token);
  if (!verified.ok) {
    throw new AuthApiError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${verified.message}`);
  }
  if (verified.role !== 'service_role') throw new AuthApiError(403, 'not_admin', 'User not allowed');
}

/** `/auth/v1`: the GoTrue endpoints supabase-js 2.119 calls for password sign-in, sessions and admin users. */
export function authRoutes(auth: AuthService, keys: KeyRing, log: (line: string) => void): Hono {
  const app = new Hono();

  app.use('*', async (c, next) => {
    await next();
    // GoTrue echoes the API version the client asked for; supabase-js reads error `code`s only when it is present.
    c.header(API_VERSION_HEADER, API_VERSION);
  });

  app.onError((error, c) => {
    c.header(API_VERSION_HEADER, API_VERSION);
    if (error instanceof AuthApiError) {
      return c.json({ code: error.code, message: error.message, ...error.extra }, error.status as 400);
    }
    log(`auth: unexpected error: ${error.stack ?? error.message}`);
    return c.json({ code: 'unexpected_failure', message: 'Unexpected failure, please check server logs for more information' }, 500);
  });

  app.get('/health', (c) => c.json({ version: 'sandbox', name: 'GoTrue', description: 'Marsana Fleet sandbox auth' }));

  app.post('/token', async (c) => {
    const grantType = c.req.query('grant_type');
    const body = await jsonBody(c);
    if (grantType === 'password') return c.json(await auth.signInWithPassword(body['email'], body['password']));
    if (grantType === 'refresh_token') return c.json(await auth.refresh(body['refresh_token']));
    throw new AuthApiError(400, 'validation_failed', 'unsupported_grant_type');
  });

  app.get('/user', async (c) => c.json((await auth.authenticate(bearerToken(c))).user));

  app.post('/logout', async (c) => {
    await auth.logout(bearerToken(c), c.req.query('scope'));
    return c.body(null, 204);
  });

  app.post('/admin/users', async (c) => {
    await requireServiceRole(c, keys);
    return c.json(await auth.createUser(await jsonBody(c)));
  });

  app.get('/admin/users', async (c) => {
    await requireServiceRole(c, keys);
    const page = Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1);
    const perPage = Math.min(1000, Math.max(1, Number.parseInt(c.req.query('per_page') ?? '50', 10) || 50));
    const { users, total } = await auth.listUsers(page, perPage);
    c.header('X-Total-Count', String(total));
    return c.json({ users, aud: 'authenticated' });
  });

  app.get('/admin/users/:id', async (c) => {
    await requireServiceRole(c, keys);
    return c.json(await auth.getUser(c.req.param('id')));
  });

  app.delete('/admin/users/:id', async (c) => {
    await requireServiceRole(c, keys);
    return c.json(await auth.deleteUser(c.req.param('id')));
  });

  app.notFound((c) => c.json({ code: 'not_found', message: 'Not Found' }, 404));
  return app;
}
