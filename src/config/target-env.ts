/**
 * The variables that describe a target deployment (contracts.md, "Environment variables of a target"),
 * loaded from `.env.NAME` over the process environment and validated in one place.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';
import { UsageError } from '../errors.ts';

export const REQUIRED_VARS = ['BASE_URL', 'SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SMOKE_USER_EMAIL', 'SMOKE_USER_PASSWORD'] as const;
export const OPTIONAL_VARS = [
  'SUPABASE_SERVICE_ROLE_KEY',
  'SUPABASE_DB_URL',
  'SMOKE_ALLOW_WRITES',
  'SMOKE_TENANT_ID',
  'SENTRY_AUTH_TOKEN',
  'SENTRY_ORG',
  'SENTRY_PROJECT',
  'ALERT_WEBHOOK_URL',
] as const;
/** Variables whose values must never appear in any output. */
export const SECRET_VARS = [
  'SUPABASE_ANON_KEY',
  'SUPABASE_SERVICE_ROLE_KEY',
  'SUPABASE_DB_URL',
  'SMOKE_USER_PASSWORD',
  'SENTRY_AUTH_TOKEN',
  'ALERT_WEBHOOK_URL',
] as const;

export type TargetVar = (typeof REQUIRED_VARS)[number] | (typeof OPTIONAL_VARS)[number];
export type TargetEnv = { [K in (typeof REQUIRED_VARS)[number]]: string } & {
  [K in (typeof OPTIONAL_VARS)[number]]?: string;
};

const httpUrl = z
  .string()
  .refine((v) => /^https?:\/\/[^\s/]+/i.test(v) && URL.canParse(v), { message: 'must be an http(s) URL' });

// Messages name the variable and the rule, never the value: values may be secrets.
const schema = z.object({
  BASE_URL: httpUrl,
  SUPABASE_URL: httpUrl,
  SUPABASE_ANON_KEY: z.string().min(20, 'looks truncated (under 20 characters)'),
  SMOKE_USER_EMAIL: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address'),
  SMOKE_USER_PASSWORD: z.string().min(1),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(20, 'looks truncated (under 20 characters)').optional(),
  SUPABASE_DB_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  SMOKE_ALLOW_WRITES: z.enum(['0', '1', 'true', 'false']).optional(),
  SMOKE_TENANT_ID: z.string().uuid('must be the synthetic tenant\'s id (a uuid)').optional(),
  SENTRY_AUTH_TOKEN: z.string().optional(),
  SENTRY_ORG: z.string().optional(),
  SENTRY_PROJECT: z.string().optional(),
  // Slack-style incoming webhooks carry their token in the URL: a secret like the keys.
  ALERT_WEBHOOK_URL: httpUrl.optional(),
});

const ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Reads `.env.NAME` from `dir` and lays it over `processEnv` (the file wins, as contracts.md says). */
export function loadEnvFile(name: string, dir: string, processEnv: NodeJS.ProcessEnv): Record<string, string | undefined> {
  if (!ENV_NAME.test(name)) {
    throw new UsageError(`--env=${name}: an environment name is letters, digits, "-" and "_"`);
  }
  const file = path.join(dir, `.env.${name}`);
  if (!existsSync(file)) {
    throw new UsageError(`--env=${name}: no such environment (${path.relative(process.cwd(), file) || file} not found)`);
  }
  let parsed: Record<string, string>;
  try {
    parsed = dotenv.parse(readFileSync(file));
  } catch (e) {
    throw new UsageError(`--env=${name}: cannot read ${file}: ${(e as Error).message}`);
  }
  return { ...processEnv, ...parsed };
}

/** Picks the target variables out of an environment and validates them; every problem in one line. */
export function parseTargetEnv(source: Record<string, string | undefined>, where: string): TargetEnv {
  const picked: Record<string, string> = {};
  for (const key of [...REQUIRED_VARS, ...OPTIONAL_VARS]) {
    const value = source[key]?.trim();
    if (value) picked[key] = value;
  }
  const missing = REQUIRED_VARS.filter((k) => !picked[k]);
  if (missing.length > 0) {
    throw new UsageError(`${where}: missing required variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  }
  const result = schema.safeParse(picked);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new UsageError(`${where}: invalid ${problems.join('; ')}`);
  }
  return result.data as TargetEnv;
}

export function writesAllowed(env: TargetEnv): boolean {
  return env.SMOKE_ALLOW_WRITES === '1' || env.SMOKE_ALLOW_WRITES === 'true';
}

/**
 * Why the suite must not write to this target as this user, or undefined when it may. Writes go only to the
 * synthetic tenant: with SMOKE_TENANT_ID set, the smoke user must belong to it; an environment named like
 * production must name it (a smoke user moved into a customer's tenant must never get synthetic rows written there).
 */
export function writeRefusal(env: TargetEnv, envName: string | undefined, tenantId: string | undefined): string | undefined {
  if (!writesAllowed(env)) return 'read-only mode (SMOKE_ALLOW_WRITES is not 1)';
  if (env.SMOKE_TENANT_ID) {
    return tenantId === env.SMOKE_TENANT_ID ? undefined : "refused to write: the smoke user's tenant is not SMOKE_TENANT_ID (the synthetic tenant)";
  }
  return envName && /prod/i.test(envName) ? 'read-only mode (SMOKE_TENANT_ID, the synthetic tenant, is not set for a production environment)' : undefined;
}

export function secretValues(env: Partial<Record<string, string | undefined>>): string[] {
  return SECRET_VARS.map((k) => env[k]).filter((v): v is string => typeof v === 'string' && v.length > 0);
}
