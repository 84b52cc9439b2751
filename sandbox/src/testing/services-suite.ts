/**
 * Realtime, Storage, email, rpc and the business rules, driven from outside through the real supabase-js client
 * (Realtime over `ws`), plain fetch and a raw WebSocket; faults switched at run time with PUT /__sandbox/faults.
 * Defined once and run against each database backend (services.pglite.test.ts, services.postgres.test.ts).
 */
import { randomBytes } from 'node:crypto';
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SEED, SEED_PASSWORDS } from '../db/seed-data.ts';
import type { RunningSandbox } from '../index.ts';
import { client, signedIn } from './fixtures.ts';

const synthetic = SEED.tenants.find((t) => t.isSynthetic)!;
const northwind = SEED.tenants.find((t) => t.name === 'Northwind Rentals')!;
const NORTHWIND_ADMIN = 'admin@northwind.test';
/** How long a test waits to be sure that something does not arrive. */
const QUIET_MS = 700;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined; fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await sleep(25);
  }
}

type Change = { eventType: string; new: Record<string, any>; old: Record<string, any>; table: string; schema: string; commit_timestamp: string; errors: unknown };
type Binding = { event: '*' | 'INSERT' | 'UPDATE' | 'DELETE'; table: string; filter?: string };

/** A channel with postgres_changes bindings, once the server answered SUBSCRIBED; events collect in `seen`. */
export async function subscribe(supabase: SupabaseClient, name: string, bindings: Binding[]): Promise<{ channel: RealtimeChannel; seen: Change[] }> {
  const seen: Change[] = [];
  let channel = supabase.channel(name);
  for (const binding of bindings) {
    channel = channel.on('postgres_changes' as never, { schema: 'public', ...binding } as never, (payload: Change) => seen.push(payload));
  }
  await new Promise<void>((resolve, reject) =>
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(error ?? new Error(status));
    }),
  );
  return { channel, seen };
}

