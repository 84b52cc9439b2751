import type { ApiRole } from '../db/database.ts';

/** An error in PostgREST's shape: {code, details, hint, message}, with its HTTP status. */
export class PostgrestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** a string, or for some codes (PGRST201) an array, as PostgREST sends */
    readonly details: unknown = null,
    readonly hint: string | null = null,
  ) {
    super(message);
  }

  toJSON() {
    return { code: this.code, details: this.details, hint: this.hint, message: this.message };
  }
}

interface DatabaseErrorLike {
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

export function isDatabaseError(error: unknown): error is DatabaseErrorLike {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * PostgREST's mapping from SQLSTATE to HTTP status. Reads never get 503: postgrest-js retries GET/HEAD on 503 for
 * about 7 s, which would only slow a failing check down.
 */
export function statusForSqlState(code: string, role: ApiRole, isRead: boolean): number {
  if (code === '42501') return role === 'anon' ? 401 : 403;
  // raise … using errcode = 'PT404': PostgREST answers with that HTTP status.
  if (/^PT[1-5]\d\d$/.test(code)) return Number(code.slice(2));
  if (code === '23503' || code === '23505') return 409;
  if (code === '42883' || code === '42P01') return 404;
  if (code === '25006') return 405;
  if (code === 'P0001') return 400;
  const unavailable = isRead ? 500 : 503;
  switch (code.slice(0, 2)) {
    case '08':
    case '53':
      return unavailable;
    case '09':
    case '25':
    case '2D':
    case '2F':
    case '40':
    case '54':
    case '55':
    case '57':
    case '58':
    case 'F0':
    case 'HV':
    case 'P0':
    case 'XX':
      return 500;
    case '28':
    case '0L':
    case '0P':
      return 403;
    default:
      return 400;
  }
}

export function fromDatabaseError(error: DatabaseErrorLike, role: ApiRole, isRead: boolean): PostgrestError {
  return new PostgrestError(
    statusForSqlState(error.code, role, isRead),
    error.code,
    error.message,
    error.detail ?? null,
    error.hint ?? null,
  );
}
