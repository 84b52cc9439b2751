import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Database, Sql } from '../db/database.ts';
import type { ActiveFaults } from '../faults.ts';
import type { KeyRing } from '../keys.ts';
import { AuthApiError, invalidCredentials } from './auth-error.ts';
import { DEFAULT_COST, hashPassword, verifyPassword } from './passwords.ts';
import { findUser, toUserJson, USER_COLUMNS, type UserJson, type UserRow } from './users.ts';

/** Access tokens live an hour, like Supabase's default (the client refreshes 90 s before expiry). */
export const ACCESS_TOKEN_TTL_S = 3600;
const MIN_PASSWORD_LENGTH = 6;

export interface Session {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: UserJson;
}

export interface Authenticated {
  user: UserJson;
  sessionId: string;
  /** the verified access token's payload */
  claims: Record<string, unknown>;
}

export type LogoutScope = 'global' | 'local' | 'others';

const newRefreshToken = () => randomBytes(16).toString('base64url');

const createUserSchema = z.looseObject({
  id: z.uuid().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  password: z.string().optional(),
  email_confirm: z.boolean().optional(),
  user_metadata: z.record(z.string(), z.unknown()).optional(),
  app_metadata: z.record(z.string(), z.unknown()).optional(),
});

const EMAIL = z.email();

export interface AuthServiceOptions {
  db: Database;
  keys: KeyRing;
  faults: ActiveFaults;
  /** the public origin, known once the server listens; tokens name `${origin}/auth/v1` as issuer */
  origin: () => string;
  log: (line: string) => void;
  /** access token lifetime in seconds; default ACCESS_TOKEN_TTL_S. The fault session_expiry overrides it. */
  accessTokenTtlS?: number;
}

/**
 * What the API gateway answers when the auth server behind it is unreachable (fault auth_down): Kong's 503, no
 * GoTrue headers. The pages' server code gets the same failure from its auth client.
 */
export const AUTH_UNREACHABLE = { status: 503, message: 'failure to get a peer from the ring-balancer' } as const;

export class AuthUnreachableError extends AuthApiError {
  constructor() {
    super(AUTH_UNREACHABLE.status, 'unexpected_failure', AUTH_UNREACHABLE.message);
  }
}

/** GoTrue's behaviour, shared by the /auth/v1 API and the server-rendered login page. */
export class AuthService {
  // Compared against when the email is unknown, so that a wrong email costs as long as a wrong password.
  readonly #dummyHash = hashPassword(randomUUID(), DEFAULT_COST);

  constructor(private readonly options: AuthServiceOptions) {}

