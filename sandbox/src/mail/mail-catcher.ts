/**
 * The sandbox's mail relay: a real SMTP server on a free local port that keeps what it receives in memory, so
 * that tests can read the emails the app sent (GET /__sandbox/mail).
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { ActiveFaults } from '../faults.ts';

export interface CaughtMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  /** ISO 8601 */
  date: string;
  messageId: string;
}

const addresses = (field: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);

export class MailCatcher {
  readonly #mail: CaughtMail[] = [];
  readonly #server: SMTPServer;
  #port = 0;

  constructor(faults: ActiveFaults, log: (line: string) => void) {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      banner: 'Marsana sandbox mail relay',
      logger: false,
      // email_off: the relay refuses every recipient, as a provider with a broken account or domain does.
      onRcptTo(address, _session, callback) {
        if (!faults.isOn('email_off')) return callback();
        const error = Object.assign(new Error(`Relay access denied for ${address.address}`), { responseCode: 550 });
        callback(error);
      },
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.#mail.push({
              to: addresses(parsed.to),
              from: addresses(parsed.from)[0] ?? '',
              subject: parsed.subject ?? '',
              text: (parsed.text ?? '').trim(),
              date: (parsed.date ?? new Date()).toISOString(),
              messageId: parsed.messageId ?? '',
            });
            callback();
          })
          .catch((error: Error) => {
            log(`mail: unreadable message: ${error.message}`);
            callback(error);
          });
      },
    });
    this.#server.on('error', (error) => log(`mail: ${error.message}`));
  }

  get port(): number {
    return this.#port;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', () => resolve()));
    this.#port = (this.#server.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  list(): CaughtMail[] {
    return [...this.#mail];
  }

  clear(): void {
    this.#mail.length = 0;
  }
}
