import { SandboxConfigError } from './config-error.ts';
import { AUDITED_TABLES, PUBLIC_TABLES } from './db/tables.ts';

/** What a fault's value may be: nothing, one of some names, or an integer in a range. */
export type FaultValueSpec =
  | null
  | { placeholder: string; choices: readonly string[] }
  | { placeholder: string; integer: { min: number; max: number } };

export interface FaultSpec {
  summary: string;
  value: FaultValueSpec;
}

const TABLE = { placeholder: '<table>', choices: PUBLIC_TABLES as readonly string[] };
/** The tables that have an audit trigger: every table but audit_logs itself. */
const AUDITED_TABLE = { placeholder: '<table>', choices: AUDITED_TABLES as readonly string[] };
const MS = { placeholder: '<ms>', integer: { min: 0, max: 600_000 } };

/** The tabs of a vehicle's details page, as `tab_missing` names them. */
export const VEHICLE_TABS = ['overview', 'documents', 'maps', 'inspections', 'history'] as const;
export type VehicleTab = (typeof VEHICLE_TABS)[number];

/**
 * Faults the sandbox can be started with (SANDBOX_FAULTS="name[=value],…") or switched to while it runs (PUT
 * /__sandbox/faults, service role only). Each one breaks the app the way a production incident would; nothing in
 * a response says that a fault is on. To add one: an entry here, the behaviour where it belongs (read at request
 * time with `faults.isOn(name)` / `faults.valuesOf(name)` / `faults.numberOf(name)`, or applied on every change by
 * a listener given to `faults.onFaultsChanged`), and a row in the README.
 */
export const FAULTS = {
  bad_password: {
    summary: 'Password sign-in rejects valid credentials (400 invalid_credentials), on the API and the login page.',
    value: null,
  },
  rls_hide: {
    summary:
      'The select policy of <table> is dropped: reads of that table return an empty list and no error. ' +
      'May be given more than once.',
    value: TABLE,
  },
  rls_off: {
    summary: "Row-level security is disabled on <table>: every tenant sees every tenant's rows. May be repeated.",
    value: TABLE,
  },
  table_missing: {
    summary: '<table> is gone from the public schema: the API answers 404 PGRST205 and pages reading it fail.',
    value: TABLE,
  },
  auth_down: {
    summary: 'The auth server is unreachable: /auth/v1 answers 503 from the gateway; sign-in and page sessions fail.',
    value: null,
  },
  api_slow: {
    summary: 'Every API and page response is delayed by <ms> milliseconds.',
    value: MS,
  },
  api_errors: {
    summary: '<pct> % of API requests answer 500, spread evenly (a counter, not a coin flip).',
    value: { placeholder: '<pct>', integer: { min: 0, max: 100 } },
  },
  health_down: {
    summary: '/api/health answers 503 with "database":"error".',
    value: null,
  },
  search_broken: {
    summary: 'Typing in the vehicles search box does nothing.',
    value: null,
  },
  filter_broken: {
    summary: 'The vehicles status and branch filters are ignored.',
    value: null,
  },
  maps_auth_failure: {
    summary: 'The maps loader reports an authentication failure (gm_authFailure) after the map first appears.',
    value: null,
  },
  tab_missing: {
    summary: 'The <tab> tab of the vehicle details page is absent.',
    value: { placeholder: '<tab>', choices: VEHICLE_TABS },
  },
  hydration_delay: {
    summary: 'Pages render, but their buttons do nothing until <ms> milliseconds after load.',
    value: MS,
  },
  session_expiry: {
    summary: 'Access tokens expire after <seconds> seconds (expires_in and exp shortened).',
    value: { placeholder: '<seconds>', integer: { min: 1, max: 86_400 } },
  },
  realtime_off: {
    summary: 'Realtime subscriptions still report SUBSCRIBED, but no change event ever arrives.',
    value: null,
  },
  realtime_slow: {
    summary: 'Every Realtime change event reaches its subscribers <ms> milliseconds late.',
    value: MS,
  },
  storage_denied: {
    summary: 'Storage refuses uploads and downloads with 403, as a broken storage policy would (public URLs still work).',
    value: null,
  },
  email_off: {
    summary: 'The mail relay refuses every message: no email arrives and queued notifications become FAILED.',
    value: null,
  },
  accept_no_vehicle_status: {
    summary: "Accepting a handshake leaves the vehicle's status unchanged (it should become IN_TRANSIT).",
    value: null,
  },
  geofence_off: {
    summary: 'Locations outside the branch geofence raise no GEOFENCE_EXIT alert.',
    value: null,
  },
  audit_off: {
    summary: 'The audit triggers write nothing: changes leave no audit_logs rows.',
    value: null,
  },
  handshake_rules_off: {
    summary: 'Handshake status changes are not checked: any status may follow any other (ACCEPTED → PENDING goes through).',
    value: null,
  },
  document_expiry_off: {
    summary: 'Vehicle documents expired or expiring within 30 days raise no DOCUMENT_EXPIRY alert.',
    value: null,
  },
  roles_ignored: {
    summary: "The pages offer every action to every role (the app's permission check is broken): drivers see Create Handshake.",
    value: null,
  },
  headers_missing: {
    summary: 'Pages are served without their security headers (HSTS, nosniff, X-Frame-Options, Referrer-Policy, Permissions-Policy, CSP).',
    value: null,
  },
  service_key_exposed: {
    summary: "The service-role key ships to browsers in the pages' env-config script, as a NEXT_PUBLIC_ variable set to it would.",
    value: null,
  },
  audit_mutable: {
    summary: "Signed-in users may update and delete their tenant's audit_logs rows through the API (policies granted too much).",
    value: null,
  },
  index_missing: {
    summary: "<table>'s non-unique indexes are gone, as after a migration that failed half-way. May be repeated.",
    value: TABLE,
  },
  audit_trigger_off: {
    summary: "<table>'s audit trigger is disabled: its changes leave no audit_logs rows. May be repeated.",
    value: AUDITED_TABLE,
  },
  integrity_broken: {
    summary: 'A Marsana Logistics vehicle (ORPHAN-1) points at a branch that does not exist, its foreign key bypassed.',
    value: null,
  },
} as const satisfies Record<string, FaultSpec>;

