/**
 * Supabase Realtime's Phoenix channel socket at /realtime/v1/websocket, postgres_changes only (supabase-wire.md
 * §4): JSON frames (vsn 2.0.0 arrays, or 1.0.0 objects), heartbeats, join / leave / access_token, and change
 * events for the rows each subscriber may read.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { ListeningDatabase, RequestIdentity } from '../db/database.ts';
import type { ActiveFaults } from '../faults.ts';
import type { KeyRing } from '../keys.ts';
import type { TimingRecorder } from '../http/timing-recorder.ts';
import { ChangeFeed, type Change } from './change-feed.ts';
import { parseRowFilter, rowMatches, type RowFilter } from './filters.ts';

export const REALTIME_PATH = '/realtime/v1/websocket';

type Ref = string | null;
interface Message {
  joinRef: Ref;
  ref: Ref;
  topic: string;
  event: string;
  payload: Record<string, unknown>;
}

interface Binding {
  id: number;
  /** the entry exactly as the client sent it, echoed in the join reply */
  request: Record<string, unknown>;
  event: string;
  schema: string;
  table: string | undefined;
  filter: RowFilter | undefined;
}

interface Channel {
  topic: string;
  joinRef: Ref;
  who: RequestIdentity;
  bindings: Binding[];
}

interface Client {
  socket: WebSocket;
  vsn: '1.0.0' | '2.0.0';
  apikey: string;
  channels: Map<string, Channel>;
}

export interface RealtimeDependencies {
  db: ListeningDatabase;
  keys: KeyRing;
  faults: ActiveFaults;
  /** told when each change event has been handed to a socket (optional: tests may leave it out) */
  timings?: TimingRecorder;
  log: (line: string) => void;
}

/** A stable integer per binding, as the real server sends (a hash of the subscription). */
function bindingId(entry: Record<string, unknown>): number {
  let hash = 0;
  for (const char of JSON.stringify([entry['event'], entry['schema'], entry['table'] ?? null, entry['filter'] ?? null])) {
    hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  }
  return Math.abs(hash) % 100_000_000;
}

const EVENTS = ['*', 'INSERT', 'UPDATE', 'DELETE'];

function parseBinding(entry: unknown): Binding {
  if (typeof entry !== 'object' || entry === null) throw new Error('invalid postgres_changes entry');
  const request = entry as Record<string, unknown>;
  const event = String(request['event'] ?? '').toUpperCase();
  if (!EVENTS.includes(event)) throw new Error(`invalid event "${String(request['event'])}": one of *, INSERT, UPDATE, DELETE`);
  const schema = typeof request['schema'] === 'string' ? request['schema'] : 'public';
  const table = typeof request['table'] === 'string' && request['table'] !== '*' ? request['table'] : undefined;
  const filter = typeof request['filter'] === 'string' && request['filter'] !== '' ? parseRowFilter(request['filter']) : undefined;
  return { id: bindingId(request), request, event, schema, table, filter };
}

function matches(binding: Binding, change: Change): boolean {
  if (binding.event !== '*' && binding.event !== change.type) return false;
  if (binding.schema !== '*' && binding.schema !== change.schema) return false;
  if (binding.table !== undefined && binding.table !== change.table) return false;
  if (!binding.filter) return true;
  return rowMatches(binding.filter, change.type === 'DELETE' ? change.oldRecord : change.record);
}

export class RealtimeServer {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #clients = new Set<Client>();
  readonly #feed: ChangeFeed;
  readonly #onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(request, socket, head);

  constructor(private readonly deps: RealtimeDependencies) {
    this.#feed = new ChangeFeed(deps.db, (changes) => this.#dispatch(changes), deps.log);
  }

