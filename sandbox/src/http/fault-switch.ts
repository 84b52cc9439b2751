import { Hono, type Context } from 'hono';
import { SandboxConfigError } from '../config-error.ts';
import type { FaultSwitchboard } from '../faults.ts';
import type { KeyRing } from '../keys.ts';
import { bearerToken } from './gateway.ts';

/** Only the service role may see or switch faults: 401 without a valid token, 403 for any other role. */
export async function serviceRoleOnly(c: Context, keys: KeyRing): Promise<Response | undefined> {
  const token = bearerToken(c) ?? c.req.header('apikey');
  if (!token) return c.json({ message: 'This endpoint requires a valid Bearer token' }, 401);
  const verified = await keys.verify(token);
  if (!verified.ok) return c.json({ message: verified.message }, 401);
  if (verified.role !== 'service_role') return c.json({ message: 'User not allowed' }, 403);
  return undefined;
}

/**
 * `/__sandbox/faults`, the fault switchboard while the sandbox runs:
 * - `GET` → `{"faults":"api_slow=200,health_down"}`;
 * - `PUT {"faults":"…"}` replaces the whole set (SANDBOX_FAULTS syntax; "" turns everything off) and answers the
 *   new set once the database faults are applied; a bad name or value changes nothing and answers 400;
 * - `DELETE` turns every fault off.
 */
export function faultSwitchRoutes(faults: FaultSwitchboard, keys: KeyRing): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => (await serviceRoleOnly(c, keys)) ?? next());

  const current = (c: Context) => c.json({ faults: faults.describe() });

  app.get('/faults', current);

  app.put('/faults', async (c) => {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return c.json({ message: 'body must be JSON: {"faults":"name[=value],…"}' }, 400);
    }
    const spec = (body as { faults?: unknown } | null)?.faults;
    if (typeof spec !== 'string') return c.json({ message: 'body must be JSON: {"faults":"name[=value],…"}' }, 400);
    try {
      await faults.replace(spec);
    } catch (error) {
      if (error instanceof SandboxConfigError) return c.json({ message: error.message }, 400);
      throw error;
    }
    return current(c);
  });

  app.delete('/faults', async (c) => {
    await faults.replace('');
    return current(c);
  });

  return app;
}
