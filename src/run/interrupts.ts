/**
 * Ctrl-C (SIGINT) and a scheduler's SIGTERM while a command runs. Node's default is to die on the spot, which
 * would leave synthetic data in the target, a sandbox half-stopped and a browser behind. Instead the command
 * notices the signal, stops measuring, lets its cleanup run (finally blocks, Playwright's fixture teardown),
 * keeps what it already measured, and exits with 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
 */
import os from 'node:os';

export interface Interrupts {
  /** The first signal received, if any. */
  readonly signal: NodeJS.Signals | undefined;
  /** Resolves when a signal arrives (never rejects): race a long wait against it. */
  readonly received: Promise<NodeJS.Signals>;
  /** 128 + the signal's number, the shell's convention for "ended by a signal". */
  exitCode(): number;
  /** Restores Node's default handling. */
  dispose(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export function watchInterrupts(): Interrupts {
  let signal: NodeJS.Signals | undefined;
  let resolve: (s: NodeJS.Signals) => void = () => undefined;
  const received = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const onSignal = (s: NodeJS.Signals) => {
    signal ??= s;
    resolve(signal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  return {
    get signal() {
      return signal;
    },
    received,
    exitCode: () => 128 + (os.constants.signals[signal ?? 'SIGINT'] ?? 2),
    dispose: () => {
      for (const s of SIGNALS) process.off(s, onSignal);
    },
  };
}
