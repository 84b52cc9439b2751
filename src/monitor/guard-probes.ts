/**
 * The critical rollback triggers that are not latencies: a security breach (the role matrix fails: anonymous
 * visitors read tenant rows, or the smoke user reads another tenant's) and database corruption (the schema
 * manifest's integrity checks over a direct connection fail). Each returns evidence in one line, or undefined when all is well.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import type { TableCheck } from '../config/app-profile.ts';
import { checkIntegrity } from '../db-checks/integrity.ts';
import type { SchemaManifest } from '../db-checks/schema-manifest.ts';

export async function probeRoleMatrix(
  anon: SupabaseClient,
  user: SupabaseClient | undefined,
  tenantId: string | undefined,
  tables: readonly TableCheck[],
): Promise<string | undefined> {
  // All tables at once: a slow API must not stretch the window by one round trip per table.
  const perTable = await Promise.all(
    tables.map(async (t) => {
      const breaches: string[] = [];
      const { data: anonRows } = await anon.from(t.table).select(t.tenantColumn).limit(1);
      if (anonRows && anonRows.length > 0) breaches.push(`anonymous visitors can read ${t.table}`);
      if (user && tenantId) {
        const { data } = await user.from(t.table).select(t.tenantColumn).limit(50);
        const foreign = ((data ?? []) as unknown as Record<string, unknown>[]).filter((r) => r[t.tenantColumn] !== tenantId).length;
        if (foreign > 0) breaches.push(`the smoke user reads ${foreign} ${t.table} row${foreign === 1 ? '' : 's'} of another tenant`);
      }
      return breaches;
    }),
  );
  const breaches = perTable.flat();
  return breaches.length > 0 ? breaches.join('; ') : undefined;
}

/** Runs the integrity checks over SUPABASE_DB_URL; undefined evidence when they hold, a note when not configured. */
export async function probeIntegrity(dbUrl: string | undefined, manifest: SchemaManifest): Promise<{ corruption?: string; note?: string }> {
  if (!dbUrl) return { note: 'integrity not checked (SUPABASE_DB_URL not set)' };
  const client = new pg.Client({ connectionString: dbUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    const { problems } = await checkIntegrity(client, manifest);
    return problems.length > 0 ? { corruption: problems.join('; ') } : {};
  } catch (e) {
    // An integrity check that cannot run is not evidence of corruption; say why it did not run.
    return { note: `integrity not checked (${(e as Error).message.split('\n')[0]})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}
