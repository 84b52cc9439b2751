/**
 * Marsana Fleet's email worker: sends the notifications the database queued (status QUEUED) over SMTP, then marks
 * them SENT (with sent_at) or FAILED. It hears of new ones through pg_notify('sandbox_mail', id) after their
 * transaction commits, so a rolled-back notification is never sent.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { ListeningDatabase } from '../db/database.ts';

export const MAIL_FROM = 'Marsana Fleet <no-reply@marsana.test>';

interface Queued {
  id: string;
  recipient_email: string;
  subject: string;
  body: string;
}

export class MailSender {
  readonly #transport: Transporter;
  readonly #pending = new Set<string>();
  #running: Promise<void> | undefined;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: ListeningDatabase,
    smtpPort: number,
    private readonly log: (line: string) => void,
  ) {
    this.#transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
  }

  async start(): Promise<void> {
    this.#unlisten = await this.db.listen('sandbox_mail', (id) => {
      if (id) this.#pending.add(id);
      void this.drain();
    });
  }

  async stop(): Promise<void> {
    await this.#unlisten?.();
    await this.#running;
    this.#transport.close();
  }

  /** Sends what was queued so far; resolves when done (for tests). */
  drain(): Promise<void> {
    this.#running ??= (async () => {
      try {
        while (this.#pending.size > 0) {
          const ids = [...this.#pending];
          this.#pending.clear();
          await this.#send(ids);
        }
      } catch (error) {
        this.log(`mail: ${(error as Error).message}`);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  async #send(ids: string[]): Promise<void> {
    const { rows } = await this.db.transaction((sql) =>
      sql.query<Queued>(
        `select id, recipient_email, subject, body from public.notifications where id = any ($1::uuid[]) and status = 'QUEUED' order by created_at`,
        [ids],
      ),
    );
    for (const notification of rows) {
      let status: 'SENT' | 'FAILED' = 'SENT';
      try {
        await this.#transport.sendMail({
          from: MAIL_FROM,
          to: notification.recipient_email,
          subject: notification.subject,
          text: notification.body,
        });
      } catch (error) {
        status = 'FAILED';
        this.log(`mail: notification ${notification.id} not sent: ${(error as Error).message}`);
      }
      await this.db.transaction((sql) =>
        sql.query(
          `update public.notifications set status = $2, sent_at = case when $2 = 'SENT' then now() end where id = $1 and status = 'QUEUED'`,
          [notification.id, status],
        ),
      );
    }
  }
}
