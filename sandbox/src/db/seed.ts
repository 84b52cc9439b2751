import { hashPassword, SEED_COST } from '../auth/passwords.ts';
import type { Sql } from './database.ts';
import { insertJsonRowsSql } from './json-rows.ts';
import type { Row, SeedData, SeedUser } from './seed-data.ts';

async function insertRows(sql: Sql, target: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  await sql.query(insertJsonRowsSql(target, Object.keys(rows[0]!)), [JSON.stringify(rows)]);
}

/**
 * Writes the fixed data set into a new database. The audit triggers record every row (actor null: nobody is
 * signed in), and the sign-up trigger creates each user's profile from its metadata.
 */
export async function seedDatabase(sql: Sql, seed: SeedData, passwordHashes: ReadonlyMap<string, string>): Promise<void> {
  for (const { table, rows } of seed.organisations) await insertRows(sql, `public.${table}`, rows);
  const confirmedAt = '2025-01-01T00:00:00Z';
  await insertRows(
    sql,
    'auth.users',
    seed.users.map((user) => ({
      id: user.id,
      email: user.email,
      encrypted_password: passwordHashes.get(user.email),
      email_confirmed_at: confirmedAt,
      raw_user_meta_data: {
        corporate_id: user.corporateId,
        branch_id: user.branchId,
        role: user.role,
        full_name: user.fullName,
      },
    })),
  );
  for (const { table, rows } of seed.fleet) await insertRows(sql, `public.${table}`, rows);
}

/** email → scrypt hash of each seeded user's documented password. */
export async function hashSeedPasswords(users: readonly SeedUser[]): Promise<Map<string, string>> {
  const entries = await Promise.all(users.map(async (u) => [u.email, await hashPassword(u.password, SEED_COST)] as const));
  return new Map(entries);
}
