import type { TargetEnv } from './index.ts';

/** KEY=value lines for dotenv; a value dotenv would misread (spaces, #, quotes) is double-quoted. */
export function formatDotenv(env: TargetEnv): string {
  const lines = Object.entries(env).map(([key, value]) => `${key}=${/^[\w.:/@+-]*$/.test(value) ? value : JSON.stringify(value)}`);
  return `${lines.join('\n')}\n`;
}
