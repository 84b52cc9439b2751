import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { API_ROLES, type ApiRole } from './db/database.ts';

const TEN_YEARS_S = 10 * 365 * 24 * 3600;

export type VerifiedToken =
  | { ok: true; role: ApiRole; claims: JWTPayload & Record<string, unknown> }
  | { ok: false; reason: 'expired' | 'invalid'; message: string };

/**
 * The sandbox's signing secret and the keys derived from it. A new random secret at every start: tokens from an
 * earlier run must not work, and there is no secret to leak from the source.
 */
export interface KeyRing {
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  /** Signs a payload with HS256, like Supabase's legacy JWT secret. */
  sign(payload: JWTPayload, expiresInSeconds: number): Promise<string>;
  verify(token: string): Promise<VerifiedToken>;
}

function apiKeyPayload(role: ApiRole, iat: number): JWTPayload {
  // The shape of a hosted project's anon / service_role key.
  return { iss: 'supabase', ref: 'sandbox', role, iat, exp: iat + TEN_YEARS_S };
}

export async function createKeyRing(): Promise<KeyRing> {
  const secret = new Uint8Array(randomBytes(32));
  const sign = (payload: JWTPayload, expiresInSeconds: number) => {
    const iat = typeof payload.iat === 'number' ? payload.iat : Math.floor(Date.now() / 1000);
    return new SignJWT({ ...payload, iat, exp: iat + expiresInSeconds })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(secret);
  };
  const iat = Math.floor(Date.now() / 1000);
  const [anonKey, serviceRoleKey] = await Promise.all([
    sign(apiKeyPayload('anon', iat), TEN_YEARS_S),
    sign(apiKeyPayload('service_role', iat), TEN_YEARS_S),
  ]);

  async function verify(token: string): Promise<VerifiedToken> {
    const parts = token.split('.').length;
    if (parts !== 3) return { ok: false, reason: 'invalid', message: `Expected 3 parts in JWT; got ${parts}` };
    try {
      const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
      const role = payload['role'];
      if (typeof role !== 'string' || !(API_ROLES as readonly string[]).includes(role)) {
        return { ok: false, reason: 'invalid', message: `role "${String(role)}" does not exist` };
      }
      return { ok: true, role: role as ApiRole, claims: payload as JWTPayload & Record<string, unknown> };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired', message: 'JWT expired' };
      if (error instanceof errors.JWSSignatureVerificationFailed) {
        return { ok: false, reason: 'invalid', message: 'JWT cryptographic operation failed' };
      }
      return { ok: false, reason: 'invalid', message: 'JWT could not be decoded' };
    }
  }

  return { anonKey, serviceRoleKey, sign, verify };
}
