import { SandboxConfigError } from './config-error.ts';
import { PUBLIC_TABLES } from './db/tables.ts';

/**
 * Faults the sandbox can be started with (SANDBOX_FAULTS="name[=value],…"). Each one breaks the app the way a
 * production incident would; nothing in a response says that a fault is on. To add one: an entry here, the
 * behaviour where it belongs (looked up with `faults.isOn(name)` / `faults.valuesOf(name)`), a row in the README.
 */
export const FAULTS = {
  bad_password: {
    summary: 'Password sign-in rejects valid credentials (400 invalid_credentials), on the API and the login page.',
    value: null,
  },
  rls_hide: {
    summary:
      'The select policy of <table> is dropped at start: reads of that table return an empty list and no error. ' +
      'May be given more than once.',
    value: { placeholder: '<table>', choices: PUBLIC_TABLES as readonly string[] },
  },
} as const satisfies Record<string, { summary: string; value: null | { placeholder: string; choices: readonly string[] } }>;

export type FaultName = keyof typeof FAULTS;

export interface ActiveFaults {
  isOn(name: FaultName): boolean;
  /** the values given for a fault, in order (empty when it is off or takes no value) */
  valuesOf(name: FaultName): readonly string[];
}

function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

/** Parses and validates a SANDBOX_FAULTS value; errors name the offending fault. Empty or undefined: no faults. */
export function parseFaults(spec: string | undefined): ActiveFaults {
  const active = new Map<FaultName, string[]>();
  for (const item of (spec ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    const name = eq === -1 ? item : item.slice(0, eq).trim();
    const value = eq === -1 ? undefined : item.slice(eq + 1).trim();
    if (!isFaultName(name)) {
      throw new SandboxConfigError(
        `SANDBOX_FAULTS: unknown fault "${name}" (known faults: ${Object.keys(FAULTS).join(', ')})`,
      );
    }
    const expects = FAULTS[name].value;
    if (expects === null && value !== undefined) {
      throw new SandboxConfigError(`SANDBOX_FAULTS: fault "${name}" takes no value`);
    }
    if (expects !== null) {
      if (!value) {
        throw new SandboxConfigError(`SANDBOX_FAULTS: fault "${name}" needs a value: ${name}=${expects.placeholder}`);
      }
      if (!expects.choices.includes(value)) {
        throw new SandboxConfigError(
          `SANDBOX_FAULTS: fault "${name}" does not accept "${value}" (one of: ${expects.choices.join(', ')})`,
        );
      }
    }
    const values = active.get(name) ?? [];
    if (value !== undefined && !values.includes(value)) values.push(value);
    active.set(name, values);
  }
  return {
    isOn: (name) => active.has(name),
    valuesOf: (name) => active.get(name) ?? [],
  };
}
