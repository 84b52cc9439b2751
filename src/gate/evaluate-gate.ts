/**
 * May this release be promoted? A pure judgement over the latest smoke run (summary.json) and the promotion
 * log's monitoring and rollback sections. Every failed criterion is listed, not just the first.
 */
import type { RunSummary } from '../../reporters/summary/summary.ts';
import { checkboxes, columnKeys, findSection, normalizeTitle, parseDoc, plainText, tables } from '../../reporters/promotion-log/markdown.ts';

export interface GatePolicy {
  /** A check that passed only on retry blocks the release unless allowed. */
  allowFlaky: boolean;
  /** A skipped check is missing evidence and blocks the release unless allowed. */
  allowSkipped: boolean;
  /** Section 6 must be fully measured (no ⏳ rows). */
  requireMonitoring: boolean;
}

export const DEFAULT_POLICY: GatePolicy = { allowFlaky: false, allowSkipped: false, requireMonitoring: true };

export interface GateInput {
  summary?: RunSummary;
  /** Why there is no summary, when there is none. */
  summaryProblem?: string;
  logText?: string;
  logProblem?: string;
}

export function evaluateGate(input: GateInput, policy: GatePolicy = DEFAULT_POLICY): string[] {
  const failures: string[] = [];
  const { summary } = input;
  if (!summary) failures.push(`no smoke results: ${input.summaryProblem ?? 'summary.json missing'}`);
  else {
    if (summary.counts.total === 0) failures.push('the smoke run ran no checks');
    // --allow-skipped accepts checks skipped on purpose, never ones an interrupted run did not get to.
    if (summary.interrupted) failures.push('the smoke run was interrupted before every check ran');
    for (const c of summary.checks) {
      const why = c.notes || c.error || '';
      if (c.status === 'failed') failures.push(`check failed: ${c.name}${why ? ` (${why})` : ''}`);
      if (c.status === 'flaky' && !policy.allowFlaky) failures.push(`check flaky, passed only on retry: ${c.name}${c.error ? ` (${c.error})` : ''}`);
      if (c.status === 'skipped' && !policy.allowSkipped) failures.push(`check skipped, no evidence: ${c.name}${why ? ` (${why})` : ''}`);
    }
  }
  if (input.logText === undefined) {
    failures.push(`no promotion log: ${input.logProblem ?? 'not found'}`);
    return failures;
  }
  const doc = parseDoc(input.logText);
  // "## 6. Monitoring (60 Minutes)": the window's length in the title varies, so match the first word.
  const monitoringHeading = doc.root.children.find((n) => n.type === 'heading' && n.depth <= 2 && normalizeTitle(plainText(n)).startsWith('monitoring'));
  const monitoring = monitoringHeading && findSection(doc.root.children, plainText(monitoringHeading));
  if (!monitoring) {
    if (policy.requireMonitoring) failures.push('the promotion log has no Monitoring section');
  } else {
    for (const table of tables(monitoring.nodes)) {
      const keys = columnKeys(table);
      const statusAt = keys.findIndex((k) => k.toLowerCase() === 'status');
      if (statusAt < 0) continue;
      const name = tableTitle(monitoring.nodes, table) ?? 'a monitoring table';
      const pending: string[] = [];
      for (const row of table.children.slice(1)) {
        const time = plainText(row.children[0]!).trim();
        const status = row.children[statusAt] ? plainText(row.children[statusAt]!).trim() : '';
        if (status.includes('⏳') || status === '') pending.push(time);
        if (status.includes('❌')) failures.push(`monitoring: ${name} is ❌ at ${time}`);
      }
      if (pending.length > 0 && policy.requireMonitoring) failures.push(`monitoring incomplete: ${name} has no measurement at ${pending.join(', ')}`);
    }
  }
  const rollback = findSection(doc.root.children, 'Rollback Triggers');
  for (const box of rollback ? checkboxes(doc.text, rollback.nodes) : []) {
    if (box.checked) failures.push(`rollback trigger fired: ${box.label}`);
  }
  return failures;
}

/** The heading nearest above a table, e.g. "Error Rate Monitoring". */
function tableTitle(nodes: Parameters<typeof tables>[0], table: ReturnType<typeof tables>[number]): string | undefined {
  let title: string | undefined;
  for (const n of nodes) {
    if (n === table) return title;
    if (n.type === 'heading') title = plainText(n).trim();
  }
  return title;
}