export type FaultName = keyof typeof FAULTS;

/** The faults on at this moment. One object for the whole app, read at request time: it changes while the sandbox runs. */
export interface ActiveFaults {
  isOn(name: FaultName): boolean;
  /** the values given for a fault, in order and without repeats (empty when it is off or takes no value) */
  valuesOf(name: FaultName): readonly string[];
  /** an integer fault's value (the last one given), undefined when the fault is off */
  numberOf(name: FaultName): number | undefined;
  /** the active set in SANDBOX_FAULTS syntax, e.g. "api_slow=200,rls_hide=vehicles" ("" when none) */
  describe(): string;
  /** bumped at every change; lets request-time behaviour (e.g. api_errors' counter) start over */
  readonly generation: number;
}

export type FaultListener = (faults: ActiveFaults) => void | Promise<void>;

function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

type ParsedFaults = Map<FaultName, string[]>;

/** Parses and validates SANDBOX_FAULTS syntax; errors name the offending fault. Empty or undefined: no faults. */
export function parseFaultSpec(spec: string | undefined, source = 'SANDBOX_FAULTS'): ParsedFaults {
  const active: ParsedFaults = new Map();
  for (const item of (spec ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    const name = eq === -1 ? item : item.slice(0, eq).trim();
    const raw = eq === -1 ? undefined : item.slice(eq + 1).trim();
    if (!isFaultName(name)) {
      throw new SandboxConfigError(`${source}: unknown fault "${name}" (known faults: ${Object.keys(FAULTS).join(', ')})`);
    }
    const expects: FaultValueSpec = FAULTS[name].value;
    let value: string | undefined;
    if (expects === null) {
      if (raw !== undefined) throw new SandboxConfigError(`${source}: fault "${name}" takes no value`);
    } else {
      if (!raw) throw new SandboxConfigError(`${source}: fault "${name}" needs a value: ${name}=${expects.placeholder}`);
      if ('choices' in expects) {
        value = expects.choices.find((choice) => choice.toLowerCase() === raw.toLowerCase());
        if (value === undefined) {
          throw new SandboxConfigError(`${source}: fault "${name}" does not accept "${raw}" (one of: ${expects.choices.join(', ')})`);
        }
      } else {
        const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
        const { min, max } = expects.integer;
        if (!Number.isSafeInteger(n) || n < min || n > max) {
          throw new SandboxConfigError(`${source}: fault "${name}" needs an integer from ${min} to ${max}, not "${raw}"`);
        }
        value = String(n);
      }
    }
    const values = active.get(name) ?? [];
    if (value !== undefined && !values.includes(value)) values.push(value);
    active.set(name, values);
  }
  return active;
}

function describeParsed(active: ParsedFaults): string {
  return [...active]
    .flatMap(([name, values]) => (values.length === 0 ? [name] : values.map((value) => `${name}=${value}`)))
    .join(',');
}

/**
 * The fault switchboard: the active set, replaceable while the sandbox runs. Modules whose faults live in the
 * database (policies, renamed tables, triggers) register a listener; it runs once when the sandbox starts
 * (`applyAll`) and after every change, and must both apply the faults that are on and undo those that are off.
 */
export class FaultSwitchboard implements ActiveFaults {
  #active: ParsedFaults;
  #generation = 0;
  readonly #listeners: FaultListener[] = [];
  #queue: Promise<unknown> = Promise.resolve();

  constructor(spec?: string) {
    this.#active = parseFaultSpec(spec);
  }

  get generation(): number {
    return this.#generation;
  }

  isOn(name: FaultName): boolean {
    return this.#active.has(name);
  }

  valuesOf(name: FaultName): readonly string[] {
    return this.#active.get(name) ?? [];
  }

  numberOf(name: FaultName): number | undefined {
    const values = this.#active.get(name);
    const last = values?.[values.length - 1];
    return last === undefined ? undefined : Number(last);
  }

  describe(): string {
    return describeParsed(this.#active);
  }

  /** Registers a listener run at start and after every change; returns a function that removes it. */
  onFaultsChanged(listener: FaultListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at !== -1) this.#listeners.splice(at, 1);
    };
  }

  /** Runs every listener against the current set (at start, once the database is ready). */
  applyAll(): Promise<void> {
    return this.#serialised(() => this.#notify());
  }

  /**
   * Replaces the whole set (validated first: a bad spec changes nothing and throws SandboxConfigError), then runs
   * the listeners. Changes are serialised, so two callers never interleave their database work.
   */
  async replace(spec: string, source = 'faults'): Promise<void> {
    const next = parseFaultSpec(spec, source);
    await this.#serialised(async () => {
      this.#active = next;
      this.#generation++;
      await this.#notify();
    });
  }

  async #notify(): Promise<void> {
    for (const listener of [...this.#listeners]) await listener(this);
  }

  #serialised(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** Parses and validates a SANDBOX_FAULTS value into a switchboard; errors name the offending fault. */
export function parseFaults(spec: string | undefined): FaultSwitchboard {
  return new FaultSwitchboard(spec);
}