  /** Fault auth_down: nothing reaches the auth server. */
  #reachable(): void {
    if (this.options.faults.isOn('auth_down')) throw new AuthUnreachableError();
  }

  async signInWithPassword(email: unknown, password: unknown): Promise<Session> {
    this.#reachable();
    if (typeof email !== 'string' || email === '') {
      throw new AuthApiError(400, 'validation_failed', 'missing email or phone');
    }
    if (typeof password !== 'string') throw invalidCredentials();
    const { db, faults } = this.options;
    const user = await db.transaction((sql) => findUser(sql, 'email', email.trim().toLowerCase()));
    const matches = await verifyPassword(password, user?.encrypted_password ?? (await this.#dummyHash));
    // Fault bad_password: the password check itself is broken, so valid credentials fail like wrong ones.
    if (!user || !matches || faults.isOn('bad_password')) throw invalidCredentials();
    if (!user.email_confirmed_at) throw new AuthApiError(400, 'email_not_confirmed', 'Email not confirmed');

    return db.transaction(async (sql) => {
      const sessionId = randomUUID();
      await sql.query(`insert into auth.sessions (id, user_id) values ($1, $2)`, [sessionId, user.id]);
      const refreshToken = newRefreshToken();
      await sql.query(`insert into auth.refresh_tokens (token, user_id, session_id) values ($1, $2, $3)`, [
        refreshToken,
        user.id,
        sessionId,
      ]);
      const { rows } = await sql.query<UserRow>(
        `update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1 returning ${USER_COLUMNS}`,
        [user.id],
      );
      return this.#session(toUserJson(rows[0]!), sessionId, refreshToken);
    });
  }

  /** Rotates a refresh token: the old one is revoked, the answer carries a new one for the same session. */
  async refresh(refreshToken: unknown): Promise<Session> {
    this.#reachable();
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      throw new AuthApiError(400, 'validation_failed', 'refresh_token required');
    }
    return this.options.db.transaction(async (sql) => {
      const { rows } = await sql.query<{ user_id: string; session_id: string; revoked: boolean }>(
        `select user_id, session_id, revoked from auth.refresh_tokens where token = $1 for update`,
        [refreshToken],
      );
      const current = rows[0];
      if (!current) {
        throw new AuthApiError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
      }
      if (current.revoked) {
        throw new AuthApiError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
      }
      const next = newRefreshToken();
      await sql.query(`update auth.refresh_tokens set revoked = true, updated_at = now() where token = $1`, [refreshToken]);
      await sql.query(
        `insert into auth.refresh_tokens (token, user_id, session_id, parent) values ($1, $2, $3, $4)`,
        [next, current.user_id, current.session_id, refreshToken],
      );
      await sql.query(`update auth.sessions set updated_at = now() where id = $1`, [current.session_id]);
      const user = await findUser(sql, 'id', current.user_id);
      if (!user) throw new AuthApiError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
      return this.#session(toUserJson(user), current.session_id, next);
    });
  }

  /** The user behind a Bearer access token, with GoTrue's checks: signature, expiry, session and user still exist. */
  async authenticate(bearer: string | undefined): Promise<Authenticated> {
    this.#reachable();
    if (!bearer) throw new AuthApiError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
    const verified = await this.options.keys.verify(bearer);
    if (!verified.ok) {
      throw new AuthApiError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${verified.message}`);
    }
    const { sub, session_id: sessionId } = verified.claims;
    if (typeof sub !== 'string' || typeof sessionId !== 'string') {
      throw new AuthApiError(403, 'bad_jwt', 'invalid claim: missing sub claim');
    }
    return this.options.db.transaction(async (sql) => {
      const user = await findUser(sql, 'id', sub);
      if (!user) throw new AuthApiError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
      const { rows } = await sql.query(`select 1 from auth.sessions where id = $1 and user_id = $2`, [sessionId, sub]);
      if (rows.length === 0) {
        throw new AuthApiError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
      }
      return { user: toUserJson(user), sessionId, claims: verified.claims };
    });
  }

  /** Ends sessions; their refresh tokens go with them (on delete cascade). */
  async logout(bearer: string | undefined, scope: string | undefined): Promise<void> {
    this.#reachable();
    const chosen = scope ?? 'global';
    if (chosen !== 'global' && chosen !== 'local' && chosen !== 'others') {
      throw new AuthApiError(400, 'validation_failed', 'Unsupported logout scope');
    }
    const { user, sessionId } = await this.authenticate(bearer);
    const [condition, params] = {
      global: ['user_id = $1', [user.id]],
      local: ['id = $1', [sessionId]],
      others: ['user_id = $1 and id <> $2', [user.id, sessionId]],
    }[chosen] as [string, string[]];
    await this.options.db.transaction((sql) => sql.query(`delete from auth.sessions where ${condition}`, params));
  }

  async createUser(body: unknown): Promise<UserJson> {
    const parsed = createUserSchema.safeParse(body ?? {});
    if (!parsed.success) {
      throw new AuthApiError(400, 'validation_failed', parsed.error.issues[0]?.message ?? 'Invalid user attributes');
    }
    const attrs = parsed.data;
    if (!attrs.email) {
      // The sandbox has no SMS provider, so phone-only users cannot be created (GoTrue with phone sign-up off).
      throw new AuthApiError(400, 'validation_failed', attrs.phone ? 'Phone signups are disabled' : 'Unable to validate email address: invalid format');
    }
    const email = attrs.email.trim().toLowerCase();
    if (!EMAIL.safeParse(email).success) {
      throw new AuthApiError(400, 'validation_failed', 'Unable to validate email address: invalid format');
    }
    if (attrs.password !== undefined && attrs.password.length < MIN_PASSWORD_LENGTH) {
      throw new AuthApiError(422, 'weak_password', `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`, {
        weak_password: { reasons: ['length'] },
      });
    }
    const passwordHash = attrs.password === undefined ? null : await hashPassword(attrs.password);
    return this.options.db.transaction(async (sql) => {
      if (await findUser(sql, 'email', email)) {
        throw new AuthApiError(422, 'email_exists', 'A user with this email address has already been registered');
      }
      const appMetadata = { provider: 'email', providers: ['email'], ...attrs.app_metadata };
      try {
        const { rows } = await sql.query<UserRow>(
          `insert into auth.users (id, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
           values (coalesce($1::uuid, gen_random_uuid()), $2, $3, case when $4::boolean then now() end, $5::jsonb, $6::jsonb)
           returning ${USER_COLUMNS}`,
          [attrs.id ?? null, email, passwordHash, attrs.email_confirm === true, JSON.stringify(appMetadata), JSON.stringify(attrs.user_metadata ?? {})],
        );
        return toUserJson(rows[0]!);
      } catch (error) {
        // e.g. the sign-up trigger refused the metadata (unknown corporate_id): GoTrue says this, and logs the cause.
        this.options.log(`admin create user failed: ${(error as Error).message}`);
        throw new AuthApiError(500, 'unexpected_failure', 'Database error creating new user');
      }
    });
  }

  async getUser(id: string): Promise<UserJson> {
    const user = z.uuid().safeParse(id).success
      ? await this.options.db.transaction((sql) => findUser(sql, 'id', id))
      : undefined;
    if (!user) throw new AuthApiError(404, 'user_not_found', 'User not found');
    return toUserJson(user);
  }

  async listUsers(page: number, perPage: number): Promise<{ users: UserJson[]; total: number }> {
    return this.options.db.transaction(async (sql: Sql) => {
      const { rows } = await sql.query<UserRow>(
        `select ${USER_COLUMNS} from auth.users order by created_at, id limit $1 offset $2`,
        [perPage, (page - 1) * perPage],
      );
      const count = await sql.query<{ total: number }>(`select count(*)::int as total from auth.users`);
      return { users: rows.map(toUserJson), total: count.rows[0]!.total };
    });
  }

  async deleteUser(id: string): Promise<UserJson> {
    const user = await this.getUser(id);
    await this.options.db.transaction((sql) => sql.query(`delete from auth.users where id = $1`, [id]));
    return user;
  }

  /** Seconds an access token lives: the fault session_expiry, else the configured lifetime, else an hour. */
  get accessTokenTtlS(): number {
    return this.options.faults.numberOf('session_expiry') ?? this.options.accessTokenTtlS ?? ACCESS_TOKEN_TTL_S;
  }

  async #session(user: UserJson, sessionId: string, refreshToken: string): Promise<Session> {
    const iat = Math.floor(Date.now() / 1000);
    const ttl = this.accessTokenTtlS;
    const accessToken = await this.options.keys.sign(
      {
        iss: `${this.options.origin()}/auth/v1`,
        sub: user.id,
        aud: 'authenticated',
        iat,
        email: user.email,
        phone: user.phone,
        app_metadata: user.app_metadata,
        user_metadata: user.user_metadata,
        role: 'authenticated',
        aal: 'aal1',
        amr: [{ method: 'password', timestamp: iat }],
        session_id: sessionId,
        is_anonymous: user.is_anonymous,
      },
      ttl,
    );
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: ttl,
      expires_at: iat + ttl,
      refresh_token: refreshToken,
      user,
    };
  }
}