  /** Starts following commits and answers WebSocket upgrades on `server`. */
  async attach(server: Server): Promise<void> {
    await this.#feed.start();
    server.on('upgrade', this.#onUpgrade);
  }

  /** Closes every socket (upgraded sockets are not the HTTP server's to close) and stops following commits. */
  async close(server: Server): Promise<void> {
    server.off('upgrade', this.#onUpgrade);
    for (const client of this.#clients) client.socket.terminate();
    this.#clients.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await this.#feed.stop();
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const refuse = (status: string, message: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ message })}`);
    };
    if (url.pathname !== REALTIME_PATH && url.pathname !== `${REALTIME_PATH}/`) return refuse('404 Not Found', 'Not Found');
    // The API gateway's check, as for every other service: the key in the URL must be one of the project's.
    const apikey = url.searchParams.get('apikey') ?? '';
    if (apikey !== this.deps.keys.anonKey && apikey !== this.deps.keys.serviceRoleKey) {
      return refuse('401 Unauthorized', apikey ? 'Invalid API key' : 'No API key found in request');
    }
    const vsn = url.searchParams.get('vsn') === '1.0.0' ? '1.0.0' : '2.0.0';
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      const client: Client = { socket: ws, vsn, apikey, channels: new Map() };
      this.#clients.add(client);
      ws.on('message', (data, isBinary) => {
        if (isBinary) return; // broadcast frames: not served
        this.#receive(client, data.toString()).catch((error: Error) => this.deps.log(`realtime: ${error.message}`));
      });
      ws.on('close', () => this.#clients.delete(client));
      ws.on('error', () => this.#clients.delete(client));
    });
  }

  /**
   * `sent` runs right after the frame has been handed to the socket (ws writes it at once when it can; its
   * write callback would come later still, after whatever the event loop does next).
   */
  /** `writing`, if given, runs with the frame built, just before it is written to the socket. */
  #send(client: Client, message: Message, writing?: () => void): void {
    if (client.socket.readyState !== WebSocket.OPEN) return;
    const { joinRef, ref, topic, event, payload } = message;
    const frame = JSON.stringify(client.vsn === '2.0.0' ? [joinRef, ref, topic, event, payload] : { join_ref: joinRef, ref, topic, event, payload });
    writing?.();
    client.socket.send(frame);
  }

  #reply(client: Client, to: Message, status: 'ok' | 'error', response: Record<string, unknown>): void {
    this.#send(client, { joinRef: to.joinRef, ref: to.ref, topic: to.topic, event: 'phx_reply', payload: { status, response } });
  }

  #decode(client: Client, text: string): Message | undefined {
    try {
      const parsed: unknown = JSON.parse(text);
      if (client.vsn === '2.0.0' && Array.isArray(parsed) && parsed.length === 5) {
        const [joinRef, ref, topic, event, payload] = parsed as [Ref, Ref, string, string, Record<string, unknown>];
        return { joinRef, ref, topic: String(topic), event: String(event), payload: payload ?? {} };
      }
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        const m = parsed as Record<string, unknown>;
        return {
          joinRef: (m['join_ref'] as Ref) ?? null,
          ref: (m['ref'] as Ref) ?? null,
          topic: String(m['topic']),
          event: String(m['event']),
          payload: (m['payload'] as Record<string, unknown>) ?? {},
        };
      }
    } catch {
      // not JSON: ignored, as Phoenix drops what it cannot decode
    }
    return undefined;
  }

  async #identify(token: string): Promise<RequestIdentity | string> {
    const verified = await this.deps.keys.verify(token);
    if (!verified.ok) return verified.message;
    return { role: verified.role, claims: verified.claims };
  }

  async #receive(client: Client, text: string): Promise<void> {
    const message = this.#decode(client, text);
    if (!message) return;
    if (message.topic === 'phoenix' && message.event === 'heartbeat') return this.#reply(client, message, 'ok', {});
    switch (message.event) {
      case 'phx_join':
        return this.#join(client, message);
      case 'phx_leave':
        client.channels.delete(message.topic);
        return this.#reply(client, message, 'ok', {});
      case 'access_token':
        return this.#accessToken(client, message);
      default:
        return undefined;
    }
  }

  async #join(client: Client, message: Message): Promise<void> {
    const config = (message.payload['config'] ?? {}) as Record<string, unknown>;
    const token = typeof message.payload['access_token'] === 'string' ? message.payload['access_token'] : client.apikey;
    const who = await this.#identify(token);
    if (typeof who === 'string') return this.#reply(client, message, 'error', { reason: `Invalid JWT: ${who}` });
    let bindings: Binding[];
    try {
      const entries = config['postgres_changes'] ?? [];
      if (!Array.isArray(entries)) throw new Error('postgres_changes must be a list');
      bindings = entries.map(parseBinding);
    } catch (error) {
      return this.#reply(client, message, 'error', { reason: (error as Error).message });
    }
    client.channels.set(message.topic, { topic: message.topic, joinRef: message.joinRef, who, bindings });
    this.#reply(client, message, 'ok', { postgres_changes: bindings.map((b) => ({ ...b.request, id: b.id })) });
    if (bindings.length > 0) {
      this.#send(client, {
        joinRef: message.joinRef,
        ref: null,
        topic: message.topic,
        event: 'system',
        payload: { channel: message.topic.replace(/^realtime:/, ''), extension: 'postgres_changes', message: 'Subscribed to PostgreSQL', status: 'ok' },
      });
    }
  }

  /** A new token for a joined channel: later events are authorised with it. No reply, as the real server. */
  async #accessToken(client: Client, message: Message): Promise<void> {
    const channel = client.channels.get(message.topic);
    const token = message.payload['access_token'];
    if (!channel || typeof token !== 'string') return;
    const who = await this.#identify(token);
    if (typeof who !== 'string') {
      channel.who = who;
      return;
    }
    this.#close(client, channel, `Invalid JWT: ${who}`);
  }

  /** A channel whose token expired is closed with a system error, as Supabase Realtime does; the client may rejoin. */
  #expired(client: Client, channel: Channel): boolean {
    const exp = channel.who.claims['exp'];
    if (typeof exp !== 'number' || exp * 1000 > Date.now()) return false;
    this.#close(client, channel, `Token has expired ${Math.round(Date.now() / 1000 - exp)} seconds ago`);
    return true;
  }

  /** Ends a channel from the server side: a system error, then phx_close (the client reports CLOSED). */
  #close(client: Client, channel: Channel, reason: string): void {
    client.channels.delete(channel.topic);
    const push = (event: string, payload: Record<string, unknown>) =>
      this.#send(client, { joinRef: channel.joinRef, ref: null, topic: channel.topic, event, payload });
    push('system', { extension: 'system', message: reason, status: 'error' });
    push('phx_close', {});
  }

  async #dispatch(changes: Change[]): Promise<void> {
    const { faults } = this.deps;
    if (faults.isOn('realtime_off')) return;
    const deliveries: (() => void)[] = [];
    for (const client of this.#clients) {
      for (const channel of client.channels.values()) {
        if (this.#expired(client, channel)) continue;
        const wanted = changes.map((change) => channel.bindings.filter((b) => matches(b, change)).map((b) => b.id));
        const candidates = changes.filter((_, i) => wanted[i]!.length > 0);
        if (candidates.length === 0) continue;
        // Deletes are not checked against policies (the row is gone), as in Supabase; the old row holds only the key.
        const visible = await this.#feed.visible(channel.who, candidates.filter((c) => c.type !== 'DELETE'));
        const checked = candidates.filter((c) => c.type !== 'DELETE');
        for (const [i, change] of changes.entries()) {
          const ids = [...new Set(wanted[i])];
          if (ids.length === 0) continue;
          if (change.type !== 'DELETE' && !visible.has(checked.indexOf(change))) continue;
          const shape = await this.#feed.shapeOf(change.schema, change.table);
          const data: Record<string, unknown> = {
            schema: change.schema,
            table: change.table,
            commit_timestamp: change.commitTimestamp,
            type: change.type,
            columns: shape.columns,
            errors: null,
          };
          if (change.type !== 'DELETE') data['record'] = change.record;
          if (change.type !== 'INSERT') data['old_record'] = change.oldRecord ?? {};
          const timed = { topic: channel.topic, table: change.table, type: change.type, committedAt: change.committedAtMs };
          deliveries.push(() =>
            this.#send(client, { joinRef: null, ref: null, topic: channel.topic, event: 'postgres_changes', payload: { ids, data } }, () =>
              this.deps.timings?.delivered(timed),
            ),
          );
        }
      }
    }
    const delay = faults.numberOf('realtime_slow');
    const sendAll = () => {
      for (const deliver of deliveries) deliver();
    };
    if (delay && delay > 0) setTimeout(sendAll, delay).unref();
    else sendAll();
  }
}
