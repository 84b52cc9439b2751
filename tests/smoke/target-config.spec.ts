/**
 * "Environment variables set" in the log's Deployment Verification: the target configuration this run used,
 * validated where the checks run (every required variable present, URLs, keys and the email well formed).
 * Names only, never values: several of them are secrets.
 */
import { OPTIONAL_VARS, parseTargetEnv, REQUIRED_VARS } from '../../src/config/target-env.ts';
import { CHECKBOX } from '../../src/log-annotations.ts';
import { measured, test } from './fixtures.ts';

test('Target Configuration', { annotation: CHECKBOX.environmentVariables }, async ({}, testInfo) => {
  await measured(testInfo, async () => {
    const target = parseTargetEnv(process.env, 'smoke suite environment');
    const optional = OPTIONAL_VARS.filter((k) => target[k] !== undefined);
    return `${REQUIRED_VARS.length} required variables set and valid${optional.length ? `; optional: ${optional.join(', ')}` : ''}`;
  });
});