export function defineServicesSuite(backend: string, start: () => Promise<{ sandbox: RunningSandbox; cleanup?: () => Promise<void> }>) {
  describe(`sandbox services on ${backend}`, () => {
    let sandbox: RunningSandbox;
    let cleanup: (() => Promise<void>) | undefined;
    let smoke: SupabaseClient;
    let smokeId: string;
    let other: SupabaseClient;
    let admin: SupabaseClient;
    const clients: SupabaseClient[] = [];

    const service = () => ({ apikey: sandbox.env.SUPABASE_SERVICE_ROLE_KEY, 'content-type': 'application/json' });
    const setFaults = async (spec: string) => {
      const response = await fetch(`${sandbox.baseUrl}/__sandbox/faults`, { method: 'PUT', headers: service(), body: JSON.stringify({ faults: spec }) });
      expect(response.status).toBe(200);
    };
    const mailbox = async () => (await (await fetch(`${sandbox.baseUrl}/__sandbox/mail`, { headers: service() })).json()) as { to: string[]; from: string; subject: string; text: string; date: string; messageId: string }[];
    const track = (supabase: SupabaseClient) => (clients.push(supabase), supabase);

    const vehicleOf = async (plate: string) => (await admin.from('vehicles').select('id, status, branch_id, lat, lng').eq('plate', plate).single()).data!;
    /** A new PENDING handshake of the smoke user's tenant, for `plate`. */
    const pendingHandshake = async (plate: string) => {
      const vehicle = await vehicleOf(plate);
      const [from, to] = synthetic.branchIds;
      const { data, error } = await smoke
        .from('handshakes')
        .insert({ corporate_id: synthetic.id, vehicle_id: vehicle.id, from_branch_id: from, to_branch_id: to, requested_by: smokeId })
        .select('id, status')
        .single();
      expect(error).toBeNull();
      return { id: data!.id as string, vehicleId: vehicle.id as string };
    };
    const insertAlert = (supabase: SupabaseClient, corporateId: string, message: string) =>
      supabase.from('alerts').insert({ corporate_id: corporateId, kind: 'SPEEDING', severity: 'INFO', message }).select('id').single();

    beforeAll(async () => {
      ({ sandbox, cleanup } = await start());
      smoke = track(await signedIn(sandbox.env, sandbox.env.SMOKE_USER_EMAIL, sandbox.env.SMOKE_USER_PASSWORD));
      smokeId = (await smoke.auth.getUser()).data.user!.id;
      other = track(await signedIn(sandbox.env, NORTHWIND_ADMIN, SEED_PASSWORDS.staff));
      admin = track(client(sandbox.env, 'service_role'));
    });

    afterEach(async () => {
      await setFaults('');
    });

    afterAll(async () => {
      for (const supabase of clients) await supabase.removeAllChannels();
      await sandbox?.stop();
      await cleanup?.();
    });

    describe('realtime', () => {
      it('speaks Phoenix vsn 2.0.0: heartbeat, join reply echoing the bindings with ids, leave', async () => {
        const url = `${sandbox.baseUrl.replace('http', 'ws')}/realtime/v1/websocket?apikey=${sandbox.env.SUPABASE_ANON_KEY}&vsn=2.0.0`;
        const socket = new WebSocket(url);
        const replies: unknown[][] = [];
        socket.on('message', (data) => replies.push(JSON.parse(data.toString())));
        await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
        const reply = (ref: string) => eventually(() => replies.find((m) => m[1] === ref && m[3] === 'phx_reply'));
        socket.send(JSON.stringify([null, '1', 'phoenix', 'heartbeat', {}]));
        expect(await reply('1')).toEqual([null, '1', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
        const bindings = [
          { event: 'INSERT', schema: 'public', table: 'vehicles', filter: 'id=eq.5' },
          { event: '*', schema: 'public', table: 'alerts' },
        ];
        socket.send(JSON.stringify(['2', '2', 'realtime:raw', 'phx_join', { config: { postgres_changes: bindings } }]));
        const joined = (await reply('2')) as [string, string, string, string, { status: string; response: { postgres_changes: { id: number }[] } }];
        expect(joined.slice(0, 4)).toEqual(['2', '2', 'realtime:raw', 'phx_reply']);
        expect(joined[4].status).toBe('ok');
        const echoed = joined[4].response.postgres_changes;
        expect(echoed.map(({ id: _, ...rest }) => rest)).toEqual(bindings);
        expect(echoed.every((b) => Number.isInteger(b.id))).toBe(true);
        socket.send(JSON.stringify(['2', '3', 'realtime:raw', 'phx_leave', {}]));
        expect(await reply('3')).toEqual(['2', '3', 'realtime:raw', 'phx_reply', { status: 'ok', response: {} }]);
        socket.send(JSON.stringify(['4', '4', 'realtime:bad', 'phx_join', { config: { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'alerts', filter: 'id=like.x' }] } }]));
        expect(((await reply('4')) as [unknown, unknown, unknown, unknown, { status: string }])[4].status).toBe('error');
        socket.close();
      });

      it('speaks vsn 1.0.0 (JSON objects) when asked', async () => {
        const socket = new WebSocket(`${sandbox.baseUrl.replace('http', 'ws')}/realtime/v1/websocket?apikey=${sandbox.env.SUPABASE_ANON_KEY}&vsn=1.0.0`);
        const replies: unknown[] = [];
        socket.on('message', (data) => replies.push(JSON.parse(data.toString())));
        await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
        socket.send(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '1', join_ref: null }));
        expect(await eventually(() => replies[0])).toEqual({ join_ref: null, ref: '1', topic: 'phoenix', event: 'phx_reply', payload: { status: 'ok', response: {} } });
        socket.close();
      });

      it('closes a channel whose token expired (system error, then phx_close) and sends it nothing more', async () => {
        await setFaults('session_expiry=2');
        const response = await fetch(`${sandbox.baseUrl}/auth/v1/token?grant_type=password`, {
          method: 'POST',
          headers: { apikey: sandbox.env.SUPABASE_ANON_KEY, 'content-type': 'application/json' },
          body: JSON.stringify({ email: sandbox.env.SMOKE_USER_EMAIL, password: sandbox.env.SMOKE_USER_PASSWORD }),
        });
        const { access_token: token } = (await response.json()) as { access_token: string };
        await setFaults('');
        const socket = new WebSocket(`${sandbox.baseUrl.replace('http', 'ws')}/realtime/v1/websocket?apikey=${sandbox.env.SUPABASE_ANON_KEY}&vsn=2.0.0`);
        const received: unknown[][] = [];
        socket.on('message', (data) => received.push(JSON.parse(data.toString())));
        await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
        socket.send(JSON.stringify(['1', '1', 'realtime:expiring', 'phx_join', { config: { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'alerts' }] }, access_token: token }]));
        await eventually(() => received.find((m) => m[1] === '1'));
        await sleep(2100);
        await insertAlert(smoke, synthetic.id, 'after expiry');
        const closed = await eventually(() => received.find((m) => m[3] === 'phx_close'));
        expect(closed.slice(0, 3)).toEqual(['1', null, 'realtime:expiring']);
        const system = received.find((m) => m[3] === 'system' && (m[4] as { status: string }).status === 'error');
        expect((system![4] as { message: string }).message).toMatch(/^Token has expired \d+ seconds ago$/);
        expect(received.some((m) => m[3] === 'postgres_changes')).toBe(false);
        socket.close();
      });

      it('refuses a socket without a valid apikey', async () => {
        const socket = new WebSocket(`${sandbox.baseUrl.replace('http', 'ws')}/realtime/v1/websocket?apikey=nope&vsn=2.0.0`);
        const status = await new Promise<number | undefined>((resolve) => socket.once('unexpected-response', (_req, res) => resolve(res.statusCode)).once('open', () => resolve(undefined)));
        expect(status).toBe(401);
      });

      it('delivers an INSERT to a subscriber who may read the row, and not to another tenant', async () => {
        const mine = await subscribe(smoke, 'alerts-mine', [{ event: 'INSERT', table: 'alerts' }]);
        const theirs = await subscribe(other, 'alerts-theirs', [{ event: 'INSERT', table: 'alerts' }]);
        const everyone = await subscribe(admin, 'alerts-service', [{ event: 'INSERT', table: 'alerts' }]);
        const inserted = (await insertAlert(smoke, synthetic.id, 'realtime insert')).data!;
        const event = await eventually(() => mine.seen.find((e) => e.new['id'] === inserted.id));
        expect(event).toMatchObject({ schema: 'public', table: 'alerts', eventType: 'INSERT', old: {}, errors: null });
        expect(event.new).toMatchObject({ message: 'realtime insert', corporate_id: synthetic.id, resolved: false });
        expect(new Date(event.commit_timestamp).getTime()).toBeGreaterThan(Date.now() - 60_000);
        await eventually(() => everyone.seen.find((e) => e.new['id'] === inserted.id));
        // The other tenant's subscription works (it hears its own row), but never heard ours.
        const theirsRow = (await insertAlert(other, northwind.id, 'northwind insert')).data!;
        await eventually(() => theirs.seen.find((e) => e.new['id'] === theirsRow.id));
        expect(theirs.seen.map((e) => e.new['corporate_id'])).toEqual([northwind.id]);
        expect(mine.seen.some((e) => e.new['id'] === theirsRow.id)).toBe(false);
        for (const s of [mine, theirs, everyone]) await s.channel.unsubscribe();
      });

      it('applies filters: id=eq.X and status=in.(…)', async () => {
        const one = await vehicleOf('SYN-0006');
        const byId = await subscribe(smoke, 'vehicle-by-id', [{ event: 'UPDATE', table: 'vehicles', filter: `id=eq.${one.id}` }]);
        const byStatus = await subscribe(smoke, 'vehicle-by-status', [{ event: 'UPDATE', table: 'vehicles', filter: 'odometer_km=in.(111111,222222)' }]);
        await smoke.from('vehicles').update({ odometer_km: 333333 }).eq('plate', 'SYN-0007');
        await smoke.from('vehicles').update({ odometer_km: 111111 }).eq('plate', 'SYN-0006');
        await smoke.from('vehicles').update({ odometer_km: 222222 }).eq('plate', 'SYN-0008');
        await eventually(() => (byStatus.seen.length === 2 ? true : undefined));
        expect(byStatus.seen.map((e) => e.new['plate']).sort()).toEqual(['SYN-0006', 'SYN-0008']);
        await sleep(100);
        expect(byId.seen.map((e) => e.new['plate'])).toEqual(['SYN-0006']);
        // UPDATE carries the new row and the old one's primary key.
        expect(byId.seen[0]!.old).toEqual({ id: one.id });
        await byId.channel.unsubscribe();
        await byStatus.channel.unsubscribe();
      });

      it('delivers UPDATE and DELETE, and * for every kind', async () => {
        const all = await subscribe(smoke, 'alerts-all', [{ event: '*', table: 'alerts' }]);
        const deletes = await subscribe(smoke, 'alerts-deletes', [{ event: 'DELETE', table: 'alerts' }]);
        // One step at a time: a row is checked against the policies when its change goes out, and a deleted row
        // is no longer visible to anyone (as in Supabase, where the check reads the table too).
        const row = (await insertAlert(smoke, synthetic.id, 'to change')).data!;
        await eventually(() => (all.seen.length >= 1 ? true : undefined));
        await smoke.from('alerts').update({ resolved: true }).eq('id', row.id);
        await eventually(() => (all.seen.length >= 2 ? true : undefined));
        await smoke.from('alerts').delete().eq('id', row.id);
        await eventually(() => (all.seen.length >= 3 ? true : undefined));
        expect(all.seen.map((e) => e.eventType)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
        expect(all.seen[1]!.new).toMatchObject({ id: row.id, resolved: true });
        expect(all.seen[2]).toMatchObject({ eventType: 'DELETE', new: {}, old: { id: row.id } });
        expect(deletes.seen.map((e) => e.eventType)).toEqual(['DELETE']);
        await all.channel.unsubscribe();
        await deletes.channel.unsubscribe();
      });

      it('authorises with the apikey until the client signs in, then with the new access_token', async () => {
        const later = track(client(sandbox.env));
        const sub = await subscribe(later, 'alerts-later', [{ event: 'INSERT', table: 'alerts' }]);
        const before = (await insertAlert(smoke, synthetic.id, 'before sign-in')).data!;
        await sleep(QUIET_MS);
        expect(sub.seen).toEqual([]); // anon may read no alert
        const { error } = await later.auth.signInWithPassword({ email: sandbox.env.SMOKE_USER_EMAIL, password: sandbox.env.SMOKE_USER_PASSWORD });
        expect(error).toBeNull();
        await sleep(200); // the client sends access_token asynchronously
        const after = (await insertAlert(smoke, synthetic.id, 'after sign-in')).data!;
        await eventually(() => sub.seen.find((e) => e.new['id'] === after.id));
        expect(sub.seen.some((e) => e.new['id'] === before.id)).toBe(false);
        await sub.channel.unsubscribe();
      });
    });

    describe('storage', () => {
      const photos = () => smoke.storage.from('inspection-photos');
      const path = (name: string) => `${synthetic.id}/tests/${name}`;

      it('uploads a raw body and downloads the same bytes; a duplicate needs upsert', async () => {
        const bytes = randomBytes(70_000);
        const name = path('raw photo.jpg');
        const uploaded = await photos().upload(name, bytes, { contentType: 'image/jpeg' });
        expect(uploaded.error).toBeNull();
        expect(uploaded.data).toMatchObject({ path: name, fullPath: `inspection-photos/${name}` });
        const downloaded = await photos().download(name);
        expect(downloaded.error).toBeNull();
        expect(downloaded.data!.type).toBe('image/jpeg');
        expect(Buffer.from(await downloaded.data!.arrayBuffer()).equals(bytes)).toBe(true);
        const again = await photos().upload(name, bytes, { contentType: 'image/jpeg' });
        expect(again.error).toMatchObject({ status: 400, statusCode: '409', message: 'The resource already exists' });
        const replaced = await photos().upload(name, Buffer.from('v2'), { contentType: 'text/plain', upsert: true });
        expect(replaced.error).toBeNull();
        expect(await (await photos().download(name)).data!.text()).toBe('v2');
      });

      it('uploads a multipart body (Blob) and downloads the same bytes', async () => {
        const bytes = randomBytes(4096);
        const name = path('multipart.png');
        const uploaded = await photos().upload(name, new Blob([bytes], { type: 'image/png' }));
        expect(uploaded.error).toBeNull();
        const downloaded = await photos().download(name);
        expect(downloaded.data!.type).toBe('image/png');
        expect(Buffer.from(await downloaded.data!.arrayBuffer()).equals(bytes)).toBe(true);
      });

      it('signed URLs serve the bytes without a key; a forged token is refused', async () => {
        const name = path('signed.txt');
        await photos().upload(name, Buffer.from('signed bytes'), { contentType: 'text/plain' });
        const { data, error } = await photos().createSignedUrl(name, 60);
        expect(error).toBeNull();
        expect(data!.signedUrl).toMatch(/\/storage\/v1\/object\/sign\/inspection-photos\/.+\?token=/);
        const fetched = await fetch(data!.signedUrl);
        expect(fetched.status).toBe(200);
        expect(await fetched.text()).toBe('signed bytes');
        const forged = await fetch(data!.signedUrl.replace(/token=.*/, 'token=abc.def.ghi'));
        expect(forged.status).toBe(400);
        const elsewhere = await fetch(data!.signedUrl.replace('signed.txt', 'other.txt'));
        expect(elsewhere.status).toBe(400);
      });

      it('public buckets serve objects at their public URL; private buckets do not', async () => {
        const name = path('logo.txt');
        expect((await smoke.storage.from('fleet-public').upload(name, Buffer.from('public bytes'))).error).toBeNull();
        const url = smoke.storage.from('fleet-public').getPublicUrl(name).data.publicUrl;
        const response = await fetch(url);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('public bytes');
        await photos().upload(path('private.txt'), Buffer.from('private'));
        const privateUrl = photos().getPublicUrl(path('private.txt')).data.publicUrl;
        expect((await fetch(privateUrl)).status).toBe(404);
      });

      it('policies keep tenants apart: another tenant cannot read, list or write a tenant\'s folder', async () => {
        const name = path('tenant.txt');
        await photos().upload(name, Buffer.from('mine'));
        const read = await other.storage.from('inspection-photos').download(name);
        expect(read.error).toMatchObject({ status: 404 });
        const signed = await other.storage.from('inspection-photos').createSignedUrl(name, 60);
        expect(signed.error).not.toBeNull();
        const listed = await other.storage.from('inspection-photos').list(`${synthetic.id}/tests`);
        expect(listed.data).toEqual([]);
        const write = await other.storage.from('inspection-photos').upload(path('intruder.txt'), Buffer.from('x'));
        expect(write.error).toMatchObject({ status: 403 });
        const anonymous = await client(sandbox.env).storage.from('inspection-photos').download(name);
        expect(anonymous.error).toMatchObject({ status: 404 });
        const ownFolder = await other.storage.from('inspection-photos').upload(`${northwind.id}/tests/own.txt`, Buffer.from('x'));
        expect(ownFolder.error).toBeNull();
      });

      it('lists a folder (files and sub-folders) and removes objects', async () => {
        await photos().upload(path('list/a.txt'), Buffer.from('a'));
        await photos().upload(path('list/b.txt'), Buffer.from('b'));
        await photos().upload(path('list/deeper/c.txt'), Buffer.from('c'));
        const listed = await photos().list(`${synthetic.id}/tests/list`);
        expect(listed.error).toBeNull();
        expect(listed.data!.map((o) => [o.name, o.id === null])).toEqual([['a.txt', false], ['b.txt', false], ['deeper', true]]);
        const removed = await photos().remove([path('list/a.txt'), path('list/b.txt')]);
        expect(removed.data!.map((o) => o.name).sort()).toEqual([path('list/a.txt'), path('list/b.txt')]);
        expect((await photos().list(`${synthetic.id}/tests/list`)).data!.map((o) => o.name)).toEqual(['deeper']);
        const buckets = await smoke.storage.listBuckets();
        expect(buckets.data!.map((b) => [b.id, b.public])).toEqual([['fleet-public', true], ['inspection-photos', false], ['vehicle-documents', false]]);
      });
    });

    describe('email', () => {
      it('accepting a handshake over REST emails the requester through the SMTP relay; the notification reads SENT', async () => {
        const handshake = await pendingHandshake('SYN-0002');
        const accepted = await smoke.from('handshakes').update({ status: 'ACCEPTED' }).eq('id', handshake.id).select('status, accepted_at').single();
        expect(accepted.error).toBeNull();
        const mail = await eventually(async () => (await mailbox()).find((m) => m.subject === 'Handshake accepted for SYN-0002'));
        expect(mail).toMatchObject({ to: [sandbox.env.SMOKE_USER_EMAIL], from: 'no-reply@marsana.test' });
        expect(mail.text).toContain('SYN-0002');
        expect(mail.messageId).toMatch(/^<.+>$/);
        const notification = await eventually(async () => {
          const { data } = await smoke.from('notifications').select('status, sent_at').eq('subject', 'Handshake accepted for SYN-0002').single();
          return data?.status === 'SENT' ? data : undefined;
        });
        expect(notification.sent_at).not.toBeNull();
      });

      it('the mailbox is for the service role only, and DELETE empties it', async () => {
        expect((await fetch(`${sandbox.baseUrl}/__sandbox/mail`)).status).toBe(401);
        expect((await fetch(`${sandbox.baseUrl}/__sandbox/mail`, { headers: { apikey: sandbox.env.SUPABASE_ANON_KEY } })).status).toBe(403);
        const token = (await smoke.auth.getSession()).data.session!.access_token;
        expect((await fetch(`${sandbox.baseUrl}/__sandbox/mail`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
        expect((await fetch(`${sandbox.baseUrl}/__sandbox/mail`, { method: 'DELETE', headers: service() })).status).toBe(204);
        expect(await mailbox()).toEqual([]);
      });
    });

    describe('business rules', () => {
      it('handshakes go PENDING → ACCEPTED → COMPLETED; anything else is refused with 400 P0001 naming the transition', async () => {
        const handshake = await pendingHandshake('SYN-0003');
        const skip = await smoke.from('handshakes').update({ status: 'COMPLETED' }).eq('id', handshake.id);
        expect(skip.status).toBe(400);
        expect(skip.error).toMatchObject({ code: 'P0001', message: 'illegal handshake transition: PENDING → COMPLETED' });
        expect((await smoke.from('handshakes').update({ status: 'ACCEPTED' }).eq('id', handshake.id)).error).toBeNull();
        expect((await vehicleOf('SYN-0003')).status).toBe('IN_TRANSIT');
        const back = await smoke.from('handshakes').update({ status: 'CANCELLED' }).eq('id', handshake.id);
        expect(back.error).toMatchObject({ code: 'P0001', message: 'illegal handshake transition: ACCEPTED → CANCELLED' });
        const done = await smoke.from('handshakes').update({ status: 'COMPLETED' }).eq('id', handshake.id).select('status, completed_at').single();
        expect(done.data!.completed_at).not.toBeNull();
        expect(await vehicleOf('SYN-0003')).toMatchObject({ status: 'AVAILABLE', branch_id: synthetic.branchIds[1] });
        const reopened = await smoke.from('handshakes').update({ status: 'PENDING' }).eq('id', handshake.id);
        expect(reopened.error).toMatchObject({ message: 'illegal handshake transition: COMPLETED → PENDING' });
        const vehicle = await vehicleOf('SYN-0004');
        const born = await smoke.from('handshakes').insert({ corporate_id: synthetic.id, vehicle_id: vehicle.id, from_branch_id: synthetic.branchIds[0], to_branch_id: synthetic.branchIds[1], status: 'ACCEPTED' });
        expect(born.error).toMatchObject({ code: 'P0001' });
        const rejected = await pendingHandshake('SYN-0004');
        expect((await smoke.from('handshakes').update({ status: 'REJECTED' }).eq('id', rejected.id)).error).toBeNull();
      });

      it('inspections: DAMAGE raises an alert and emails the managers; SERVICE_DUE takes the vehicle into service', async () => {
        const vehicle = await vehicleOf('SYN-0005');
        const damage = await smoke.from('inspections').insert({ corporate_id: synthetic.id, vehicle_id: vehicle.id, inspector_id: smokeId, result: 'DAMAGE', notes: 'dented door', checklist: { body: false }, photo_path: `${synthetic.id}/inspections/door.jpg` });
        expect(damage.error).toBeNull();
        const alert = await smoke.from('alerts').select('kind, severity, message').eq('vehicle_id', vehicle.id).eq('kind', 'DAMAGE_REPORTED').single();
        expect(alert.data).toEqual({ kind: 'DAMAGE_REPORTED', severity: 'WARNING', message: 'SYN-0005 damaged: dented door' });
        await eventually(async () => (await mailbox()).find((m) => m.subject === 'Damage reported on SYN-0005'));
        expect((await smoke.from('inspections').insert({ corporate_id: synthetic.id, vehicle_id: vehicle.id, result: 'SERVICE_DUE' })).error).toBeNull();
        expect((await vehicleOf('SYN-0005')).status).toBe('IN_SERVICE');
      });

      it('a document expired or expiring within 30 days raises DOCUMENT_EXPIRY; a later expiry does not', async () => {
        const vehicle = await vehicleOf('SYN-0006');
        const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
        const insert = (number: string, expires_on: string) =>
          smoke.from('vehicle_documents').insert({ corporate_id: synthetic.id, vehicle_id: vehicle.id, kind: 'PERMIT', number, expires_on }).select('id').single();
        await insert('P-EXPIRED', day(-3));
        await insert('P-SOON', day(10));
        const later = (await insert('P-LATER', day(200))).data!;
        const alerts = await smoke.from('alerts').select('severity, message').eq('vehicle_id', vehicle.id).eq('kind', 'DOCUMENT_EXPIRY').order('severity');
        expect(alerts.data!.map((a) => [a.severity, a.message.split(' ').slice(0, 2).join(' ')])).toEqual([['CRITICAL', 'PERMIT P-EXPIRED'], ['WARNING', 'PERMIT P-SOON']]);
        await smoke.from('vehicle_documents').update({ expires_on: day(5) }).eq('id', later.id);
        const after = await smoke.from('alerts').select('id', { count: 'exact', head: true }).eq('vehicle_id', vehicle.id).eq('kind', 'DOCUMENT_EXPIRY');
        expect(after.count).toBe(3);
      });

      it('a location outside the branch geofence raises GEOFENCE_EXIT; one inside does not', async () => {
        const vehicle = await vehicleOf('SYN-0007');
        const fence = (await smoke.from('geofences').select('center_lat, center_lng, radius_m').eq('branch_id', vehicle.branch_id).single()).data!;
        const count = async () => (await smoke.from('alerts').select('id', { count: 'exact', head: true }).eq('vehicle_id', vehicle.id).eq('kind', 'GEOFENCE_EXIT')).count;
        const before = await count();
        await smoke.from('vehicle_locations').insert({ corporate_id: synthetic.id, vehicle_id: vehicle.id, lat: fence.center_lat + 0.001, lng: fence.center_lng });
        expect(await count()).toBe(before);
        await smoke.from('vehicle_locations').insert({ corporate_id: synthetic.id, vehicle_id: vehicle.id, lat: fence.center_lat + 0.05, lng: fence.center_lng });
        expect(await count()).toBe(before! + 1);
      });

      it('audits writes with the actor, old and new rows', async () => {
        const row = (await insertAlert(smoke, synthetic.id, 'audited')).data!;
        await smoke.from('alerts').update({ resolved: true }).eq('id', row.id);
        const audit = await smoke.from('audit_logs').select('action, actor_id, table_name, old_row, new_row').eq('record_id', row.id).order('created_at');
        expect(audit.data!.map((a) => [a.action, a.actor_id, a.table_name])).toEqual([['INSERT', smokeId, 'alerts'], ['UPDATE', smokeId, 'alerts']]);
        expect(audit.data![1]!.old_row).toMatchObject({ resolved: false });
        expect(audit.data![1]!.new_row).toMatchObject({ resolved: true });
      });
    });

    describe('rpc', () => {
      it('calls functions with named arguments as the caller: row, scalar (GET), set, 404s', async () => {
        const handshake = await pendingHandshake('SYN-0008');
        const accepted = await smoke.rpc('accept_handshake', { handshake_id: handshake.id });
        expect(accepted.error).toBeNull();
        expect(accepted.data).toMatchObject({ id: handshake.id, status: 'ACCEPTED', accepted_by: smokeId });
        expect((await vehicleOf('SYN-0008')).status).toBe('IN_TRANSIT');
        const count = await smoke.rpc('open_alert_count', {}, { get: true });
        expect(count.error).toBeNull();
        expect(typeof count.data).toBe('number');
        const set = await smoke.rpc('vehicles_by_status', { wanted: 'IN_TRANSIT' });
        expect((set.data as { plate: string }[]).every((v) => v.plate.startsWith('SYN-'))).toBe(true);
        const unknown = await smoke.rpc('no_such_function', { x: 1 });
        expect(unknown).toMatchObject({ status: 404, error: { code: 'PGRST202' } });
        const wrongArgs = await smoke.rpc('accept_handshake', { id: handshake.id });
        expect(wrongArgs.error).toMatchObject({ code: 'PGRST202' });
        // Row-level security runs inside: another tenant's handshake is not found.
        const foreign = await other.rpc('accept_handshake', { handshake_id: handshake.id });
        expect(foreign).toMatchObject({ status: 404, error: { code: 'PT404' } });
        const repeated = await smoke.rpc('accept_handshake', { handshake_id: handshake.id });
        expect(repeated).toMatchObject({ status: 200 }); // ACCEPTED → ACCEPTED changes nothing
        const completed = await smoke.rpc('complete_handshake', { handshake_id: handshake.id });
        expect(completed.data).toMatchObject({ status: 'COMPLETED' });
        const reaccepted = await smoke.rpc('accept_handshake', { handshake_id: handshake.id });
        expect(reaccepted).toMatchObject({ status: 400, error: { code: 'P0001', message: 'illegal handshake transition: COMPLETED → ACCEPTED' } });
      });
    });

    describe('faults, seen from outside', () => {
      it('realtime_off: SUBSCRIBED, but no event arrives until it is switched off', async () => {
        await setFaults('realtime_off');
        const sub = await subscribe(smoke, 'off', [{ event: 'INSERT', table: 'alerts' }]);
        await insertAlert(smoke, synthetic.id, 'lost');
        await sleep(QUIET_MS);
        expect(sub.seen).toEqual([]);
        await setFaults('');
        const row = (await insertAlert(smoke, synthetic.id, 'heard')).data!;
        await eventually(() => sub.seen.find((e) => e.new['id'] === row.id));
        expect(sub.seen).toHaveLength(1);
        await sub.channel.unsubscribe();
      });

      it('realtime_slow=MS: every event arrives MS late', async () => {
        await setFaults('realtime_slow=600');
        const sub = await subscribe(smoke, 'slow', [{ event: 'INSERT', table: 'alerts' }]);
        const started = performance.now();
        const row = (await insertAlert(smoke, synthetic.id, 'slow')).data!;
        await eventually(() => sub.seen.find((e) => e.new['id'] === row.id));
        expect(performance.now() - started).toBeGreaterThanOrEqual(600);
        await sub.channel.unsubscribe();
      });

      it('storage_denied: uploads and downloads answer 403; public URLs still work', async () => {
        const name = `${synthetic.id}/tests/denied.txt`;
        await smoke.storage.from('inspection-photos').upload(name, Buffer.from('before'));
        await smoke.storage.from('fleet-public').upload(name, Buffer.from('public'));
        await setFaults('storage_denied');
        const upload = await smoke.storage.from('inspection-photos').upload(`${synthetic.id}/tests/new.txt`, Buffer.from('x'));
        expect(upload.error).toMatchObject({ status: 403, statusCode: '403' });
        const download = await smoke.storage.from('inspection-photos').download(name);
        expect(download.error).toMatchObject({ status: 403 });
        expect((await fetch(smoke.storage.from('fleet-public').getPublicUrl(name).data.publicUrl)).status).toBe(200);
        await setFaults('');
        expect((await smoke.storage.from('inspection-photos').download(name)).error).toBeNull();
      });

      it('email_off: no mail arrives and the notification becomes FAILED', async () => {
        await setFaults('email_off');
        const handshake = await pendingHandshake('SYN-0001');
        await smoke.from('handshakes').update({ status: 'ACCEPTED' }).eq('id', handshake.id);
        const notification = await eventually(async () => {
          const { data } = await smoke.from('notifications').select('status, sent_at').eq('subject', 'Handshake accepted for SYN-0001').maybeSingle();
          return data && data.status !== 'QUEUED' ? data : undefined;
        });
        expect(notification).toEqual({ status: 'FAILED', sent_at: null });
        expect((await mailbox()).some((m) => m.subject === 'Handshake accepted for SYN-0001')).toBe(false);
      });

      it("accept_no_vehicle_status: accepting leaves the vehicle's status as it was", async () => {
        await setFaults('accept_no_vehicle_status');
        await admin.from('vehicles').update({ status: 'AVAILABLE' }).eq('plate', 'SYN-0002');
        const handshake = await pendingHandshake('SYN-0002');
        expect((await smoke.rpc('accept_handshake', { handshake_id: handshake.id })).error).toBeNull();
        expect((await vehicleOf('SYN-0002')).status).toBe('AVAILABLE');
      });

      it('geofence_off: a location outside the geofence raises no alert', async () => {
        await setFaults('geofence_off');
        const vehicle = await vehicleOf('SYN-0004');
        const fence = (await smoke.from('geofences').select('center_lat, center_lng').eq('branch_id', vehicle.branch_id).single()).data!;
        const count = async () => (await smoke.from('alerts').select('id', { count: 'exact', head: true }).eq('vehicle_id', vehicle.id).eq('kind', 'GEOFENCE_EXIT')).count;
        const before = await count();
        await smoke.from('vehicle_locations').insert({ corporate_id: synthetic.id, vehicle_id: vehicle.id, lat: fence.center_lat + 1, lng: fence.center_lng });
        expect(await count()).toBe(before);
      });

      it('handshake_rules_off: an illegal transition goes through', async () => {
        await setFaults('handshake_rules_off');
        const handshake = await pendingHandshake('SYN-0008');
        expect((await smoke.from('handshakes').update({ status: 'REJECTED' }).eq('id', handshake.id)).error).toBeNull();
        const back = await smoke.from('handshakes').update({ status: 'PENDING' }).eq('id', handshake.id).select('status').single();
        expect(back).toMatchObject({ error: null, data: { status: 'PENDING' } });
        await setFaults('');
        const refused = await smoke.from('handshakes').update({ status: 'COMPLETED' }).eq('id', handshake.id);
        expect(refused.error).toMatchObject({ code: 'P0001', message: 'illegal handshake transition: PENDING → COMPLETED' });
      });

      it('document_expiry_off: an expiring document raises no alert', async () => {
        await setFaults('document_expiry_off');
        const vehicle = await vehicleOf('SYN-0008');
        const soon = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
        const count = async () => (await smoke.from('alerts').select('id', { count: 'exact', head: true }).eq('vehicle_id', vehicle.id).eq('kind', 'DOCUMENT_EXPIRY')).count;
        const before = await count();
        const inserted = await smoke.from('vehicle_documents').insert({ corporate_id: synthetic.id, vehicle_id: vehicle.id, kind: 'PERMIT', number: 'P-QUIET', expires_on: soon });
        expect(inserted.error).toBeNull();
        expect(await count()).toBe(before);
      });

      it('audit_off: changes leave no audit rows', async () => {
        await setFaults('audit_off');
        const row = (await insertAlert(smoke, synthetic.id, 'unaudited')).data!;
        await smoke.from('alerts').update({ resolved: true }).eq('id', row.id);
        expect((await smoke.from('audit_logs').select('action').eq('record_id', row.id)).data).toEqual([]);
        await setFaults('');
        await smoke.from('alerts').update({ resolved: false }).eq('id', row.id);
        expect((await smoke.from('audit_logs').select('action').eq('record_id', row.id)).data).toEqual([{ action: 'UPDATE' }]);
      });
    });
  });
}
