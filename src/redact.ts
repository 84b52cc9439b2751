/**
 * Removes secret values from text before it reaches any output. Known values (keys, passwords) are
 * replaced by name; anything shaped like a JWT is replaced too, because user access tokens minted during a
 * run are secrets nobody listed in advance.
 */
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;

export type Redactor = (text: string) => string;

export function makeRedactor(secrets: Record<string, string | undefined>): Redactor {
  const pairs = Object.entries(secrets)
    .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length >= 4)
    // A secret also travels escaped: inside JSON (traces, reports), and URL- or form-encoded (request bodies).
    .flatMap(([name, value]) => encodings(value).map((v): [string, string] => [name, v]))
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b[1].length - a[1].length);
  return (text) => {
    let out = text;
    for (const [name, value] of pairs) {
      if (out.includes(value)) out = out.split(value).join(`[REDACTED:${name}]`);
    }
    return out.replace(JWT, '[REDACTED:jwt]');
  };
}

function encodings(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const uri = encodeURIComponent(value);
  return [...new Set([value, json, JSON.stringify(json).slice(1, -1), uri, uri.replace(/%20/g, '+')])];
}

/** Passes a byte stream through the redactor a line at a time, so a secret split across chunks is still caught. */
export function redactingLineWriter(redact: Redactor, write: (s: string) => void): { push(chunk: Buffer | string): void; end(): void } {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk.toString();
      const lastNewline = pending.lastIndexOf('\n');
      if (lastNewline < 0) return;
      write(redact(pending.slice(0, lastNewline + 1)));
      pending = pending.slice(lastNewline + 1);
    },
    end() {
      if (pending) write(redact(pending));
      pending = '';
    },
  };
}
