/**
 * The Smoke Test Summary rows: database connection, table access as the smoke user, API health and
 * authentication. Each passes only on positive evidence: rows read back and proven to be the smoke tenant's,
 * a health body that says ok, a session that the auth server accepts. Row-level security answers a hidden
 * table with an empty list and no error, so "no error" is never enough.
 */
import { appProfile } from '../../src/config/app-profile.ts';
import { CHECKBOX, summaryRow } from '../../src/log-annotations.ts';
import { describeError, makeClient } from '../../src/supabase.ts';
import { CheckFailed, expect, measured, test } from './fixtures.ts';

test.describe('Smoke Test Summary', () => {
  test('Database Connection', { annotation: [summaryRow('Database Connection'), CHECKBOX.databaseConnection] }, async ({ target }, testInfo) => {
    await measured(testInfo, async () => {
      // A counted query makes PostgREST run SQL; the count comes from Postgres even when RLS hides every row.
      const anon = makeClient(target.SUPABASE_URL, target.SUPABASE_ANON_KEY);
      const { count, error, status } = await anon.from(appProfile.profiles.table).select('*', { count: 'exact', head: true });
      if (error || typeof count !== 'number') {
        throw new CheckFailed(`database query failed: ${error ? describeError(error, status) : `HTTP ${status}, no row count`}`);
      }
      return `database answered a counted query (HTTP ${status})`;
    });
  });

  for (const check of appProfile.tableChecks) {
    test(check.row, { annotation: summaryRow(check.row) }, async ({ smokeApi }, testInfo) => {
      await measured(testInfo, async () => {
        if (smokeApi.tenantProblem || !smokeApi.tenantId) throw new CheckFailed(smokeApi.tenantProblem ?? 'smoke tenant unknown');
        const { data, count, error, status } = await smokeApi.client
          .from(check.table)
          .select(check.tenantColumn, { count: 'exact' })
          .limit(appProfile.tableSampleSize);
        if (error) throw new CheckFailed(`${check.table}: ${describeError(error, status)}`);
        const rows = (data ?? []) as unknown as Record<string, unknown>[];
        if (rows.length === 0) throw new CheckFailed('0 rows visible');
        const foreign = rows.filter((r) => r[check.tenantColumn] !== smokeApi.tenantId).length;
        if (foreign > 0) throw new CheckFailed(`${foreign} of ${rows.length} rows belong to another tenant (row-level security not isolating)`);
        const visible = count ?? rows.length;
        return `${visible} row${visible === 1 ? '' : 's'} visible, all of the smoke tenant`;
      });
    });
  }

  test('API Health', { annotation: [summaryRow('API Health'), CHECKBOX.apiEndpoints, CHECKBOX.productionUrl] }, async ({ target, request }, testInfo) => {
    await measured(testInfo, async () => {
      const url = new URL(appProfile.paths.health, target.BASE_URL).toString();
      const res = await request.get(url, { timeout: 10_000, failOnStatusCode: false, maxRedirects: 0 });
      if (!res.ok()) throw new CheckFailed(`${appProfile.paths.health} answered HTTP ${res.status()}`);
      const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
      if (!body) throw new CheckFailed(`${appProfile.paths.health} did not answer JSON`);
      const bad = Object.entries(body).filter(([k, v]) => ['status', 'database'].includes(k) && !['ok', 'healthy', 'up'].includes(String(v)));
      if (bad.length > 0) throw new CheckFailed(`${appProfile.paths.health} reports ${bad.map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
      const said = ['status', 'database'].filter((k) => k in body).map((k) => `${k} ${String(body[k])}`);
      return `HTTP ${res.status()}${said.length ? `, ${said.join(', ')}` : ''}`;
    });
  });

  test('Authentication', { annotation: summaryRow('Authentication') }, async ({ target }, testInfo) => {
    await measured(testInfo, async () => {
      const client = makeClient(target.SUPABASE_URL, target.SUPABASE_ANON_KEY);
      const signIn = await client.auth.signInWithPassword({ email: target.SMOKE_USER_EMAIL, password: target.SMOKE_USER_PASSWORD });
      if (signIn.error || !signIn.data.session) throw new CheckFailed(`sign-in failed: ${describeError(signIn.error)}`);
      // The session must be accepted by the server, not just returned to us.
      const { data, error } = await client.auth.getUser();
      if (error) throw new CheckFailed(`session rejected by /auth/v1/user: ${describeError(error)}`);
      expect(data.user?.email?.toLowerCase(), 'the signed-in user is the smoke user').toBe(target.SMOKE_USER_EMAIL.toLowerCase());
      // Local scope: a global sign-out would end the smoke user's other sessions, other workers' included.
      await client.auth.signOut({ scope: 'local' });
      return 'signed in; the session was accepted by /auth/v1/user';
    });
  });
});
