/**
 * The promotion log's Migration Verification, over a direct connection (SUPABASE_DB_URL): the database's catalog
 * compared with the schema manifest (config/schema-manifest.json), integrity queries, and an audit trigger seen
 * firing for a write made through the API. Without SUPABASE_DB_URL every check is skipped with that reason,
 * never passed: "the catalog could not be read" is no evidence that the migrations ran.
 */
import { checkAuditTriggers, checkForeignKeys, checkIndexes, checkRls, checkTables, readCatalog, type Catalog, type Verdict } from '../../src/db-checks/catalog.ts';
import { checkIntegrity } from '../../src/db-checks/integrity.ts';
import type { SchemaManifest } from '../../src/db-checks/schema-manifest.ts';
import { CHECKBOX, migrationDetail, summaryRow } from '../../src/log-annotations.ts';
import { describeError } from '../../src/supabase.ts';
import { CheckFailed, measured, test, type DbSession } from './fixtures.ts';
import { pollFor } from './flow-helpers.ts';

type Db = Extract<DbSession, { ok: true }>;

/** Fails with the first problems (the Notes column is one line), else returns the evidence line. */
function judge(verdict: Verdict, evidence: string): string {
  if (verdict.problems.length === 0) return evidence;
  const more = verdict.problems.length > 3 ? ` (+${verdict.problems.length - 3} more)` : '';
  throw new CheckFailed(verdict.problems.slice(0, 3).join('; ') + more);
}

async function catalogOf(db: Db): Promise<{ catalog: Catalog; manifest: SchemaManifest }> {
  return { catalog: await readCatalog(db.client, db.manifest.schema), manifest: db.manifest };
}

test.describe('Migration Verification', () => {
  // The catalog checks: one comparison of the catalog with the manifest each, its evidence line and its detail.
  const catalogChecks = [
    { row: 'Schema Tables', box: CHECKBOX.tablesPresent, detail: 'tables', check: checkTables,
      evidence: (v: Verdict, m: SchemaManifest) => `${v.found.length} of ${m.tables.length} tables present` },
    { row: 'RLS Policies', box: CHECKBOX.rlsEnforced, detail: 'policies', check: checkRls,
      evidence: (v: Verdict, m: SchemaManifest) => `row-level security on all ${m.tables.length} tables, ${v.found.length} policies` },
    { row: 'Indexes', box: CHECKBOX.indexesCreated, detail: 'indexes', check: checkIndexes,
      evidence: (v: Verdict, m: SchemaManifest) => `${v.found.length} of ${m.indexes.length} expected indexes present and valid` },
    { row: 'Audit Triggers', box: CHECKBOX.auditTriggers, detail: 'triggers', check: checkAuditTriggers,
      evidence: (_v: Verdict, m: SchemaManifest) => `${m.audit.triggerFunction} enabled for INSERT, UPDATE, DELETE on ${m.audit.tables.length} tables` },
  ] as const;

  for (const c of catalogChecks) {
    test(c.row, { annotation: [summaryRow(c.row), c.box] }, async ({ database }, testInfo) => {
      await measured(testInfo, async () => {
        const { catalog, manifest } = await catalogOf(database);
        const verdict = c.check(manifest, catalog);
        return { notes: judge(verdict, c.evidence(verdict, manifest)), details: [migrationDetail(c.detail, verdict.found)] };
      });
    });
  }

  // A trigger in the catalog proves nothing about what it writes: change a row through the API, as the smoke user,
  // and find the audit row naming that user, the action and the old and new values.
  test(
    'Audit Trail',
    { annotation: [summaryRow('Audit Trail'), CHECKBOX.auditTriggers] },
    async ({ database, synthetic, vehiclesLock: _lock }, testInfo) => {
      await measured(testInfo, async () => {
        const { columns: col, table: auditTable } = database.manifest.audit;
        const schema = database.manifest.schema;
        // The smoke tenant's own vehicle, named explicitly: with row-level security broken, "the first vehicle" could be anybody's.
        const picked = await synthetic.client.from('vehicles').select('id, plate, odometer_km').eq('corporate_id', synthetic.tenantId).order('plate').limit(1).single();
        if (picked.error) throw new CheckFailed(`no vehicle of the smoke tenant to change: ${describeError(picked.error, picked.status)}`);
        const vehicle = picked.data as { id: string; plate: string; odometer_km: number };
        const before = vehicle.odometer_km;
        const after = before + 1;
        const since = new Date(Date.now() - 1_000);
        const changed = await synthetic.client.from('vehicles').update({ odometer_km: after }).eq('id', vehicle.id).select('id');
        try {
          if (changed.error || changed.data?.length !== 1) {
            throw new CheckFailed(`the smoke user could not change ${vehicle.plate}: ${changed.error ? describeError(changed.error, changed.status) : '0 rows updated'}`);
          }
          const row = await pollFor(async () => {
            const { rows } = await database.client.query<Record<string, unknown>>(
              `select "${col.actor}" as actor, "${col.action}" as action, "${col.oldRow}" as old_row, "${col.newRow}" as new_row
                 from "${schema}"."${auditTable}"
                where "${col.table}" = 'vehicles' and "${col.record}" = $1 and "${col.action}" = 'UPDATE' and created_at >= $2
                  and ("${col.newRow}" ->> 'odometer_km')::int = $3
                order by created_at desc limit 1`,
              [vehicle.id, since, after],
            );
            return rows[0];
          }, 5_000);
          if (!row) throw new CheckFailed(`no audit row records the UPDATE of ${vehicle.plate} through the API (its audit trigger wrote nothing)`);
          const oldKm = (row.old_row as Record<string, unknown> | null)?.odometer_km;
          if (row.actor !== synthetic.userId) throw new CheckFailed(`the audit row of ${vehicle.plate}'s UPDATE names actor ${String(row.actor)}, not the smoke user`);
          if (oldKm !== before) throw new CheckFailed(`the audit row of ${vehicle.plate}'s UPDATE has old odometer_km ${String(oldKm)}, expected ${before}`);
          return `UPDATE of ${vehicle.plate} through the API recorded: actor the smoke user, odometer_km ${before} → ${after}`;
        } finally {
          await synthetic.client.from('vehicles').update({ odometer_km: before }).eq('id', vehicle.id);
        }
      });
    },
  );

  test('Data Integrity', { annotation: [summaryRow('Data Integrity'), CHECKBOX.dataIntegrity] }, async ({ database }, testInfo) => {
    await measured(testInfo, async () => {
      const { catalog, manifest } = await catalogOf(database);
      const keys = checkForeignKeys(manifest, catalog);
      const rows = await checkIntegrity(database.client, manifest);
      const verdict = { problems: [...rows.problems, ...keys.problems], found: [...rows.found, ...keys.found] };
      return judge(verdict, `${keys.found.length} foreign keys validated and enforced; ${rows.found.length} integrity queries found no bad row`);
    });
  });
});
