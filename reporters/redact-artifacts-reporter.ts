/**
 * Playwright reporter that takes the target's secret values out of every file the run left behind, once the
 * other reporters have written theirs: test-results (traces, error contexts, the JSON report), the JUnit file,
 * Allure's results, blob reports. Put it last in the reporter list: Playwright runs the reporters' onEnd one
 * after the other, in list order.
 *
 * Which values: those of the target's secret variables (src/config/target-env.ts SECRET_VARS) in the
 * environment, and anything shaped like a JWT (src/redact.ts). Option `paths`: files or folders, relative to
 * the config's folder.
 */
import path from 'node:path';
import type { FullConfig, Reporter } from '@playwright/test/reporter';
import { redactTree } from '../src/redact-files.ts';
import { secretRedactor } from './collect.ts';

export interface RedactArtifactsOptions {
  paths?: string[];
  configDir?: string;
}

export default class RedactArtifactsReporter implements Reporter {
  private configDir = process.cwd();

  constructor(private readonly options: RedactArtifactsOptions = {}) {}

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig): void {
    this.configDir = this.options.configDir ?? (config.configFile ? path.dirname(config.configFile) : process.cwd());
  }

  async onEnd(): Promise<void> {
    const redact = secretRedactor(process.env);
    for (const target of this.options.paths ?? []) {
      const full = path.resolve(this.configDir, target);
      try {
        await redactTree(full, redact);
      } catch (e) {
        process.stderr.write(`redact-artifacts: ${full}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      }
    }
  }
}
