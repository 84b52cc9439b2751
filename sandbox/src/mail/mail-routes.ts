import { Hono, type Context } from 'hono';
import { apiKey, bearerToken } from '../http/gateway.ts';
import type { KeyRing } from '../keys.ts';
import type { MailCatcher } from './mail-catcher.ts';

/** The service role's token (Bearer or apikey), or the response that refuses the request. */
async function refusal(c: Context, keys: KeyRing): Promise<Response | undefined> {
  const token = bearerToken(c) ?? apiKey(c);
  const verified = token ? await keys.verify(token) : undefined;
  if (!verified?.ok) return c.json({ message: 'A service role key is required' }, 401);
  return verified.role === 'service_role' ? undefined : c.json({ message: 'User not allowed' }, 403);
}

/** `/__sandbox/mail`: what the mail relay received (GET, oldest first) and emptying it (DELETE); service role only. */
export function mailRoutes(catcher: MailCatcher, keys: KeyRing): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => (await refusal(c, keys)) ?? next());
  app.get('/', (c) => c.json(catcher.list()));
  app.delete('/', (c) => {
    catcher.clear();
    return c.body(null, 204);
  });
  return app;
}
