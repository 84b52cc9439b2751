/**
 * An error the user can fix: bad flags, missing variables, an unusable log file, no browser.
 * The CLI prints its message as one line and exits with code 2; it never prints a stack trace for these.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT = { ok: 0, checkFailed: 1, usage: 2 } as const;
