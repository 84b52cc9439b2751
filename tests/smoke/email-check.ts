/**
 * Did the app's email reach the smoke user? In the sandbox its mail catcher says so (service role); elsewhere the
 * notifications row turning SENT does (appProfile.email.check, SMOKE_EMAIL_CHECK).
 */
import { appProfile } from '../../src/config/app-profile.ts';
import type { TargetEnv } from '../../src/config/target-env.ts';
import { CheckFailed, type Synthetic } from './fixtures.ts';
import { pollFor } from './flow-helpers.ts';

export type EmailCheck = 'catcher' | 'notification';

interface CaughtMail {
  to: string[];
  subject: string;
  date: string;
  messageId: string;
}

export function emailCheckMode(target: TargetEnv): EmailCheck {
  const wanted = process.env.SMOKE_EMAIL_CHECK ?? appProfile.email.check;
  if (wanted === 'notification') return 'notification';
  if (wanted === 'catcher' && !target.SUPABASE_SERVICE_ROLE_KEY) throw new CheckFailed('SMOKE_EMAIL_CHECK=catcher needs SUPABASE_SERVICE_ROLE_KEY');
  return target.SUPABASE_SERVICE_ROLE_KEY ? 'catcher' : 'notification';
}

async function readMail(target: TargetEnv): Promise<CaughtMail[]> {
  const key = target.SUPABASE_SERVICE_ROLE_KEY!;
  const res = await fetch(new URL(appProfile.paths.mailCatcher, target.BASE_URL), { headers: { apikey: key, Authorization: `Bearer ${key}` } });
  if (!res.ok) throw new CheckFailed(`${appProfile.paths.mailCatcher} answered HTTP ${res.status}`);
  return (await res.json()) as CaughtMail[];
}

/** The emails the catcher already holds (by message id), so that only a new one counts. */
export async function mailSeen(mode: EmailCheck, target: TargetEnv): Promise<Set<string>> {
  return mode === 'catcher' ? new Set((await readMail(target)).map((m) => m.messageId)) : new Set<string>();
}

/** The email `subject` to the smoke user, new since `seen`; fails fast on a FAILED notification. */
export async function verifyEmail(mode: EmailCheck, target: TargetEnv, synthetic: Synthetic, subject: string, seen: Set<string>): Promise<string> {
  const recipient = target.SMOKE_USER_EMAIL.toLowerCase();
  const found = await pollFor(async () => {
    const row = await synthetic.client
      .from('notifications')
      .select('status, sent_at')
      .eq('recipient_id', synthetic.userId)
      .eq('subject', subject)
      .gte('created_at', synthetic.startedAt.toISOString())
      .order('created_at', { ascending: false })
      .limit(1);
    const status = row.data?.[0]?.status as string | undefined;
    if (status === 'FAILED') throw new CheckFailed(`email "${subject}" not sent: its notification is FAILED`);
    if (mode === 'notification') return status === 'SENT' ? 'notification SENT' : undefined;
    const mail = (await readMail(target)).find(
      (m) => !seen.has(m.messageId) && m.subject === subject && m.to.some((t) => t.toLowerCase().includes(recipient)),
    );
    return mail ? `email "${subject}" reached the mail catcher` : undefined;
  }, appProfile.email.waitMs);
  if (!found) {
    throw new CheckFailed(
      mode === 'catcher'
        ? `email "${subject}" to the smoke user did not reach the mail catcher within ${appProfile.email.waitMs / 1000} s`
        : `email "${subject}": no SENT notification within ${appProfile.email.waitMs / 1000} s`,
    );
  }
  return found;
}
