/**
 * `pnpm sandbox [--port=N] [--env-out=FILE]`: runs the Marsana Fleet sandbox in the foreground until Ctrl+C.
 * DATABASE_URL selects a PostgreSQL server (default: PGlite in memory); SANDBOX_FAULTS turns faults on.
 * Prints where it listens and who is seeded, never a key or a password: those go only into the --env-out file.
 */
import { parseArgs } from 'node:util';
import writeFileAtomic from 'write-file-atomic';
import { describePostgresUrl } from './src/db/postgres-database.ts';
import { formatDotenv } from './src/dotenv.ts';
import { SandboxConfigError, SEED, startSandbox, type RunningSandbox } from './src/index.ts';

const USAGE = 'usage: pnpm sandbox [--port=N] [--env-out=FILE] [--token-ttl=SECONDS]';
const DEFAULT_PORT = 54321;

class UsageError extends Error {}

interface CliOptions {
  port: number;
  envOut?: string;
  /** access token lifetime in seconds */
  tokenTtl?: number;
}

function parseCli(argv: string[]): CliOptions | 'help' {
  // `pnpm sandbox -- --port=1` hands the separator through; it means nothing here.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  let values: { port?: string; 'env-out'?: string; 'token-ttl'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: { port: { type: 'string' }, 'env-out': { type: 'string' }, 'token-ttl': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const option = /'(-[^' ]+)/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${option} (${USAGE})`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`unexpected argument (${USAGE})`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`option ${option} needs a value (${USAGE})`);
    throw new UsageError(`${message.split('\n')[0]} (${USAGE})`);
  }
  if (values.help) return 'help';
  const port = values.port ?? String(DEFAULT_PORT);
  if (!/^\d+$/.test(port) || Number(port) > 65535) {
    throw new UsageError(`--port must be a number from 0 to 65535, not "${port}"`);
  }
  if (values['env-out'] === '') throw new UsageError('--env-out needs a file name');
  const ttl = values['token-ttl'];
  if (ttl !== undefined && (!/^\d+$/.test(ttl) || Number(ttl) < 1 || Number(ttl) > 604_800)) {
    throw new UsageError(`--token-ttl must be a number of seconds from 1 to 604800, not "${ttl}"`);
  }
  return {
    port: Number(port),
    ...(values['env-out'] !== undefined && { envOut: values['env-out'] }),
    ...(ttl !== undefined && { tokenTtl: Number(ttl) }),
  };
}

function banner(sandbox: RunningSandbox, database: string, envOut: string | undefined): string {
  const tenants = SEED.tenants.map((tenant) => {
    const emails = SEED.users.filter((u) => u.corporateId === tenant.id).map((u) => u.email);
    return `  ${tenant.name.padEnd(30)} ${emails.join(', ')}`;
  });
  return [
    `Marsana Fleet sandbox ready in ${(sandbox.readyMs / 1000).toFixed(1)} s (${database})`,
    `  Web      ${sandbox.baseUrl}/login`,
    `  API      ${sandbox.env.SUPABASE_URL}  (Supabase: /auth/v1, /rest/v1)`,
    `  Health   ${sandbox.baseUrl}/api/health`,
    `  Faults   ${sandbox.baseUrl}/__sandbox/faults  (GET / PUT {"faults":"…"}, service role key as Bearer)`,
    ...(envOut ? [`  Env file ${envOut} (target variables for pnpm test:smoke)`] : []),
    'Seeded users (passwords in sandbox/README.md):',
    ...tenants,
    'Press Ctrl+C to stop.',
  ].join('\n');
}

async function main(): Promise<void> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`sandbox: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n  DATABASE_URL=postgres://…  use that PostgreSQL server instead of PGlite\n  SANDBOX_FAULTS=name[=value],…  faults (see sandbox/README.md)\n`);
    return;
  }

  const databaseUrl = process.env['DATABASE_URL'] || undefined;
  let sandbox: RunningSandbox;
  try {
    const database = databaseUrl ? `PostgreSQL ${describePostgresUrl(databaseUrl)}` : 'PGlite in memory';
    sandbox = await startSandbox({
      port: options.port,
      ...(databaseUrl && { databaseUrl }),
      ...(options.tokenTtl !== undefined && { accessTokenTtl: options.tokenTtl }),
    });
    if (options.envOut) {
      try {
        await writeFileAtomic(options.envOut, formatDotenv(sandbox.env), { mode: 0o600 });
      } catch (error) {
        await sandbox.stop();
        throw new SandboxConfigError(`cannot write --env-out file ${options.envOut}: ${(error as Error).message}`);
      }
    }
    process.stdout.write(`${banner(sandbox, database, options.envOut)}\n`);
  } catch (error) {
    if (!(error instanceof SandboxConfigError)) throw error;
    process.stderr.write(`sandbox: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping\n`);
    sandbox.stop().then(
      () => {
        process.stdout.write('Sandbox stopped.\n');
        process.exitCode = 0;
      },
      (error: Error) => {
        process.stderr.write(`sandbox: stop failed: ${error.message}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

await main();
