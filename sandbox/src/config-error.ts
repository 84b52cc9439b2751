/**
 * A problem with how the sandbox was asked to start (a fault name, a DATABASE_URL, a port), as opposed to a bug.
 * The CLI prints its one-line message and exits 2, without a stack trace.
 */
export class SandboxConfigError extends Error {
  override name = 'SandboxConfigError';
}
