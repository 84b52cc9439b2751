import type { ActiveFaults } from '../faults.ts';

/** The actions the pages offer only to some roles (profiles.role). */
export type PageAction = 'createHandshake' | 'decideHandshake' | 'createInspection';

/**
 * Who may do what in the pages: managers and admins run transfers; inspectors record inspections; drivers only
 * look. The pages leave out what a role may not do (the database does not check roles: tenants are its concern).
 */
const ALLOWED: Record<PageAction, readonly string[]> = {
  createHandshake: ['admin', 'manager'],
  decideHandshake: ['admin', 'manager'],
  createInspection: ['admin', 'manager', 'inspector'],
};

export type Permissions = Record<PageAction, boolean>;

/** What a user of this role is offered; `roles_ignored` offers everything to everyone, as a broken check would. */
export function permissionsOf(role: string | null, faults: ActiveFaults): Permissions {
  const may = (action: PageAction) => faults.isOn('roles_ignored') || (role !== null && ALLOWED[action].includes(role));
  return { createHandshake: may('createHandshake'), decideHandshake: may('decideHandshake'), createInspection: may('createInspection') };
}
