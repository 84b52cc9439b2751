/**
 * A PostgreSQL wire endpoint for the in-process PGlite database, so that a client in another process (psql,
 * node-postgres: the suite's SUPABASE_DB_URL checks) can reach the very database the sandbox serves.
 *
 * PGlite is one session. The sandbox runs every request as a `transaction()` of several statements with
 * `SET LOCAL ROLE` between BEGIN and COMMIT, holding PGlite's transaction mutex from BEGIN to COMMIT while each
 * statement takes its query mutex. A raw wire message executed under the query mutex alone (as
 * `@electric-sql/pglite-socket` does with `runExclusive`) can therefore land between two statements of a sandbox
 * transaction, run with its role and claims, and commit or roll back with it; and a client's own BEGIN would
 * swallow the sandbox's next transaction. So a client's turn here takes the transaction mutex, from its first
 * message until PostgreSQL reports the session idle again (ReadyForQuery 'I'): a client's transaction, its
 * extended-protocol pipeline up to Sync included, runs between the sandbox's transactions, never inside one.
 *
 * What a client changes in the shared session is undone when its turn ends (role, session authorisation,
 * settings, temporary tables; the sandbox's LISTEN channels are renewed), so the sandbox's next transaction
 * starts as the sandbox left it. Clients therefore keep no session state between turns: use SET LOCAL inside
 * a transaction. A client idle inside a transaction for longer than `idleInTransactionMs` is disconnected (its
 * transaction rolled back), as PostgreSQL's idle_in_transaction_session_timeout would, so that it cannot stall
 * the sandbox. Notifications raised by a client's writes reach the sandbox's listeners (Realtime, mail): PGlite
 * parses every response it writes, raw ones included.
 *
 * Authentication is a password (cleartext over loopback, as `password` in pg_hba.conf), random per start.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

export interface WireOptions {
  host?: string;
  /** SQL that puts the shared session back as the sandbox set it up (e.g. its time zone). */
  sessionSetup: string;
  /** The channels the sandbox LISTENs on, renewed after every client turn. */
  channels: () => readonly string[];
  idleInTransactionMs?: number;
  log?: (line: string) => void;
}

export interface WireEndpoint {
  /** postgres://postgres:<password>@host:port/postgres */
  url: string;
  close(): Promise<void>;
}

export async function serveWire(pg: PGlite, options: WireOptions): Promise<WireEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const password = randomBytes(18).toString('base64url');
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    new WireConnection(pg, socket, password, options);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgres://postgres:${password}@${host}:${port}/postgres`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      // Connections close asynchronously: wait until every turn has given the session back.
      await pg._runExclusiveTransaction(async () => undefined);
    },
  };
}

type Phase = 'startup' | 'password' | 'ready' | 'closed';

