/**
 * The target of a command: `--env=local` starts the embedded sandbox (and `close()` stops it); any other
 * name loads `.env.NAME` over the environment, validates it and checks that the target lets the suite in
 * (probe-target.ts). The sandbox's own variables need no such check: it made them.
 */
import { loadEnvFile, parseTargetEnv, type TargetEnv } from '../config/target-env.ts';
import { UsageError } from '../errors.ts';
import { preflightTarget } from './probe-target.ts';

export interface OpenTarget {
  env: TargetEnv;
  /** True when this process started the sandbox for the run. */
  local: boolean;
  close(): Promise<void>;
}

export async function openTarget(envName: string, cwd: string, processEnv: NodeJS.ProcessEnv, log: (s: string) => void): Promise<OpenTarget> {
  if (envName === 'local') {
    const { startSandbox } = await import('../../sandbox/src/index.ts');
    const sandbox = await startSandbox({ port: 0, databaseUrl: processEnv.DATABASE_URL, faults: processEnv.SANDBOX_FAULTS }).catch((e: Error) => {
      throw new UsageError(`sandbox did not start: ${e.message.split('\n')[0]}`);
    });
    log(`sandbox ready at ${sandbox.baseUrl} in ${(sandbox.readyMs / 1000).toFixed(1)} s\n`);
    return { env: parseTargetEnv(sandbox.env as unknown as Record<string, string>, 'sandbox'), local: true, close: () => sandbox.stop() };
  }
  const env = parseTargetEnv(loadEnvFile(envName, cwd, processEnv), `--env=${envName}`);
  await preflightTarget(env).catch((e: unknown) => {
    throw e instanceof UsageError ? new UsageError(`--env=${envName}: ${e.message}`) : e;
  });
  return { env, local: false, close: async () => undefined };
}
