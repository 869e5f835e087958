/**
 * Folds a side run (`npm run bench -- --results NAME`) into bench/results/latest.json and
 * docs/benchmarks.md, as if it had been run with --merge: its cases replace the same cases
 * of latest.json, every other case is kept, and the command line records both.
 *   npx tsx bench/report/merge.ts NAME
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CaseSummary } from '../harness/summarize.js';
import { abCases, fullPlan } from '../plan.js';
import { renderMarkdown, type ReportHeader } from './markdown.js';
import { judgeTargets } from './targets.js';

type Results = ReportHeader & { summaries: CaseSummary[]; raw: { case: string }[] };

const name = process.argv[2];
if (name === undefined || name === 'latest') throw new Error('usage: npx tsx bench/report/merge.ts <side run name>');
const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string): Results => JSON.parse(readFileSync(file, 'utf8')) as Results;
const latestFile = `${root}bench/results/latest.json`;
const latest = read(latestFile);
const side = read(`${root}bench/results/${name}.json`);

const order = new Map([...fullPlan(), ...abCases()].map((c, i) => [c.id, i]));
const replaced = new Set(side.summaries.map((s) => s.case.id));
const keep = (id: string): boolean => order.has(id) && !replaced.has(id);
const summaries = [...latest.summaries.filter((s) => keep(s.case.id)), ...side.summaries].sort(
  (a, b) => (order.get(a.case.id) ?? 1e9) - (order.get(b.case.id) ?? 1e9),
);
const where = latest.machine ? ` on ${latest.machine.cpuModel}` : '';
const header: ReportHeader = {
  ...side,
  command: `${latest.command} (from ${latest.startedAt}${where}), then ${side.command.replace(` --results ${name}`, '')}`,
};
const targets = judgeTargets(summaries);
const raw = [...latest.raw.filter((r) => keep(r.case)), ...side.raw];
writeFileSync(latestFile, JSON.stringify({ ...header, targets, summaries, raw }, null, 2) + '\n');
writeFileSync(`${root}docs/benchmarks.md`, renderMarkdown(header, summaries, targets));
console.log(`merged ${replaced.size} cases of ${name}.json; wrote bench/results/latest.json and docs/benchmarks.md`);
