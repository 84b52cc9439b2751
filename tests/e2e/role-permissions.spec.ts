/**
 * What each role is offered in the pages: a user of every role is created in the synthetic tenant for the run,
 * signs in through the login page, and must see the tenant's pending handshake and exactly the actions
 * appProfile.e2e.rolePermissions gives that role (Create Handshake, Accept/Reject, Create Inspection).
 */
import type { Page } from '@playwright/test';
import { appProfile } from '../../src/config/app-profile.ts';
import { describeError } from '../../src/supabase.ts';
import { readTable } from '../smoke/flow-helpers.ts';
import { pendingHandshake } from './e2e-helpers.ts';
import { CheckFailed, gotoSignedIn, measured, signInThroughUi, test } from './fixtures.ts';

type Action = keyof (typeof appProfile.e2e.rolePermissions)[string];

test('Role Permissions Test', async ({ browser, e2e, target }, testInfo) => {
  const { paths, labels, handshakeColumns: col, e2e: profile } = appProfile;
  const roles = Object.entries(profile.rolePermissions);
  await measured(testInfo, async () => {
    const v = await e2e.claimVehicle('for a handshake every role sees', (vehicle, pending) => !pending.has(vehicle.id));
    await pendingHandshake(e2e, v, 'E2E handshake every role sees');
    const names: Record<Action, string> = {
      createHandshake: `"${labels.createHandshake}"`,
      decideHandshake: `"${labels.acceptHandshake(v.plate)}"/"${profile.rejectHandshake(v.plate)}"`,
      createInspection: `"${labels.createInspection}"`,
    };
    const allowedTo = (action: Action) => roles.filter(([, may]) => may[action]).map(([role]) => role).join(', ') || 'no role';
    const wrong: string[] = [];

    /** What the signed-in page offers; fails when the pending handshake is not even listed (then nothing is proven). */
    const offered = async (page: Page, role: string): Promise<Record<Action, boolean>> => {
      await gotoSignedIn(page, paths.handshakes);
      const rows = await readTable(page, page.getByRole('table', { name: labels.handshakesTable }));
      if (!rows.some((r) => r[col.vehicle] === v.plate && r[col.status] === 'PENDING')) throw new CheckFailed(`${role} does not see the pending handshake of ${v.plate}`);
      const shown = async (name: string) => (await page.getByRole('button', { name, exact: true }).count()) > 0;
      const createHandshake = await shown(labels.createHandshake);
      const decideHandshake = (await shown(labels.acceptHandshake(v.plate))) || (await shown(profile.rejectHandshake(v.plate)));
      await gotoSignedIn(page, paths.inspections);
      return { createHandshake, decideHandshake, createInspection: await shown(labels.createInspection) };
    };

    for (const [role, may] of roles) {
      await test.step(`As ${role}`, async () => {
        const user = await e2e.createUser(role);
        const profileRow = await e2e.synthetic.client.from(appProfile.profiles.table).select('role').eq(appProfile.profiles.idColumn, user.id);
        if (profileRow.error) throw new CheckFailed(`profiles unreadable: ${describeError(profileRow.error, profileRow.status)}`);
        const filed = profileRow.data?.[0]?.role as string | undefined;
        if (filed !== role) throw new CheckFailed(`the new ${role} user's profile ${filed ? `says ${filed}` : 'is not in the synthetic tenant'}`);
        const context = await browser.newContext({ baseURL: target.BASE_URL });
        try {
          const page = await context.newPage();
          await signInThroughUi(page, { ...target, SMOKE_USER_EMAIL: user.email, SMOKE_USER_PASSWORD: user.password }).catch((e: Error) => {
            throw new CheckFailed(`${role} cannot sign in: ${e.message}`);
          });
          const got = await offered(page, role);
          for (const action of Object.keys(names) as Action[]) {
            if (got[action] && !may[action]) wrong.push(`${role} is offered ${names[action]}, which only ${allowedTo(action)} may use`);
            if (!got[action] && may[action]) wrong.push(`${role} is not offered ${names[action]}`);
          }
        } finally {
          await context.close();
        }
      });
    }
    if (wrong.length > 0) throw new CheckFailed(wrong.join('; '));
    return `${roles.map(([role]) => role).join(', ')}: each offered exactly its actions on ${paths.handshakes} and ${paths.inspections}`;
  });
});
