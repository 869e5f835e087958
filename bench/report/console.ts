/** The figures of a case as a plain-text table on stdout. */
import type { CaseSummary } from '../harness/summarize.js';
import { ratioText, spreadText } from './format.js';

export function printCase(summary: CaseSummary, log: (line: string) => void): void {
  const c = summary.case;
  const [a, b] = c.systems;
  log(`\n${c.title} [${c.profile}] — ${a}${b ? ` vs ${b}` : ''}`);
  for (const phase of summary.phases) {
    log(`  ${phase.phase}`);
    const rows = phase.figures.map((f) => [
      f.label,
      spreadText(f.eventyard),
      spreadText(f.peer),
      b ? `${ratioText(f.ratio)}${f.better === 'higher' ? ' ↑' : ' ↓'}` : '',
    ]);
    const header = ['figure', a, b ?? '', b ? `ratio ${a}/${b}` : ''];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    for (const row of [header, ...rows]) log(`    ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}`);
    const failed = phase.checks.filter((k) => !k.ok);
    log(
      failed.length === 0
        ? `    exact counts: all ${phase.checks.length} runs OK`
        : `    EXACT COUNT FAILED in ${failed.length}/${phase.checks.length} runs: ${failed.map((k) => `${k.system}: ${k.detail}`).join('; ')}`,
    );
  }
  for (const error of summary.errors) log(`  ERROR ${error.slice(0, 600)}`);
  if (summary.discardedRuns > 0) log(`  ${summary.discardedRuns} runs discarded as contended and re-run`);
  if (summary.contendedRunsKept > 0) log(`  ${summary.contendedRunsKept} contended runs kept (retries ran out)`);
}
