/**
 * Optional alerts: on a fired rollback trigger or a failed gate, a Slack-compatible JSON message
 * (`{"text": …, "blocks": […]}`) is POSTed to ALERT_WEBHOOK_URL. An alert that cannot be delivered is reported
 * and never changes the command's verdict.
 */
export interface Alert {
  title: string;
  lines: string[];
  /** Where to look next: the log, the run. */
  context?: string;
}

export function slackPayload(alert: Alert): { text: string; blocks: unknown[] } {
  const text = `${alert.title}\n${alert.lines.map((l) => `• ${l}`).join('\n')}`;
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: alert.title.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: alert.lines.map((l) => `• ${l}`).join('\n').slice(0, 3000) } },
  ];
  if (alert.context) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: alert.context }] });
  return { text, blocks };
}

/** Sends the alert; resolves to an error line when it could not be delivered, undefined on success or when off. */
export async function sendAlert(url: string | undefined, alert: Alert, timeoutMs = 10_000): Promise<string | undefined> {
  if (!url) return undefined;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(slackPayload(alert)),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.ok ? undefined : `alert webhook answered HTTP ${res.status}`;
  } catch (e) {
    return `alert webhook unreachable (${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name})`;
  }
}
