/**
 * The results of one smoke run, as the promotion log needs them.
 *
 * This is the contract between the Playwright reporter (which builds it from test results) and the pure
 * log renderer (which turns it into Markdown). Nothing in here knows about Playwright.
 */

export type CheckStatus = 'passed' | 'failed' | 'flaky' | 'skipped';

/** Where a check's result lands in the promotion log. */
export type LogPlace =
  /** A row of the "Smoke Test Summary" table, matched by its first cell (e.g. "Vehicles Table"). */
  | { kind: 'summary-row'; row: string }
  /** A test section under "Smoke Tests", matched by its heading text (e.g. "Login Test"); it has a summary row too. */
  | { kind: 'test-section'; heading: string };

/** A verification checkbox a check stands for, e.g. "Deployment Verification" / "API endpoints responding". */
export interface CheckboxClaim {
  /** The heading the checkbox list sits under. */
  section: string;
  /** The checkbox text (matched loosely: case, punctuation, counts and extra trailing words do not matter). */
  item: string;
}

/** Values for the items of a `**List**:` bullet list, e.g. "Migration Details" → "Indexes" → "31 found: …". */
export interface ListDetails {
  list: string;
  items: Record<string, string>;
}

export interface StepResult {
  title: string;
  durationMs: number;
  /** False when the step threw. */
  ok: boolean;
}

export interface CheckResult {
  /** The name the log knows the check by: the summary row name or the test section heading (else the test title). */
  name: string;
  /** Undefined for a check that only verifies checkboxes or fills details. */
  place?: LogPlace;
  status: CheckStatus;
  /** The check's own measurement when it made one (e.g. the table query), else the test's duration. */
  durationMs: number;
  /**
   * One line for the Notes column / Actual Result: the evidence on success ("12 rows visible"),
   * the reason on failure ("0 rows visible"), the reason on skip.
   */
  notes: string;
  /** Steps with timings, for the Actual Result block of a test section. */
  steps: StepResult[];
  /** The failure in one line, when it failed (or failed before a retry passed). */
  error?: string;
  /** Absolute path of the screenshot to link from the log, when one was taken. */
  screenshotPath?: string;
  /** Where further evidence is (trace, video), as a path relative to the project root. */
  evidencePath?: string;
  /** How many times it ran (1 + retries used). */
  attempts: number;
  /** Checkboxes ticked when this check (and every other check claiming them) passed. */
  verifies?: CheckboxClaim[];
  /** What the check found, for the log's detail lists (written when it passed or was flaky). */
  details?: ListDetails[];
  /** Individual latencies the check measured (e.g. repeated requests), in ms; its duration when absent. */
  samplesMs?: number[];
}

export interface RunResults {
  runId: string;
  /** The environment name, e.g. "local" or "prod". */
  env: string;
  startedAt: Date;
  finishedAt: Date;
  checks: CheckResult[];
  /** The release under test ("v1.2.0"), when known. */
  release?: string;
  /** The deployed commit, when known. */
  commit?: string;
  /** The deployment's id (e.g. Vercel's), when known. */
  deploymentId?: string;
  /** The target's BASE_URL. */
  baseUrl?: string;
  /** The run was stopped (Ctrl-C, SIGTERM) before every check had run. */
  interrupted?: boolean;
}

export const STATUS_LABEL: Record<CheckStatus, string> = {
  passed: '✅ PASSED',
  failed: '❌ FAILED',
  flaky: '⚠️ FLAKY',
  skipped: '⏭️ SKIPPED',
};

export const STATUS_ICON: Record<CheckStatus, string> = {
  passed: '✅',
  failed: '❌',
  flaky: '⚠️',
  skipped: '⏭️',
};
