/**
 * Security smoke: the role matrix (anonymous visitors read no tenant data; the smoke user reads no other tenant's
 * rows; writes that must be refused are refused by row-level security; audit rows cannot be changed or deleted),
 * the service-role key in no page or script the site serves, and the pages' security headers.
 *
 * Row-level security answers a forbidden read with an empty list, so an empty answer counts only beside proof that
 * there was something to hide: the smoke user sees rows of the same table, and with a service-role key the other
 * tenants' rows are counted. A write is "refused" only when Postgres refused it for row-level security (42501), not
 * when some other constraint happened to stop it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { decodeJwt } from 'jose';
import { appProfile } from '../../src/config/app-profile.ts';
import { summaryRow } from '../../src/log-annotations.ts';
import { describeError, makeClient } from '../../src/supabase.ts';
import { CheckFailed, measured, test } from './fixtures.ts';
import { pollFor } from './flow-helpers.ts';

const RLS_REFUSAL = '42501';
const { security } = appProfile;

function serviceClient(target: { SUPABASE_URL: string; SUPABASE_SERVICE_ROLE_KEY?: string }): SupabaseClient | undefined {
  return target.SUPABASE_SERVICE_ROLE_KEY ? makeClient(target.SUPABASE_URL, target.SUPABASE_SERVICE_ROLE_KEY) : undefined;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

test.describe('Security', () => {
  test('Anonymous Access', { annotation: summaryRow('Anonymous Access') }, async ({ target, smokeApi }, testInfo) => {
    await measured(testInfo, async () => {
      const anon = makeClient(target.SUPABASE_URL, target.SUPABASE_ANON_KEY);
      const perTable = await Promise.all(
        appProfile.tableChecks.map(async (t) => {
          const [own, anonymous] = await Promise.all([
            smokeApi.client.from(t.table).select(t.tenantColumn, { count: 'exact', head: true }),
            anon.from(t.table).select(t.tenantColumn).limit(1),
          ]);
          if (own.error) throw new CheckFailed(`${t.table}: the smoke user's read failed (${describeError(own.error, own.status)})`);
          return { table: t.table, visibleToUser: own.count ?? 0, anonRows: anonymous.data?.length ?? 0 };
        }),
      );
      const leaks = perTable.filter((r) => r.anonRows > 0).map((r) => r.table);
      if (leaks.length > 0) throw new CheckFailed(`anonymous visitors can read ${leaks.join(', ')}`);
      const unproven = perTable.filter((r) => r.visibleToUser === 0).map((r) => r.table);
      if (unproven.length > 0) {
        throw new CheckFailed(`nothing to hide in ${unproven.join(', ')}: the smoke user sees 0 rows there, so an empty anonymous read proves nothing`);
      }
      return `anonymous visitors read 0 rows of ${perTable.length} tables whose rows the smoke user sees`;
    });
  });

  test('Tenant Isolation', { annotation: summaryRow('Tenant Isolation') }, async ({ target, smokeApi }, testInfo) => {
    await measured(testInfo, async () => {
      const tenantId = smokeApi.tenantId;
      if (!tenantId) throw new CheckFailed(smokeApi.tenantProblem ?? 'smoke tenant unknown');
      const service = serviceClient(target);
      const perTable = await Promise.all(
        appProfile.tableChecks.map(async (t) => {
          const [seen, others] = await Promise.all([
            smokeApi.client.from(t.table).select(t.tenantColumn).neq(t.tenantColumn, tenantId).limit(5),
            service?.from(t.table).select(t.tenantColumn, { count: 'exact', head: true }).neq(t.tenantColumn, tenantId),
          ]);
          if (seen.error) throw new CheckFailed(`${t.table}: ${describeError(seen.error, seen.status)}`);
          return { table: t.table, foreign: seen.data?.length ?? 0, othersExist: others ? (others.count ?? 0) : undefined };
        }),
      );
      const breaches = perTable.filter((r) => r.foreign > 0);
      if (breaches.length > 0) {
        throw new CheckFailed(`the smoke user reads another tenant's rows in ${breaches.map((r) => `${r.table} (${r.foreign}+)`).join(', ')}`);
      }
      if (!service) return `0 rows of another tenant visible in ${perTable.length} tables (other tenants' rows not counted: no SUPABASE_SERVICE_ROLE_KEY)`;
      const withOthers = perTable.filter((r) => (r.othersExist ?? 0) > 0).length;
      if (withOthers === 0) throw new CheckFailed('no other tenant has rows in any checked table: isolation cannot be shown');
      return `0 rows of another tenant visible; other tenants have rows in ${withOthers} of ${perTable.length} of those tables`;
    });
  });

  test('Refused Writes', { annotation: summaryRow('Refused Writes') }, async ({ target, synthetic }, testInfo) => {
    await measured(testInfo, async () => {
      const anon = makeClient(target.SUPABASE_URL, target.SUPABASE_ANON_KEY);
      const service = serviceClient(target);
      const own = await synthetic.client.from('branches').select('id').eq('corporate_id', synthetic.tenantId).limit(1).single();
      if (own.error) throw new CheckFailed(`the smoke tenant's branches unreadable: ${describeError(own.error, own.status)}`);
      // The other tenant: a real one when the service role can name it, else an id no tenant has (RLS must still
      // refuse first; a foreign-key error instead means RLS did not look at the row).
      const other = service ? await service.from('branches').select('id, corporate_id').neq('corporate_id', synthetic.tenantId).limit(1).maybeSingle() : undefined;
      const otherTenant = (other?.data?.corporate_id as string | undefined) ?? randomUUID();
      const otherBranch = (other?.data?.id as string | undefined) ?? (own.data.id as string);
      const plate = `SYN-SEC-${randomBytes(3).toString('hex').toUpperCase()}`;
      const probe = (corporate: string, branch: string) => ({ corporate_id: corporate, branch_id: branch, plate, make: 'Smoke', model: synthetic.tag('security probe'), year: 2020 });

      const attempts: { who: string; client: SupabaseClient; row: ReturnType<typeof probe> }[] = [
        { who: 'an anonymous insert into vehicles', client: anon, row: probe(synthetic.tenantId, own.data.id as string) },
        { who: "the smoke user's insert into another tenant's vehicles", client: synthetic.client, row: probe(otherTenant, otherBranch) },
      ];
      const problems: string[] = [];
      for (const a of attempts) {
        const { data, error } = await a.client.from('vehicles').insert(a.row).select('id');
        if (data?.length) {
          problems.push(`${a.who} was accepted`);
          // Undo at once: the probe must never stay in anybody's fleet.
          await a.client.from('vehicles').delete().eq('plate', plate);
          await service?.from('vehicles').delete().eq('plate', plate);
        } else if (error?.code !== RLS_REFUSAL) {
          problems.push(`${a.who} was not refused by row-level security (${describeError(error)})`);
        }
      }
      let updateNote = "cross-tenant update not tried (no SUPABASE_SERVICE_ROLE_KEY to name another tenant's vehicle)";
      if (service) {
        const victim = await service.from('vehicles').select('id, odometer_km').neq('corporate_id', synthetic.tenantId).limit(1).single();
        if (victim.error) throw new CheckFailed(`another tenant's vehicle unreadable with the service role: ${describeError(victim.error, victim.status)}`);
        // The same value: even when the update goes through, nothing of the other tenant changes.
        const updated = await synthetic.client.from('vehicles').update({ odometer_km: victim.data.odometer_km }).eq('id', victim.data.id).select('id');
        if (updated.data?.length) problems.push("the smoke user's update of another tenant's vehicle went through");
        updateNote = "the update of another tenant's vehicle changed 0 rows";
      }
      if (problems.length > 0) throw new CheckFailed(problems.join('; '));
      return `anonymous and cross-tenant inserts refused (42501); ${updateNote}`;
    });
  });

  test('Audit Log Immutable', { annotation: summaryRow('Audit Log Immutable') }, async ({ synthetic, vehiclesLock: _lock }, testInfo) => {
    await measured(testInfo, async () => {
      // An audit row of the suite's own write, so that a broken policy can cost no trail but the suite's own.
      const picked = await synthetic.client.from('vehicles').select('id, plate, odometer_km').eq('corporate_id', synthetic.tenantId).order('plate').limit(1).single();
      if (picked.error) throw new CheckFailed(`no vehicle of the smoke tenant: ${describeError(picked.error, picked.status)}`);
      const since = new Date(Date.now() - 1_000).toISOString();
      await synthetic.client.from('vehicles').update({ odometer_km: picked.data.odometer_km }).eq('id', picked.data.id);
      const entry = await pollFor(async () => {
        const { data } = await synthetic.client
          .from('audit_logs')
          .select('id, action, actor_id, created_at')
          .eq('record_id', picked.data.id)
          .eq('actor_id', synthetic.userId)
          .gte('created_at', since)
          .order('created_at', { ascending: false })
          .limit(1);
        return data?.[0] as { id: string; action: string; actor_id: string; created_at: string } | undefined;
      }, 5_000);
      if (!entry) test.skip(true, `blocked: no audit row of the smoke user's write to ${picked.data.plate} appeared (see Audit Trail)`);
      const row = entry!;
      // Writing the same action back changes nothing even when it is allowed; its answer says whether it was.
      const changed = await synthetic.client.from('audit_logs').update({ action: row.action }).eq('id', row.id).select('id');
      const deleted = await synthetic.client.from('audit_logs').delete().eq('id', row.id).select('id');
      const after = await synthetic.client.from('audit_logs').select('id, action').eq('id', row.id);
      const problems = [
        changed.data?.length ? 'the smoke user could update an audit row' : undefined,
        deleted.data?.length || (after.data && after.data.length === 0) ? 'the smoke user could delete an audit row' : undefined,
      ].filter((p): p is string => !!p);
      if (problems.length > 0) throw new CheckFailed(problems.join('; '));
      if (after.error || after.data?.[0]?.action !== row.action) {
        throw new CheckFailed(`the audit row could not be read back unchanged (${after.error ? describeError(after.error, after.status) : 'action differs'})`);
      }
      return "update and delete of the smoke user's own audit row changed 0 rows; read back intact";
    });
  });

  test('Service Key Exposure', { annotation: summaryRow('Service Key Exposure') }, async ({ signedInPage: page, target }, testInfo) => {
    await measured(testInfo, async () => {
      const bodies: Promise<{ url: string; kind: string; text: string }>[] = [];
      page.on('response', (response) => {
        const kind = response.request().resourceType();
        if (kind !== 'document' && kind !== 'script') return;
        bodies.push(response.text().then((text) => ({ url: response.url(), kind, text }), () => ({ url: response.url(), kind, text: '' })));
      });
      // Routing every request turns the browser's cache off: each page's scripts come from the site, every time.
      await page.route('**/*', (route) => route.continue());
      for (const path of security.scannedPages) {
        const answer = await page.goto(path, { waitUntil: 'load' });
        if (!answer?.ok()) throw new CheckFailed(`${path} answered HTTP ${answer?.status() ?? 'nothing'}: cannot scan it`);
        // Scripts a page loads after its load event (lazy chunks) are served too.
        await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
      }
      const served = await Promise.all(bodies);
      const scripts = new Set(served.filter((b) => b.kind === 'script').map((b) => b.url));
      const key = target.SUPABASE_SERVICE_ROLE_KEY;
      const exposed = served.filter((b) => (key && b.text.includes(key)) || serviceRoleJwts(b.text) > 0);
      if (exposed.length > 0) {
        const where = [...new Set(exposed.map((b) => new URL(b.url).pathname))].join(', ');
        throw new CheckFailed(`the service-role key is served to the browser in ${where}`);
      }
      const found = key ? 'neither the service-role key nor any service_role JWT found' : 'no service_role JWT found (no SUPABASE_SERVICE_ROLE_KEY to look for itself)';
      return `${security.scannedPages.length} pages and ${plural(scripts.size, 'script')} scanned: ${found}`;
    });
  });

  test('Security Headers', { annotation: summaryRow('Security Headers') }, async ({ target, request }, testInfo) => {
    await measured(testInfo, async () => {
      const url = new URL(appProfile.paths.login, target.BASE_URL);
      const res = await request.get(url.toString(), { failOnStatusCode: false, maxRedirects: 0, timeout: 10_000 });
      if (res.status() >= 400) throw new CheckFailed(`${appProfile.paths.login} answered HTTP ${res.status()}`);
      const headers = res.headers();
      const present = (name: string) =>
        name === 'frame-protection' ? !!headers['x-frame-options'] || /frame-ancestors/i.test(headers['content-security-policy'] ?? '') : !!headers[name];
      // HSTS means nothing over plain http (browsers ignore it there), so it is required only of an https target.
      const required = security.headers.required.filter((h) => h !== 'strict-transport-security' || url.protocol === 'https:');
      const missing = required.filter((h) => !present(h));
      const reported = [...security.headers.required, ...security.headers.reported].filter(present);
      if (missing.length > 0) throw new CheckFailed(`missing security headers: ${missing.join(', ')}${reported.length ? ` (present: ${reported.join(', ')})` : ''}`);
      const absent = security.headers.reported.filter((h) => !present(h));
      return `present: ${reported.join(', ')}${absent.length ? `; not sent: ${absent.join(', ')}` : ''}`;
    });
  });
});

/** How many JWTs in `text` carry the service_role claim (the key itself, or any other token minted with it). */
function serviceRoleJwts(text: string): number {
  const candidates = text.match(/eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g) ?? [];
  return candidates.filter((jwt) => {
    try {
      return decodeJwt(jwt).role === 'service_role';
    } catch {
      return false;
    }
  }).length;
}
