/**
 * An error GoTrue would answer with. Sent in GoTrue's versioned shape {code, message} together with the header
 * X-Supabase-Api-Version, without which supabase-js would not read `code`.
 */
export class AuthApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** extra fields of the body, e.g. weak_password */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const invalidCredentials = () => new AuthApiError(400, 'invalid_credentials', 'Invalid login credentials');
