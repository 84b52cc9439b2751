import { Hono } from 'hono';
import type { KeyRing } from '../keys.ts';
import { serviceRoleOnly } from './fault-switch.ts';
import type { TimingRecorder } from './timing-recorder.ts';

/**
 * `/__sandbox/timings`, the sandbox's own record of what it served (service role only, as the fault switchboard):
 * - `PUT {"recording":true}` starts a new recording (dropping the last), `{"recording":false}` stops it;
 * - `GET` → `{"recording":…,"requests":[…],"deliveries":[…]}` (see TimingRecorder).
 */
export function timingRoutes(recorder: TimingRecorder, keys: KeyRing): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => (await serviceRoleOnly(c, keys)) ?? next());
  app.get('/timings', (c) => c.json(recorder.snapshot()));
  app.put('/timings', async (c) => {
    let recording: unknown;
    try {
      recording = (JSON.parse(await c.req.text()) as { recording?: unknown } | null)?.recording;
    } catch {
      recording = undefined;
    }
    if (typeof recording !== 'boolean') return c.json({ message: 'body must be JSON: {"recording":true|false}' }, 400);
    recorder.set(recording);
    return c.json({ recording: recorder.recording });
  });
  return app;
}