/** One client connection: frames its messages and runs them against PGlite one turn at a time. */
class WireConnection {
  #phase: Phase = 'startup';
  #buffer = Buffer.alloc(0);
  #startup: Buffer | undefined;
  /** Releases PGlite's transaction mutex; set while this client's turn holds it. */
  #release: (() => void) | undefined;
  #work: Promise<void> = Promise.resolve();
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pg: PGlite,
    private readonly socket: Socket,
    private readonly password: string,
    private readonly options: WireOptions,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.#serially(() => this.#receive(chunk)));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#serially(() => this.#closed()));
  }

  #serially(task: () => Promise<void>): void {
    this.#work = this.#work.then(task).catch((error: Error) => {
      this.options.log?.(`database wire endpoint: ${error.message}`);
      this.socket.destroy();
    });
  }

  async #receive(chunk: Buffer): Promise<void> {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      if (this.#phase === 'closed') return;
      const message = this.#phase === 'startup' ? this.#takeUntyped() : this.#takeTyped();
      if (!message) return;
      if (this.#phase === 'startup') this.#startupMessage(message);
      else if (this.#phase === 'password') await this.#passwordMessage(message);
      else await this.#clientMessage(message);
    }
  }

  /** Startup-phase messages have no type byte: length, then a code. */
  #takeUntyped(): Buffer | undefined {
    if (this.#buffer.length < 8) return undefined;
    const length = this.#buffer.readInt32BE(0);
    if (length < 8 || length > 10_000) throw new Error('malformed startup message');
    return this.#take(length);
  }

  #takeTyped(): Buffer | undefined {
    if (this.#buffer.length < 5) return undefined;
    const length = this.#buffer.readInt32BE(1);
    if (length < 4) throw new Error('malformed message');
    return this.#take(1 + length);
  }

  #take(length: number): Buffer | undefined {
    if (this.#buffer.length < length) return undefined;
    const message = this.#buffer.subarray(0, length);
    this.#buffer = this.#buffer.subarray(length);
    return message;
  }

  #startupMessage(message: Buffer): void {
    const code = message.readInt32BE(4);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      this.socket.write('N');
    } else if (code === CANCEL_REQUEST) {
      this.#close();
    } else if (code === PROTOCOL_3) {
      this.#startup = Buffer.from(message);
      this.#phase = 'password';
      this.socket.write(typed('R', int32(3))); // AuthenticationCleartextPassword
    } else {
      this.#fatal('0A000', 'unsupported frontend protocol');
    }
  }

  async #passwordMessage(message: Buffer): Promise<void> {
    const given = message[0] === 0x70 ? message.subarray(5, message.length - 1) : Buffer.alloc(0);
    const expected = Buffer.from(this.password);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      this.#fatal('28P01', 'password authentication failed for user "postgres"');
      return;
    }
    this.#phase = 'ready';
    // PGlite answers the startup packet (AuthenticationOk, parameters, ReadyForQuery); it ignores its user,
    // database and options, so a client cannot switch the shared session to another role with them.
    await this.#turn(this.#startup!);
  }

  async #clientMessage(message: Buffer): Promise<void> {
    if (message[0] === 0x58) {
      this.#close(); // Terminate
      return;
    }
    await this.#turn(message);
  }

  /** Runs one message inside this client's turn; the turn ends when the session is idle again. */
  async #turn(message: Buffer): Promise<void> {
    clearTimeout(this.#idleTimer);
    if (!this.#release) this.#release = await holdTransactionMutex(this.pg);
    const output = await this.#exec(message);
    if (this.#phase !== 'closed' && output.length > 0) this.socket.write(output);
    if (readyStatus(output) === 'I') {
      await this.#endTurn();
    } else if (this.options.idleInTransactionMs !== 0) {
      this.#idleTimer = setTimeout(() => this.#serially(() => this.#idleTimeout()), this.options.idleInTransactionMs ?? 30_000);
    }
  }

  async #idleTimeout(): Promise<void> {
    if (!this.#release || this.#phase === 'closed') return;
    this.#fatal('25P03', 'terminating connection due to idle-in-transaction timeout');
    await this.#abandonTurn();
  }

  async #closed(): Promise<void> {
    this.#phase = 'closed';
    clearTimeout(this.#idleTimer);
    await this.#abandonTurn();
  }

  /** A client gone mid-turn: finish its pipeline, roll back its transaction, then give the session back. */
  async #abandonTurn(): Promise<void> {
    if (!this.#release) return;
    if (readyStatus(await this.#exec(typed('S', Buffer.alloc(0)))) !== 'I') await this.#exec(query('rollback'));
    await this.#endTurn();
  }

  async #endTurn(): Promise<void> {
    const channels = this.options.channels().map((c) => `listen "${c.replaceAll('"', '""')}";`);
    await this.#exec(query(`set session authorization default; reset all; discard temp; ${this.options.sessionSetup}; ${channels.join(' ')}`));
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  #exec(message: Buffer): Promise<Buffer> {
    return this.pg._runExclusiveQuery(async () => Buffer.from(await this.pg.execProtocolRaw(message)));
  }

  #fatal(code: string, text: string): void {
    const fields = Buffer.concat([field('S', 'FATAL'), field('V', 'FATAL'), field('C', code), field('M', text), Buffer.from([0])]);
    if (this.socket.writable) this.socket.write(typed('E', fields));
    this.#close();
  }

  #close(): void {
    this.#phase = 'closed';
    this.socket.end();
  }
}

/** Takes PGlite's transaction mutex (queued behind the sandbox's transactions) and resolves to its release. */
function holdTransactionMutex(pg: PGlite): Promise<() => void> {
  return new Promise((acquired) => {
    void pg._runExclusiveTransaction(() => new Promise<void>((release) => acquired(() => release())));
  });
}

/** The status of the last ReadyForQuery in a response: 'I' idle, 'T' in a transaction, 'E' in a failed one. */
function readyStatus(output: Buffer): string | undefined {
  let status: string | undefined;
  for (let at = 0; at + 5 <= output.length; at += 1 + output.readInt32BE(at + 1)) {
    if (output[at] === 0x5a) status = String.fromCharCode(output[at + 5]!);
  }
  return status;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function typed(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
}

function query(text: string): Buffer {
  return typed('Q', Buffer.from(`${text}\0`));
}

function field(code: string, value: string): Buffer {
  return Buffer.from(`${code}${value}\0`);
}
