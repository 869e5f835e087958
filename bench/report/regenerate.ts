/**
 * Rebuilds bench/results/latest.json's summaries and docs/benchmarks.md from the raw runs
 * the JSON keeps, without running anything: for a change to how figures are summarized or
 * reported (a new figure, a new target) after a run.
 *   npx tsx bench/report/regenerate.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RunRecord } from '../harness/alternate.js';
import { summarizeCase, type CaseSummary } from '../harness/summarize.js';
import { renderMarkdown, type ReportHeader } from './markdown.js';
import { judgeTargets } from './targets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const file = `${root}bench/results/latest.json`;
const results = JSON.parse(readFileSync(file, 'utf8')) as ReportHeader & {
  summaries: CaseSummary[];
  raw: { case: string; records?: RunRecord[] }[];
};
const summaries = results.summaries.map((s) => {
  const records = results.raw.find((r) => r.case === s.case.id)?.records;
  return records ? { ...summarizeCase(s.case, records), ...(s.measured ? { measured: s.measured } : {}) } : s;
});
const targets = judgeTargets(summaries);
writeFileSync(file, JSON.stringify({ ...results, targets, summaries }, null, 2) + '\n');
writeFileSync(`${root}docs/benchmarks.md`, renderMarkdown(results, summaries, targets));
console.log(`re-summarized ${summaries.length} cases; wrote bench/results/latest.json and docs/benchmarks.md`);
