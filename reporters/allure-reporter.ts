/**
 * allure-playwright, as the suite uses it. `playwright merge-reports` (sharded runs) configures reporters before
 * any project is known, and allure-playwright 3.12 reads the first project's folders in onConfigure; this gives
 * it the config's own folders then instead of failing. Nothing else changes.
 */
import type { FullConfig } from '@playwright/test/reporter';
import { AllureReporter as AllurePlaywrightReporter } from 'allure-playwright';

export default class AllureReporter extends AllurePlaywrightReporter {
  override onConfigure(config: FullConfig): void {
    if (config.projects.length > 0) return super.onConfigure(config);
    const root = config.rootDir;
    const placeholder = { outputDir: `${root}/test-results`, snapshotDir: root } as FullConfig['projects'][number];
    super.onConfigure({ ...config, projects: [placeholder] });
  }
}
